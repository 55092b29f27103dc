"""`attnbio train motifs|protein|protein-ensemble|refine`: a tiny run of each writes weights and a
card that passes the card schema and says how to retrain it; bad options are one exit-2 line.

The protein and refine runs train on a few of the bundled proteins (the split functions are
narrowed for speed); the code path is the one `make models` runs.
"""
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from attnbio.cli import main
from attnbio.io.weights import load_weights, sha256_file


def attnbio(monkeypatch, *args) -> int:
    """Run the CLI in this process as `attnbio ARGS` (sys.argv too: the card records it)."""
    args = [str(a) for a in args]
    monkeypatch.setattr(sys, "argv", ["attnbio", *args])
    with pytest.raises(SystemExit) as e:
        main(args)
    return e.value.code


@pytest.fixture
def few_proteins(monkeypatch):
    """protein.data.split_ids narrowed to 3 training and 2 validation proteins."""
    from attnbio.protein import data

    train, val = data.split_ids()
    monkeypatch.setattr(data, "split_ids", lambda *a, **k: (train[:3], val[:2]))
    return train[:3], val[:2]


TINY_PROTEIN = ["--epochs", "1", "--no-families", "--model-set", "dim=8", "--model-set", "heads=2",
                "--model-set", "layers=1", "--threads", "1"]


def test_protein_and_ensemble_write_cards_that_load(tmp_path, monkeypatch, few_proteins):
    from attnbio.protein.model import build_model

    members = []
    for seed in (3, 4):
        path = tmp_path / f"seed{seed}.safetensors"
        assert attnbio(monkeypatch, "-q", "train", "protein", *TINY_PROTEIN, "--seed", seed, "-o", path) == 0
        tensors, card = load_weights(path, expect_kind="attnbio.protein")   # schema + sha256
        assert card["command"] == f"attnbio -q train protein {' '.join(TINY_PROTEIN)} --seed {seed} -o {path}"
        assert card["seed"] == seed and card["config"]["dim"] == 8 and card["config"]["layers"] == 1
        assert card["data"]["train_ids"] == few_proteins[0] and card["data"]["validation_ids"] == few_proteins[1]
        assert card["data"]["training"]["epochs"] == 1 and len(card["data"]["losses"]) == 1
        assert set(card["heldout_metrics"]) == {"model", "kd_sum", "random"}
        build_model(card).load_state_dict(tensors)
        members.append((path, tensors))
    assert not all(np.array_equal(members[0][1][k], members[1][1][k]) for k in members[0][1])

    out = tmp_path / "ensemble.safetensors"
    assert attnbio(monkeypatch, "-q", "train", "protein-ensemble", members[0][0], members[1][0],
                   "--contact-head", "--threads", "1", "-o", out) == 0
    tensors, card = load_weights(out, expect_kind="attnbio.protein")
    assert card["command"].startswith("attnbio -q train protein-ensemble ")
    assert [m["seed"] for m in card["members"]] == [3, 4]
    assert [m["sha256"] for m in card["members"]] == [sha256_file(p) for p, _ in members]
    assert all(m["command"].startswith("attnbio -q train protein ") for m in card["members"])
    assert isinstance(card["lens_replication"]["rows"], list) and "protocol" in card["lens_replication"]
    assert set(card["heldout_metrics"]) == {"model", "kd_sum", "random"}
    # the stacked contact head, fitted on the members' training chains, travels in the card
    assert card["contact_head"]["lambda"] > 0 and len(card["contact_head"]["pair"]) == 210
    assert build_model(card).contact_head.uses_attention
    build_model(card).load_state_dict(tensors)
    # The first member's weights are the ensemble's first slot, unchanged.
    first = {k.split(".", 2)[2]: v for k, v in tensors.items() if k.startswith("members.0.")}
    assert first and all(np.array_equal(first[k], members[0][1][k]) for k in first)


@pytest.fixture
def few_structures(tmp_path, monkeypatch):
    """structure.data.load_proteins reading 5 of the bundled structures (4 train, 1 held out)."""
    from attnbio.structure import data

    folder = tmp_path / "structures"
    folder.mkdir()
    for path in sorted(data.DATA_DIR.glob("*.pdb*"))[:5]:
        shutil.copy(path, folder)
    load = data.load_proteins
    monkeypatch.setattr(data, "load_proteins", lambda *a, **k: load(folder))
    return folder


def test_refine_trains_fine_tunes_and_repeats_bit_for_bit(tmp_path, monkeypatch, few_structures):
    from attnbio.structure.model import load_model

    tiny = ["--steps", "2", "--batch", "1", "--crop", "16", "--threads", "1", "--no-eval"]
    first, again, other = (tmp_path / f"{n}.safetensors" for n in ("first", "again", "other"))
    for path, seed in ((first, 0), (again, 0), (other, 1)):
        assert attnbio(monkeypatch, "-q", "train", "refine", *tiny, "--seed", seed, "-o", path) == 0
    assert first.read_bytes() == again.read_bytes()          # same seed, same bytes
    assert first.read_bytes() != other.read_bytes()
    tensors, card = load_weights(first, expect_kind="attnbio.refine")
    assert card["training"]["command"] == f"attnbio -q train refine {' '.join(tiny)} --seed 0 -o {first}"
    assert card["training"]["steps"] == 2 and card["training"]["init"] is None
    assert len(card["training"]["train_proteins"]) == 4 and len(card["training"]["heldout_proteins"]) == 1
    assert card["heldout_metrics"] is None
    load_model(tensors, card)

    tuned = tmp_path / "tuned.safetensors"          # stage 2 of `make models-refine` (scoring: 11 s, skipped)
    assert attnbio(monkeypatch, "-q", "train", "refine", *tiny, "--init", first, "--seed", "1", "-o", tuned) == 0
    tensors, card = load_weights(tuned, expect_kind="attnbio.refine")
    init = card["training"]["init"]
    assert init == {"file": str(first), "sha256": sha256_file(first),
                    "command": f"attnbio -q train refine {' '.join(tiny)} --seed 0 -o {first}"}
    assert tuned.read_bytes() != other.read_bytes()   # fine-tuned from `first`, not from scratch


def _fasta(path, n, rng, motif=""):
    with open(path, "w") as fh:
        for i in range(n):
            seq = "".join(rng.choice(list("ACGT"), 60))
            if motif:
                seq = seq[:20] + motif + seq[20 + len(motif):]
            fh.write(f">s{i}\n{seq}\n")
    return path


def test_motifs_writes_the_card_attnbio_motifs_writes(tmp_path, monkeypatch):
    from attnbio.motifs.model import load_model

    rng = np.random.default_rng(0)
    pos = _fasta(tmp_path / "pos.fa", 40, rng, motif="TGACTCA")
    out = tmp_path / "m.safetensors"
    assert attnbio(monkeypatch, "-q", "train", "motifs", pos, "--epochs", "1", "--seed", "3",
                   "--threads", "1", "-o", out) == 0
    model, card = load_model(out)                               # schema, sha256, shapes
    assert card["command"] == f"attnbio -q train motifs {pos} --epochs 1 --seed 3 --threads 1 -o {out}"
    assert card["seed"] == 3 and card["training"]["epochs"] == 1 and card["training"]["seed"] == 3
    assert card["data"] == {"positives": str(pos),
                            "positives_sha256": hashlib.sha256(pos.read_bytes()).hexdigest(),
                            "negatives": "dinucleotide-shuffled positives (seed 3)"}
    assert 0 <= card["metrics"]["test_auroc"] <= 1 and "train_seconds" not in card["metrics"]
    assert json.loads(out.with_suffix(".json").read_text())["weights_file"] == "m.safetensors"


@pytest.mark.parametrize("args, words", [
    (["refine", "-o", "{tmp}/w.pt"], ".safetensors"),
    (["protein", "--set", "bogus=1", "-o", "{tmp}/w.safetensors"], "--set bogus=1: unknown setting"),
    (["protein", "--model-set", "dim=eight", "-o", "{tmp}/w.safetensors"], "'eight' is not an integer"),
    (["protein-ensemble", "attnbio/weights/refine.safetensors", "-o", "{tmp}/w.safetensors"], "expected 'attnbio.protein'"),
    (["motifs", "{tmp}/missing.fa", "-o", "{tmp}/w.safetensors"], "missing.fa"),
    (["motifs", "-", "--negatives", "-", "-o", "{tmp}/w.safetensors"], "POSITIVES and --negatives both say '-'"),
])
def test_bad_options_are_one_line_and_write_nothing(tmp_path, monkeypatch, capsys, args, words):
    code = attnbio(monkeypatch, "-q", "train", *[a.format(tmp=tmp_path) for a in args])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and words in lines[0], lines
    assert not list(tmp_path.iterdir())


def _train_params(cmdline: str) -> tuple[str, dict]:
    """(subcommand, its parsed options) of an `attnbio train ...` command line."""
    import shlex

    from attnbio.commands.train import command as train

    words = shlex.split(cmdline)
    assert words[:2] == ["attnbio", "train"], cmdline
    return words[2], train.commands[words[2]].make_context(words[2], words[3:]).params


ROOT = Path(__file__).resolve().parents[2]


def _make_models_lines() -> str:
    """What `make models` would run (make -n), one line per command."""
    import re
    import subprocess

    out = subprocess.run(["make", "-n", "-s", "models"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s*\\\n\s*", " ", out).replace(".venv/bin/attnbio ", "attnbio ")


def test_bundled_cards_record_the_commands_make_models_runs():
    """Each bundled card's command (members' and the refiner's first stage included) is what
    `make models` runs, and its options are the settings the card says the weights were made with."""
    from attnbio.protein.model import DEFAULT_CONFIG
    from attnbio.protein.train import DEFAULT_TRAINING
    from attnbio.training import parse_settings

    make = _make_models_lines()
    _, motifs = load_weights(ROOT / "attnbio/weights/motifs_example.safetensors", expect_kind="attnbio.motifs")
    kind, p = _train_params(motifs["command"])
    assert kind == "motifs" and motifs["command"] in make
    assert (p["positives"], p["negatives"]) == (motifs["data"]["positives"], motifs["data"]["negatives"])
    assert p["seed"] == motifs["seed"] == motifs["training"]["seed"] and p["epochs"] == motifs["training"]["epochs"]
    assert p["max_length"] == motifs["training"]["max_length"] and p["restarts"] == motifs["training"].get("restarts", 1)
    assert p["out"] == "attnbio/weights/motifs_example.safetensors"

    _, protein = load_weights(ROOT / "attnbio/weights/protein.safetensors", expect_kind="attnbio.protein")
    kind, p = _train_params(protein["command"])
    assert kind == "protein-ensemble" and protein["command"] in make and p["out"] == "attnbio/weights/protein.safetensors"
    assert len(p["members"]) == len(protein["members"]) == 3
    for path, member in zip(p["members"], protein["members"]):
        kind, q = _train_params(member["command"])
        assert kind == "protein" and q["out"] == path and q["seed"] == member["seed"]
        assert "attnbio train protein --seed $s --threads 1 -o build/protein/seed$s.safetensors" in make
        assert str(member["seed"]) in make.split("for s in ")[1].split(";")[0].split()
        training = dict(DEFAULT_TRAINING, epochs=q["epochs"], **parse_settings(q["sets"], DEFAULT_TRAINING, "--set"))
        assert training == protein["data"]["training"]
        assert dict(DEFAULT_CONFIG, **parse_settings(q["model_sets"], DEFAULT_CONFIG, "--model-set")) == member["config"]
        assert not q["dev"] and not q["no_families"] and protein["data"]["family_ids"]

    _, refine = load_weights(ROOT / "attnbio/weights/refine.safetensors", expect_kind="attnbio.refine")
    t = refine["training"]
    for cmd, settings, evaluated in ((t["command"], t, True), (t["init"]["command"], None, False)):
        kind, p = _train_params(cmd)
        assert kind == "refine" and cmd in make and p["no_eval"] is not evaluated
        if settings:
            assert {k: p[k] for k in ("steps", "batch", "crop", "lr", "seed", "tri_weight", "tri_slack")} == \
                {k: settings[k] for k in ("steps", "batch", "crop", "lr", "seed", "tri_weight", "tri_slack")}
            assert p["init"] == t["init"]["file"] and p["out"] == "attnbio/weights/refine.safetensors"
        else:
            assert p["out"] == t["init"]["file"] and p["init"] is None


@pytest.mark.parametrize("module, kind", [("attnbio.protein.train", "protein"),
                                          ("attnbio.protein.ensemble", "protein-ensemble"),
                                          ("attnbio.structure.train", "refine")])
def test_old_training_entry_points_say_where_they_went(module, kind):
    r = subprocess.run([sys.executable, "-m", module], capture_output=True, text=True)
    assert r.returncode == 1 and r.stderr.strip() == f"python -m {module} is gone: use `attnbio train {kind} --help`"
