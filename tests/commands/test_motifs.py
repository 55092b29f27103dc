"""`attnbio motifs` end to end on a small simulation: contract files, determinism, --model reuse."""
import json

import h5py
import pytest
from click.testing import CliRunner

from attnbio.cli import cli
from attnbio.io.motif_formats import read_homer, read_meme
from attnbio.io.tables import read_tsv
from attnbio.motifs.outputs import INTERACTION_COLUMNS, MOTIF_COLUMNS, SITE_COLUMNS

FILES = ["motifs.meme", "motifs.tsv", "sites.tsv", "interactions.tsv", "results.h5",
         "model.safetensors", "model.json"]


def header(path):
    with open(path) as fh:
        return fh.readline().rstrip("\n").split("\t")


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    d = tmp_path_factory.mktemp("sim")
    r = invoke("simulate", "grammar", "--n", 600, "--seed", 3, "-o", d / "g")
    assert r.exit_code == 0, r.output
    return d / "g"


@pytest.fixture(scope="module")
def first_run(sim, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "a"
    r = invoke("motifs", sim / "positives.fa", "--negatives", sim / "negatives.fa", "--epochs", 2,
               "--seed", 5, "--threads", 1, "-o", out)
    assert r.exit_code == 0, r.output
    return out


def test_outputs_follow_the_contract(first_run):
    for name in FILES:
        assert (first_run / name).is_file(), name
    assert header(first_run / "motifs.tsv")[:len(MOTIF_COLUMNS)] == MOTIF_COLUMNS
    assert header(first_run / "sites.tsv") == SITE_COLUMNS
    assert header(first_run / "interactions.tsv")[:len(INTERACTION_COLUMNS)] == INTERACTION_COLUMNS
    rows = read_tsv(first_run / "motifs.tsv")
    meme_ids = [m.id for m in read_meme(first_run / "motifs.meme")] if rows else []
    assert meme_ids == [r["motif_id"] for r in rows]
    if rows:
        assert [m.id for m, _ in read_homer(first_run / "motifs.homer")] == meme_ids
    assert sorted(p.name for p in (first_run / "logos").iterdir()) == sorted(
        f"{i}.{ext}" for i in meme_ids for ext in ("png", "svg"))
    assert all(r["motif_id"].startswith("attnbio_m") for r in rows)
    card = json.loads((first_run / "model.json").read_text())
    assert card["seed"] == 5 and 0.0 <= card["metrics"]["test_auroc"] <= 1.0
    with h5py.File(first_run / "results.h5") as h5:
        assert h5.attrs["format"] == "attnbio.motifs" and h5.attrs["seed"] == 5
        assert "motifs" in h5 and "heads" in h5


def test_same_seed_gives_identical_files(sim, first_run, tmp_path):
    out = tmp_path / "b"
    r = invoke("motifs", sim / "positives.fa", "--negatives", sim / "negatives.fa", "--epochs", 2,
               "--seed", 5, "--threads", 1, "-o", out)
    assert r.exit_code == 0, r.output
    logos = sorted(f"logos/{p.name}" for p in (first_run / "logos").iterdir())
    for name in ["motifs.meme", "motifs.tsv", "sites.tsv", "model.safetensors", "motifs.jaspar",
                 "motifs.homer"] + logos:
        assert (out / name).read_bytes() == (first_run / name).read_bytes(), name


def test_reusing_the_model_skips_training_and_gives_the_same_motifs(sim, first_run, tmp_path):
    out = tmp_path / "c"
    r = invoke("motifs", sim / "positives.fa", "--negatives", sim / "negatives.fa", "--seed", 5,
               "--model", first_run / "model.safetensors", "--threads", 1, "-o", out)
    assert r.exit_code == 0, r.output
    assert (out / "motifs.meme").read_bytes() == (first_run / "motifs.meme").read_bytes()
    assert (out / "model.safetensors").read_bytes() == (first_run / "model.safetensors").read_bytes()


def test_without_negatives_trains_against_shuffled_controls(sim, tmp_path):
    out = tmp_path / "d"
    r = invoke("motifs", sim / "positives.fa", "--epochs", 1, "--threads", 1, "-o", out)
    assert r.exit_code == 0, r.output
    card = json.loads((out / "model.json").read_text())
    assert "shuffled" in card["data"]["negatives"]


@pytest.mark.parametrize("make_bad, message", [
    (lambda d: d.joinpath("m.safetensors").write_bytes(b"not a safetensors file"), "m.safetensors"),
])
def test_bad_model_file_is_a_one_line_error(sim, tmp_path, make_bad, message):
    make_bad(tmp_path)
    import subprocess
    import sys
    out = tmp_path / "o"
    p = subprocess.run([sys.executable, "-m", "attnbio.cli", "motifs", str(sim / "positives.fa"),
                        "--model", str(tmp_path / "m.safetensors"), "-o", str(out)],
                       capture_output=True, text=True)
    assert p.returncode == 2, p.stderr
    assert message in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_only_significant_motifs_are_reported_and_all_are_kept(first_run):
    every = read_tsv(first_run / "motifs_all.tsv")
    rows = read_tsv(first_run / "motifs.tsv")
    significant = [r["motif_id"] for r in every if float(r["q_value"]) < 0.05 and float(r["log2_enrichment"]) > 0]
    assert [r["motif_id"] for r in rows] == significant
    assert [m.id for m in read_meme(first_run / "motifs.meme")] == significant if rows else True
    assert "match_alternatives" in header(first_run / "motifs.tsv")
    for r in every:                          # a name only at Tomtom q < 0.05
        assert (r["match_name"] != "") == (r["match_q"] != "" and float(r["match_q"]) < 0.05), r


def test_a_match_above_q_005_is_no_name_and_alternatives_carry_their_q():
    from attnbio.motifs.outputs import _motif_row
    from tests.motifs.helpers_grammar import A_SITE, found_motifs, pair_sequences

    m = found_motifs(pair_sequences(20, 120, 24, seed=0), sites=(A_SITE,))[0]
    alts = [{"id": "MA2.1", "name": "TFB", "q": 0.0123}, {"id": "MA3.1", "name": "TFC", "q": 0.5}]
    m.match = {"id": "MA1.1", "name": "TFA", "q": 0.2, "alternatives": alts}
    row = _motif_row(m)
    assert row["match_name"] is None and row["match_id"] is None and row["match_q"] == 0.2
    assert row["match_alternatives"] == "TFB MA2.1 q=0.0123; TFC MA3.1 q=0.5"
    m.match["q"] = 0.01
    assert _motif_row(m)["match_name"] == "TFA"


@pytest.mark.parametrize("flag, expected", [([], 0.8), (["--keep-variants"], None)])
def test_keep_variants_switches_the_variant_merge_off(sim, tmp_path, monkeypatch, flag, expected):
    import attnbio.motifs.pipeline as pipeline
    from attnbio.errors import InputError

    seen = {}

    def stop(req, **kwargs):
        seen["variant"] = req.discover.variant_similarity
        raise InputError("stopped by the test")

    monkeypatch.setattr(pipeline, "run", stop)
    r = CliRunner().invoke(cli, ["motifs", str(sim / "positives.fa"), *flag, "-o", str(tmp_path / "o")])
    assert isinstance(r.exception, InputError) and seen == {"variant": expected}
