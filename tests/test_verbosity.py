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
