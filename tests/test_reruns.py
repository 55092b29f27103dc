"""Same input, same --seed: every output file byte-identical, HDF5 included (README "Reruns").

Each main command runs twice into the same OUTDIR path (the first result moved aside in
between), without SOURCE_DATE_EPOCH: no wall-clock time may reach a file. The secondary
commands have the same check in tests/domains/test_<name>.py (test_same_seed_same_bytes).
"""
import json
import os
from pathlib import Path

import h5py
import pytest

from attnbio.cli import main

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "attnbio" / "weights" / "motifs_example.safetensors"
STRUCTURE = ROOT / "tests" / "data" / "protein" / "two_chains.pdb"


def _run(args, capsys):
    with pytest.raises(SystemExit) as e:
        main(["-q", *map(str, args)])
    err = capsys.readouterr().err
    assert e.value.code == 0, err


def _files(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


VARYING = {"timings.json"}      # documented as varying: wall-clock seconds


def _twice(tmp_path, args, capsys) -> dict:
    out = tmp_path / "out"
    _run([*args, "-o", out], capsys)
    first = _files(out)
    out.rename(tmp_path / "first")
    _run([*args, "-o", out], capsys)
    second = _files(out)
    assert sorted(first) == sorted(second)
    for name in sorted(set(first) - VARYING):
        assert first[name] == second[name], f"{name} differs between two runs with the same seed"
    return first


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    d = tmp_path_factory.mktemp("sim") / "sim"
    with pytest.raises(SystemExit):
        main(["-q", "simulate", "grammar", "-o", str(d), "--n", "60", "--length", "100", "--pairs", "1",
              "--singles", "0", "--decoys", "0", "--seed", "3"])
    return d


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def test_simulate(tmp_path, capsys):
    _twice(tmp_path, ["simulate", "grammar", "--n", "40", "--length", "100", "--pairs", "1", "--singles", "0",
                      "--decoys", "0", "--seed", "2"], capsys)


def test_motifs_trained_in_the_run(sim, tmp_path, capsys):
    files = _twice(tmp_path, ["motifs", sim / "positives.fa", "--negatives", sim / "negatives.fa", "--epochs", 1,
                              "--intervention-seqs", 100, "--threads", 1, "--seed", 1], capsys)
    assert "results.h5" in files and "report.html" in files
    card = json.loads(files["model.json"])
    assert "train_seconds" not in card.get("metrics", {})           # the time is in timings.json
    timings = json.loads(files["timings.json"])
    assert "train_seconds" in timings
    assert timings["torch_threads"] == 1                             # what a rerun must match (--threads 1)


def test_scan(sim, tmp_path, capsys):
    files = _twice(tmp_path, ["scan", sim / "positives.fa", "--model", MODEL, "--max-length", 100,
                              "--threads", 1, "--seed", 1], capsys)
    assert "scan.h5" in files


def test_merge(sim, tmp_path, capsys):
    a, b = tmp_path / "a.fa", tmp_path / "b.fa"
    records = [">" + r for r in (sim / "positives.fa").read_text().split(">")[1:]]
    a.write_text("".join(records[:10]))
    b.write_text("".join(records[10:20]))
    for fa, out in ((a, tmp_path / "sa"), (b, tmp_path / "sb")):
        _run(["scan", fa, "--model", MODEL, "--max-length", 100, "--threads", 1, "-o", out], capsys)
    (tmp_path / "m").mkdir()
    files = _twice(tmp_path / "m", ["merge", tmp_path / "sa", tmp_path / "sb"], capsys)
    assert "scan.h5" in files


def test_protein(tmp_path, capsys):
    # Heatmap PNGs: tests/protein/test_protein_command.py (matplotlib twice is slow here).
    files = _twice(tmp_path, ["protein", STRUCTURE, "--no-heatmaps", "--threads", 1, "--seed", 1], capsys)
    assert "results.h5" in files


def test_refine(tmp_path, capsys):
    files = _twice(tmp_path, ["refine", STRUCTURE, "--iterations", 5, "--threads", 1, "--seed", 1], capsys)
    assert "pair.h5" in files


def test_no_wall_clock_attribute_unless_source_date_epoch(tmp_path, capsys, monkeypatch):
    _run(["refine", STRUCTURE, "--iterations", 3, "--threads", 1, "-o", tmp_path / "a"], capsys)
    with h5py.File(tmp_path / "a" / "pair.h5") as h5:
        assert "created" not in h5.attrs
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _run(["refine", STRUCTURE, "--iterations", 3, "--threads", 1, "-o", tmp_path / "b"], capsys)
    with h5py.File(tmp_path / "b" / "pair.h5") as h5:
        assert h5.attrs["created"] == "2023-11-14T22:13:20Z"
    assert os.environ["SOURCE_DATE_EPOCH"] == "1700000000"
