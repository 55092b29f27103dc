"""A full disk: every command on a 200 KiB tmpfs exits 1 or 2 with one line, never a signal,
and leaves nothing that looks complete (issue 16). Needs root and mount(8); skipped otherwise.

The main commands run by default; the seven secondary ones (same mechanism, slower to start
their work) are marked slow and run by `make bench` or `pytest -m slow`.
"""
import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent / "attnbio"
MODEL = ROOT / "attnbio" / "weights" / "motifs_example.safetensors"
PDB = ROOT / "tests" / "data" / "protein" / "two_chains.pdb"
BIG_PDB = ROOT / "tests" / "data" / "refine" / "3a4rA.pdb.gz"


@pytest.fixture
def tiny_fs(tmp_path):
    """A 200 KiB tmpfs mounted at tmp_path/fs (unmounted afterwards)."""
    fs = tmp_path / "fs"
    fs.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount(8) here")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(fs)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a 200 KiB tmpfs ({r.stderr.strip() or 'not root'})")
    try:
        yield fs
    finally:
        subprocess.run(["umount", "-l", str(fs)], capture_output=True)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("inputs")
    lines = gzip.open(ROOT / "data" / "examples" / "positives.fa.gz", "rt").read().splitlines()[:12]
    fa = d / "x.fa"
    fa.write_text("\n".join(lines) + "\n")
    shard = d / "shard"
    r = subprocess.run([str(BIN), "-q", "scan", str(fa), "--model", str(MODEL), "--max-length", "200",
                        "--threads", "1", "-o", str(shard)], capture_output=True, text=True, env=_env())
    assert r.returncode == 0, r.stderr
    return {"fa": fa, "shard": shard}


def _env():
    return dict(os.environ, OMP_NUM_THREADS="1")


MAIN = {
    "motifs": lambda i: ["motifs", i["fa"], "--model", MODEL, "--intervention-seqs", 100],
    "simulate": lambda i: ["simulate", "grammar", "--n", 40, "--length", 100, "--pairs", 1, "--singles", 0,
                           "--decoys", 0],
    "scan": lambda i: ["scan", i["fa"], "--model", MODEL, "--max-length", 200],
    "merge": lambda i: ["merge", i["shard"]],
    "protein": lambda i: ["protein", PDB],
    "refine": lambda i: ["refine", BIG_PDB, "--iterations", 3],
}
SECONDARY = {
    "oddoneout": ["oddoneout", "--scenes", 50, "--noise", "0,0.5"],
    "gan": ["gan", "--steps", 10, "--seeds", 1, "--samples", 20, "--batch", 8],
    "fusion": ["fusion", "--steps", 100, "--n-tau", 3],
    "forecast": ["forecast", "--dataset", "co2"],
    "pde": ["pde", "--cells", 16, "--steps", 20, "--ratios", "0.1,0.2"],
    "rl": ["rl", "--seeds", 1, "--steps", 100],
    "causal": ["causal", "--sites", 7, "--n-obs", 300, "--n-int", 300, "--epochs", 3],
}
THREADS = {"motifs", "scan", "protein", "refine", "causal", "gan", "pde"}


def _fill(fs: Path) -> None:
    """Leave no free byte on the tmpfs."""
    fd = os.open(fs / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)


def _check(fs: Path, name: str, args: list, full: bool):
    out = fs / "out"
    cmd = [str(BIN), "-q", *map(str, args), "-o", str(out)]
    if name in THREADS:
        cmd += ["--threads", "1"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=600)
    lines = r.stderr.strip().splitlines()
    assert r.returncode >= 0, f"{name} died with signal {-r.returncode}: {lines[-3:]}"
    hidden = [p.name for p in fs.iterdir() if p.name.startswith(".out")]
    if r.returncode == 0:            # the result fitted: it must then be complete
        assert not full and out.is_dir() and (out / ".attnbio-output").exists()
        return
    assert r.returncode in (1, 2), (r.returncode, lines)
    # One error line, the last; any line before it is one of the command's warnings (-q keeps them).
    errors = [line for line in lines if "error" in line.split(":", 2)[1]] if lines else []
    assert len(errors) == 1 and errors[0] == lines[-1], lines
    assert all(line.startswith("attnbio: ") for line in lines) and "Traceback" not in r.stderr, lines
    assert "No space left on device" in lines[-1], lines
    assert not out.exists() and not hidden, (out.exists(), hidden)


@pytest.mark.parametrize("full", [True, False], ids=["full", "200k"])
@pytest.mark.parametrize("name", sorted(MAIN))
def test_main_commands_on_a_tiny_filesystem(name, full, tiny_fs, inputs):
    if not full and name in ("simulate", "merge", "motifs"):
        pytest.skip("outputs that fit in 200 KiB, or (motifs) the HDF5 mid-write case protein and refine cover")
    if full:
        _fill(tiny_fs)
    _check(tiny_fs, name, MAIN[name](inputs), full)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SECONDARY))
def test_secondary_commands_on_a_full_filesystem(name, tiny_fs):
    _fill(tiny_fs)
    _check(tiny_fs, name, SECONDARY[name], True)
