import gzip
import io
import subprocess
import sys
import time
from pathlib import Path

import pytest

from attnbio.cli import MAIN_COMMANDS, SECONDARY_COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "attnbio" / "weights" / "motifs_example.safetensors"


def run(*args):
    return subprocess.run([sys.executable, "-m", "attnbio.cli", *args], capture_output=True, text=True)


def test_help_lists_both_sections_and_is_fast():
    t0 = time.perf_counter()
    r = run("--help")
    assert r.returncode == 0
    assert "Main commands" in r.stdout and "Secondary commands" in r.stdout
    for name in list(MAIN_COMMANDS) + list(SECONDARY_COMMANDS):
        assert name in r.stdout
    # --help must not import torch: check in-process rather than by wall time.
    code = "import sys; from attnbio.cli import cli; import click; " \
           "from click.testing import CliRunner; CliRunner().invoke(cli, ['--help']); " \
           "print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
    assert out == "False"
    assert time.perf_counter() - t0 < 60


def test_version():
    r = run("--version")
    assert r.returncode == 0 and "attnbio, version" in r.stdout


def test_unknown_command_is_usage_error():
    r = run("no-such-command")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr


def test_option_errors_are_one_line_with_exit_2():
    for args in (["motifs", "x.fa", "-o", "out", "--threads", "0"], ["motifs"], ["nosuch"],
                 ["motifs", "x.fa", "-o", "out", "--device", "tpu"]):
        p = run(*args)
        lines = p.stderr.strip().splitlines()
        assert p.returncode == 2 and len(lines) == 1 and lines[0].startswith("attnbio: error:"), (args, p.stderr)


# '-' reads stdin wherever a command reads a file that a pipe can carry.
def _main(args, monkeypatch, capsys, stdin: bytes = b""):
    """attnbio in this process with `stdin` as standard input -> (exit status, stderr)."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    capsys.readouterr()
    with pytest.raises(SystemExit) as e:
        main(args)
    return e.value.code, capsys.readouterr().err


def test_dash_reads_stdin_for_configs_series_and_motif_files(tmp_path, monkeypatch, capsys):
    cfg = tmp_path / "knobs.json"
    cfg.write_text('{"n_sequences": 20, "length": 80, "seed": 3}')
    grammar = ["simulate", "grammar"]
    assert _main([*grammar, "--config", str(cfg), "-o", str(tmp_path / "a")], monkeypatch, capsys)[0] == 0
    code, err = _main([*grammar, "--config", "-", "-o", str(tmp_path / "b")], monkeypatch, capsys, cfg.read_bytes())
    assert code == 0, err
    assert (tmp_path / "a" / "positives.fa").read_bytes() == (tmp_path / "b" / "positives.fa").read_bytes()

    series = tmp_path / "s.csv"
    series.write_text("y\n" + "\n".join(f"{10 + (i % 12) * 0.1 + 0.01 * i:.3f}" for i in range(120)) + "\n")
    forecast = ["forecast", "--column", "y", "--period", "12"]
    assert _main([*forecast, str(series), "-o", str(tmp_path / "f1")], monkeypatch, capsys)[0] == 0
    code, err = _main([*forecast, "-", "-o", str(tmp_path / "f2")], monkeypatch, capsys, series.read_bytes())
    assert code == 0, err
    assert (tmp_path / "f1" / "forecast.tsv").read_bytes() == (tmp_path / "f2" / "forecast.tsv").read_bytes()

    fa = tmp_path / "x.fa"
    fa.write_text("\n".join(gzip.open(ROOT / "data" / "examples" / "positives.fa.gz", "rt").read().splitlines()[:8]) + "\n")
    meme = ROOT / "data" / "examples" / "truth.meme"
    scan = ["scan", str(fa), "--model", str(MODEL), "--max-length", "100", "--threads", "1"]
    assert _main([*scan, "--motifs", str(meme), "-o", str(tmp_path / "s1")], monkeypatch, capsys)[0] == 0
    code, err = _main([*scan, "--motifs", "-", "-o", str(tmp_path / "s2")], monkeypatch, capsys, meme.read_bytes())
    assert code == 0, err
    sites = (tmp_path / "s1" / "sites.tsv").read_bytes()
    assert sites.count(b"\n") > 1 and sites == (tmp_path / "s2" / "sites.tsv").read_bytes()


def test_dash_mistakes_are_one_line_with_exit_2(tmp_path, monkeypatch, capsys):
    fa = ROOT / "data" / "examples" / "positives.fa.gz"
    code, err = _main(["scan", "-", "--model", str(MODEL), "--motifs", "-", "-o", str(tmp_path / "o")],
                      monkeypatch, capsys, fa.read_bytes())
    assert (code, err) == (2, "attnbio: error: FASTA and --motifs both say '-': stdin can feed one input only\n")
    code, err = _main(["motifs", "-", "--negatives", "-", "-o", str(tmp_path / "m")], monkeypatch, capsys)
    assert (code, err) == (2, "attnbio: error: POSITIVES and --negatives both say '-': stdin can feed one "
                              "input only\n")
    # A model is a file with its card beside it: '-' is refused in one line (was an internal error).
    code, err = _main(["scan", str(fa), "--model", "-", "-o", str(tmp_path / "o")], monkeypatch, capsys)
    assert code == 2 and err.startswith("attnbio: error: -: a model is read from its file") and err.count("\n") == 1
    # A genome is read at random through its .fai index: '-' is refused in one line.
    bed = tmp_path / "p.bed"
    bed.write_text("chr1\t10\t50\n")
    code, err = _main(["scan", str(bed), "--genome", "-", "--model", str(MODEL), "-o", str(tmp_path / "g")],
                      monkeypatch, capsys)
    assert (code, err) == (2, "attnbio: error: -: a genome is read at random through its .fai index, so from "
                              "a file, not from stdin\n")
