"""Inputs are read once and hashed while parsed: stdin, '-', FIFOs and <(...) give the same
outputs and the same input SHA-256 as the file itself."""
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import h5py
import pytest

from attnbio.cli import main

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "attnbio" / "weights" / "motifs_example.safetensors"
STRUCTURE = ROOT / "tests" / "data" / "protein" / "two_chains.pdb"
BIN = Path(sys.executable).parent


@pytest.fixture
def fasta(tmp_path):
    """Six 200-bp records of the bundled example data (what the example model was trained on)."""
    lines = gzip.open(ROOT / "data" / "examples" / "positives.fa.gz", "rt").read().splitlines()
    path = tmp_path / "x.fa"
    path.write_text("\n".join(lines[:12]) + "\n")
    return path


def _run(args, capsys):
    with pytest.raises(SystemExit) as e:
        main([str(a) for a in args])
    err = capsys.readouterr().err
    assert e.value.code == 0, err
    return err


def _h5_inputs(path):
    with h5py.File(path, "r") as h5:
        return json.loads(h5.attrs["input_sha256"])


def _fifo_from(tmp_path, src: Path, name="fifo.fa"):
    """A named pipe that a thread fills with `src` (like <(cat src)): it can be read once only."""
    fifo = tmp_path / name
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as fh:
            fh.write(src.read_bytes())

    t = threading.Thread(target=feed, daemon=True)
    t.start()
    return fifo, t


def _same_tree(a: Path, b: Path, skip=()):
    names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for n in names:
        if n.name not in skip:
            assert (a / n).read_bytes() == (b / n).read_bytes(), n


def test_scan_of_a_pipe_equals_scan_of_the_file(fasta, tmp_path, capsys):
    digest = hashlib.sha256(fasta.read_bytes()).hexdigest()
    base = ["-q", "scan", "--model", MODEL, "--max-length", 200, "--threads", 1]
    _run(base + [fasta, "-o", tmp_path / "file"], capsys)
    fifo, t = _fifo_from(tmp_path, fasta)
    _run(base + [fifo, "-o", tmp_path / "fifo"], capsys)
    t.join(5)
    _same_tree(tmp_path / "file", tmp_path / "fifo", skip={"scan.h5"})
    assert list(_h5_inputs(tmp_path / "file" / "scan.h5").values()) == [digest]
    assert list(_h5_inputs(tmp_path / "fifo" / "scan.h5").values()) == [digest]
    # The literal shell form, `attnbio scan <(cat x.fa)`, in a real process.
    if shutil.which("bash"):
        out = tmp_path / "procsub"
        cmd = f'"{BIN}/attnbio" -q scan <(cat "{fasta}") --model "{MODEL}" --max-length 200 --threads 1 -o "{out}"'
        r = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True,
                           env=dict(os.environ, OMP_NUM_THREADS="1"))
        assert r.returncode == 0, r.stderr
        assert (out / "scores.tsv").read_bytes() == (tmp_path / "file" / "scores.tsv").read_bytes()
        assert list(_h5_inputs(out / "scan.h5").values()) == [digest]


def test_motifs_from_stdin_equals_motifs_from_the_file(fasta, tmp_path, capsys, monkeypatch):
    digest = hashlib.sha256(fasta.read_bytes()).hexdigest()
    base = ["-q", "motifs", "--model", MODEL, "--intervention-seqs", 100, "--threads", 1]
    _run(base + [fasta, "-o", tmp_path / "file"], capsys)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(fasta.read_bytes())))
    _run(base + ["-", "-o", tmp_path / "stdin"], capsys)
    # results.h5 and report.html name the input ('-' vs the path); all else is the same bytes.
    _same_tree(tmp_path / "file", tmp_path / "stdin", skip={"results.h5", "report.html"})
    assert _h5_inputs(tmp_path / "file" / "results.h5") == {str(fasta): digest}
    assert _h5_inputs(tmp_path / "stdin" / "results.h5") == {"-": digest}
    assert digest in (tmp_path / "stdin" / "report.html").read_text()


def test_protein_and_refine_read_a_pipe_once(tmp_path, capsys, monkeypatch):
    digest = hashlib.sha256(STRUCTURE.read_bytes()).hexdigest()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(STRUCTURE.read_bytes())))
    _run(["-q", "protein", "-", "--no-heatmaps", "--threads", 1, "-o", tmp_path / "prot"], capsys)
    assert _h5_inputs(tmp_path / "prot" / "results.h5") == {"-": digest}
    fifo, t = _fifo_from(tmp_path, STRUCTURE, "fifo.pdb")
    _run(["-q", "refine", fifo, "--iterations", 3, "--threads", 1, "-o", tmp_path / "ref"], capsys)
    t.join(5)
    assert _h5_inputs(tmp_path / "ref" / "pair.h5") == {str(fifo): digest}


@pytest.mark.parametrize("command", ["scan", "motifs", "protein", "refine"])
@pytest.mark.parametrize("case", ["missing", "folder", "loop", "unreadable"])
def test_bad_paths_are_one_exit_2_line(tmp_path, capsys, command, case):
    path = tmp_path / "in.fa"
    if case == "folder":
        path.mkdir()
    elif case == "loop":
        os.symlink(tmp_path / "b", tmp_path / "a")
        os.symlink(tmp_path / "a", tmp_path / "b")
        path = tmp_path / "a"
    elif case == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("root reads every file")
        path.write_text(">a\nACGT\n")
        path.chmod(0)
    args = {"scan": ["scan", "--model", MODEL, path], "motifs": ["motifs", "--model", MODEL, path],
            "protein": ["protein", path], "refine": ["refine", path]}[command]
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as e:
        main([str(a) for a in ["-q", *args, "-o", out]])
    lines = capsys.readouterr().err.strip().splitlines()
    assert e.value.code == 2 and len(lines) == 1, lines
    assert str(path) in lines[0] and "Traceback" not in lines[0]
    assert not out.exists()


def test_scan_motifs_from_a_pipe_equals_the_file(fasta, tmp_path, capsys):
    """--motifs is read once too: a FIFO gives the same sites and the same motifs_sha256."""
    meme = ROOT / "data" / "examples" / "truth.meme"
    base = ["-q", "scan", "--model", MODEL, "--max-length", 200, "--threads", 1, fasta]
    _run(base + ["--motifs", meme, "-o", tmp_path / "file"], capsys)
    fifo, t = _fifo_from(tmp_path, meme, name="motifs.meme")
    _run(base + ["--motifs", fifo, "-o", tmp_path / "fifo"], capsys)
    t.join(5)
    _same_tree(tmp_path / "file", tmp_path / "fifo", skip={"scan.h5"})
    assert (tmp_path / "fifo" / "sites.tsv").read_text().count("\n") > 1
    digest = hashlib.sha256(meme.read_bytes()).hexdigest()
    for name in ("file", "fifo"):
        with h5py.File(tmp_path / name / "scan.h5", "r") as h5:
            assert h5.attrs["motifs_sha256"] == digest
