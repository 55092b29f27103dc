"""Progress: a tqdm bar with an ETA on a terminal, one log line per stage start and end otherwise."""
import gzip
import io
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from attnbio.commands import common

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "attnbio" / "weights" / "motifs_example.safetensors"
ETA = re.compile(r"\d\d:\d\d<\d\d:\d\d")          # tqdm's elapsed<remaining


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_bar_with_eta_on_a_terminal(monkeypatch, caplog):
    term = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", term)
    caplog.set_level(logging.INFO, logger="attnbio")       # restored after the test
    assert common.progress_enabled()
    with common.make_progress(mininterval=0) as progress:
        for epoch in range(1, 6):
            time.sleep(0.01)
            progress("training", epoch, 40)   # early stop at 5 of 40: the stage ends at close()
    out = term.getvalue()
    assert "training" in out and "5/40" in out
    # After the first steps the bar knows a rate: the remaining time is a number, not "?".
    assert ETA.search(out), out
    assert not re.search(r"<\?", out.split("\r")[-1])


def test_batch_logs_one_line_at_start_and_one_at_end_per_stage(monkeypatch, caplog):
    monkeypatch.setattr(common, "progress_enabled", lambda: False)
    with caplog.at_level(logging.INFO, logger="attnbio"):
        with common.make_progress() as progress:
            for epoch in range(1, 13):
                progress("training", epoch, 40)
            for i in range(1, 4):
                progress("discovery", i, 3)
            for n in range(1, 501):
                progress("scan", n, 0)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 6, lines
    assert lines[0] == "training: started"
    assert re.fullmatch(r"training: 12/40 done in \d+\.\d s", lines[1])
    assert lines[2] == "discovery: started"
    assert re.fullmatch(r"discovery: 3/3 done in \d+\.\d s", lines[3])
    assert lines[4] == "scan: started"
    assert re.fullmatch(r"scan: 500 done in \d+\.\d s", lines[5])


def test_a_failed_stage_logs_no_done_line(monkeypatch, caplog):
    monkeypatch.setattr(common, "progress_enabled", lambda: False)
    with caplog.at_level(logging.INFO, logger="attnbio"), pytest.raises(ValueError):
        with common.make_progress() as progress:
            progress("scan", 1, 0)
            raise ValueError("bad record")
    assert [r.getMessage() for r in caplog.records] == ["scan: started"]


def test_train_model_reports_each_epoch_and_logs_epochs_at_debug(caplog):
    import torch

    from attnbio.motifs.model import ModelConfig
    from attnbio.motifs.train import TrainConfig, train_model

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), 40)) for _ in range(60)]
    calls, lines = [], []
    small = ModelConfig(d_model=8, n_heads=2, n_layers=1)
    train_model(seqs[:30], seqs[30:], TrainConfig(epochs=3, patience=10, seed=1), small, log=lines.append,
                progress=lambda *a: calls.append(a))
    assert calls == [("training", 1, 3), ("training", 2, 3), ("training", 3, 3)]
    assert len(lines) == 3 and all(line.startswith("debug: epoch ") for line in lines)
    with caplog.at_level(logging.DEBUG, logger="attnbio"):
        common.report(lines[0])  # the command's log callback: DEBUG, so a default run shows stage lines only
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [(logging.DEBUG, lines[0][len("debug: "):])]


def _run_on_a_pty(args, cwd):
    """Run attnbio with stderr on a pseudo-terminal (as in an interactive shell); its output."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))   # 100 columns
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "attnbio.cli", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:                  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pseudo-terminals as on Linux")
def test_scan_draws_a_bar_on_a_terminal_and_logs_two_lines_in_batch(tmp_path, capsys):
    from attnbio.cli import main

    lines = gzip.open(ROOT / "data" / "examples" / "positives.fa.gz", "rt").read().splitlines()[:60]
    fa = tmp_path / "x.fa"
    fa.write_text("\n".join(lines) + "\n")
    args = ["scan", str(fa), "--model", str(MODEL), "--max-length", "100", "--threads", "1"]
    out = _run_on_a_pty([*args, "-o", str(tmp_path / "tty")], tmp_path)
    # A FASTA file is streamed once: the bar's total is estimated from the bytes read, so it has an ETA.
    assert re.search(r"scan: 100%.*15/15 \[\d\d:\d\d<\d\d:\d\d", out), out
    assert "\r" in out                                        # redrawn in place
    with pytest.raises(SystemExit) as e:                      # here stderr is captured: batch mode
        main([*args, "-o", str(tmp_path / "batch")])
    err = capsys.readouterr().err
    assert e.value.code == 0, err
    stage = [ln for ln in err.splitlines() if ln.startswith("attnbio: scan: ")]
    assert len(stage) == 2 and stage[0] == "attnbio: scan: started", err
    assert re.fullmatch(r"attnbio: scan: 15/15 done in \d+\.\d s", stage[1])


def test_secondary_domains_get_a_bar_with_eta_on_a_terminal(tmp_path, monkeypatch, caplog):
    from attnbio.commands.common import run_domain
    from attnbio.domains import fusion

    term = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", term)
    caplog.set_level(logging.INFO, logger="attnbio")
    run_domain(fusion, fusion.FusionRequest(steps=200, n_tau=3), tmp_path / "f")
    out = term.getvalue()
    assert re.search(r"fusion: 100%.*1/1", out), out          # attnbio.domains.tick(progress, 1, 1)
    assert ETA.search(out), out


def test_scan_total_is_estimated_from_the_bytes_read_and_ends_exact(tmp_path):
    from attnbio.scan.pipeline import ScanRequest, run_scan

    lines = gzip.open(ROOT / "data" / "examples" / "positives.fa.gz", "rt").read().splitlines()[:1200]
    fa = tmp_path / "x.fa"
    fa.write_text("\n".join(lines) + "\n")                 # 300 records, ~330 kB: several reads
    calls = []
    run_scan(ScanRequest(str(fa), tmp_path, str(MODEL)), progress=lambda *a: calls.append(a))
    assert [c[1] for c in calls] == list(range(1, 301)) + [300] and {c[0] for c in calls} == {"scan"}
    totals = [c[2] for c in calls]
    assert all(t > d for _, d, t in calls[:-1]) and calls[-1] == ("scan", 300, 300)
    assert 200 <= totals[150] <= 450                        # half way, the estimate is about right
