"""results.h5 (format 2.0): interactions as a typed table, metrics as JSON, the command as given."""
import json
import math
from types import SimpleNamespace

import h5py
import numpy as np
import pytest

from attnbio.io.results import results_file
from attnbio.motifs.outputs import (FORMAT_VERSION, INTERACTION_COLUMNS, INTERACTION_EXTRA, metrics_json,
                                    read_interactions, write_results_h5)

ROWS = [
    {"motif_a": "attnbio_m1", "motif_b": "attnbio_m2", "distance": -27, "orientation": "+-", "head": "L1H3,L2H1",
     "n_obs": 41, "n_background": 3.5, "p_value": 1.5e-9, "q_value": 2.25e-8, "effect": 0.73, "effect_p": 0.004,
     "distance_spread": 0.42, "status": "attention+effect", "shadow_of": None},
    {"motif_a": "attnbio_m2", "motif_b": "attnbio_m10", "distance": 118, "orientation": "++", "head": "L2H4",
     "n_obs": 7, "n_background": 0, "p_value": 0.01, "q_value": 0.04, "effect": None, "effect_p": None,
     "distance_spread": 2.0, "status": "shadow", "shadow_of": "attnbio_m1:attnbio_m2:-27"},
]


def _motif(mid, width):
    probs = np.full((width, 4), 0.25)
    return SimpleNamespace(id=mid, probs=probs, heads=["L1H3"], sites=[], log2_enrichment=1.0, p_value=1e-5,
                           q_value=1e-4)


@pytest.fixture
def h5_path(tmp_path):
    disc = SimpleNamespace(head_names=["L1H1", "L1H2"], pool=4, head_focus=np.array([2.0, 3.0]),
                           head_profiles=np.zeros((3, 2, 5)))
    meta = {"seed": 7, "inputs": {"p.fa": "ab"}, "model_sha256": "cd", "command": "attnbio motifs p.fa -o out",
            "metrics": {"test_auroc": 0.95, "val_auroc": float("nan"), "epochs_run": np.int64(12),
                        "start_val_auroc": [0.9, 0.91]}}
    path = tmp_path / "results.h5"
    write_results_h5(path, [_motif("attnbio_m1", 6), _motif("attnbio_m2", 8)], disc, ["s0", "s1", "s2"],
                     np.zeros(3, int), meta, ROWS)
    return path


def test_interactions_are_a_typed_table(h5_path):
    with h5py.File(h5_path) as h5:
        assert h5.attrs["format_version"] == FORMAT_VERSION == "2.0"
        table = h5["interactions/table"]
        assert list(table.dtype.names) == INTERACTION_COLUMNS + INTERACTION_EXTRA
        assert table.dtype["distance"] == np.int64 and table.dtype["n_obs"] == np.int64
        assert table.dtype["q_value"] == np.float64
        member = table.id.get_type()
        status = member.get_member_type(list(table.dtype.names).index("status"))
        assert status.get_cset() == h5py.h5t.CSET_UTF8
        assert table["distance"].tolist() == [-27, 118]
        assert math.isnan(table["effect"][1]) and table["effect"][0] == 0.73
        back = read_interactions(h5)
    assert back[0]["head"] == "L1H3,L2H1" and back[0]["shadow_of"] is None
    assert back[1]["shadow_of"] == "attnbio_m1:attnbio_m2:-27" and back[1]["n_background"] == 0.0
    assert back[0]["p_value"] == 1.5e-9


def test_metrics_are_json_and_command_is_the_one_given(h5_path):
    with h5py.File(h5_path) as h5:
        metrics = json.loads(h5.attrs["training_metrics"])
        assert h5.attrs["command"] == "attnbio motifs p.fa -o out"
    assert metrics == {"epochs_run": 12, "start_val_auroc": [0.9, 0.91], "test_auroc": 0.95, "val_auroc": None}


def test_empty_interactions_table_keeps_its_columns(tmp_path):
    disc = SimpleNamespace(head_names=["L1H1"], pool=4, head_focus=np.array([1.0]), head_profiles=np.zeros((1, 1, 2)))
    write_results_h5(tmp_path / "r.h5", [], disc, ["s0"], np.zeros(1, int), {"seed": 0}, [])
    with h5py.File(tmp_path / "r.h5") as h5:
        assert h5["interactions/table"].shape == (0,)
        assert list(h5["interactions/table"].dtype.names) == INTERACTION_COLUMNS + INTERACTION_EXTRA
        assert read_interactions(h5) == []
        assert h5.attrs["command"] == "" and h5.attrs["training_metrics"] == "{}"


def test_results_file_records_no_sys_argv(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.argv", ["attnbio", "something", "else"])
    with results_file(tmp_path / "a.h5", "x", "1", 0) as h5:
        pass
    with results_file(tmp_path / "b.h5", "x", "1", 0, command="attnbio scan in.fa -o o") as h5:
        pass
    with h5py.File(tmp_path / "a.h5") as a, h5py.File(tmp_path / "b.h5") as b:
        assert a.attrs["command"] == "" and b.attrs["command"] == "attnbio scan in.fa -o o"


def test_metrics_json_has_no_nan_tokens():
    text = metrics_json({"b": float("inf"), "a": np.float32(0.5)})
    assert text == '{"a": 0.5, "b": null}'
