"""-q hides progress and info but keeps warnings; tracebacks only at -vv (as --help says)."""
import gzip
from pathlib import Path

import pytest

from attnbio.cli import main

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "attnbio" / "weights" / "motifs_example.safetensors"


def test_quiet_keeps_the_warnings(tmp_path, capsys):
    fa = tmp_path / "x.fa"
    fa.write_text("\n".join(gzip.open(ROOT / "data" / "examples" / "positives.fa.gz", "rt").read().splitlines()[:8]) + "\n")
    with pytest.raises(SystemExit) as e:
        main(["-q", "scan", str(fa), "--model", str(MODEL), "--max-length", "100", "--threads", "1",
              "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert e.value.code == 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("attnbio: warning: ")
    assert "sequences longer than 100 bp were scanned in their central 100 bp" in lines[0]


@pytest.mark.parametrize("flags,traceback", [([], False), (["-v"], False), (["--verbose"], False),
                                             (["-vv"], True), (["-v", "-v"], True)])
def test_tracebacks_only_at_vv(flags, traceback, tmp_path, capsys, monkeypatch):
    import attnbio.runtime

    def boom(threads):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(attnbio.runtime, "set_threads", boom)
    args = [*flags, "refine", str(ROOT / "tests" / "data" / "protein" / "two_chains.pdb"), "-o", str(tmp_path / "o")]
    if traceback:
        with pytest.raises(RuntimeError):
            main(args)
        return
    with pytest.raises(SystemExit) as e:
        main(args)
    lines = capsys.readouterr().err.strip().splitlines()
    assert e.value.code == 1
    assert lines == ["attnbio: internal error: RuntimeError: boom (run with -vv for a traceback)"]


@pytest.mark.parametrize("where", ["after", "nested"])
def test_quiet_and_verbose_after_the_subcommand(where, tmp_path, capsys):
    """`attnbio scan ... -q` works like `attnbio -q scan ...`; so does -vv (debug lines)."""
    fa = tmp_path / "x.fa"
    fa.write_text("\n".join(gzip.open(ROOT / "data" / "examples" / "positives.fa.gz", "rt").read().splitlines()[:8]) + "\n")
    if where == "nested":       # a sub-group's command: attnbio simulate grammar ... -q
        with pytest.raises(SystemExit) as e:
            main(["simulate", "grammar", "--n", "20", "--length", "80", "-o", str(tmp_path / "sim"), "-q"])
        assert e.value.code == 0
        assert capsys.readouterr().err == ""           # the "planted ..." info line is hidden
        return
    scan = ["scan", str(fa), "--model", str(MODEL), "--max-length", "100", "--threads", "1"]
    with pytest.raises(SystemExit) as e:
        main([*scan, "-o", str(tmp_path / "q"), "-q"])
    lines = capsys.readouterr().err.strip().splitlines()
    assert e.value.code == 0
    assert len(lines) == 1 and lines[0].startswith("attnbio: warning: "), lines
    with pytest.raises(SystemExit) as e:
        main([*scan, "-o", str(tmp_path / "v"), "-vv"])
    err = capsys.readouterr().err
    assert e.value.code == 0 and "attnbio: threads=1 seed=0 device=cpu" in err   # a DEBUG line
