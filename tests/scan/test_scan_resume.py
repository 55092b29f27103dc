"""kill -9 in the middle of a scan, run again: the same bytes as an uninterrupted run."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from attnbio.io.fasta import write_fasta

BIN = Path(sys.executable).parent


def test_kill_9_mid_scan_leaves_nothing_complete_and_a_rerun_gives_the_same_bytes(tiny, tmp_path):
    records = [(f"r{i:05d}", s) for i, (_, s) in enumerate(tiny["records"] * 6)]     # 1800 records
    fasta = tmp_path / "big.fa"
    write_fasta(fasta, records)
    out = tmp_path / "out"
    cmd = [str(BIN / "attnbio"), "-q", "scan", "--model", str(tiny["model"]), "--motifs", str(tiny["motifs"]),
           str(fasta), "-o", str(out), "--max-length", "256", "--batch-size", "16", "--threads", "1"]
    env = dict(os.environ, OMP_NUM_THREADS="1", SOURCE_DATE_EPOCH="1700000000")

    assert subprocess.run(cmd, env=env, capture_output=True).returncode == 0
    ref = tmp_path / "ref"
    out.rename(ref)

    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        found = [p for p in tmp_path.glob(".out.partial-*/scores.tsv") if p.stat().st_size >= 8192]
        if found:            # the first buffered rows are on disk: the scan is under way
            partial = found[0].parent
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert partial is not None, "the scan finished before it could be killed"
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()                                   # nothing that looks complete
    assert (partial / "scores.tsv").stat().st_size < (ref / "scores.tsv").stat().st_size
    assert not (partial / "scan.h5").exists()                 # the HDF5 file has its temporary name

    assert subprocess.run(cmd, env=env, capture_output=True).returncode == 0
    for name in ("scores.tsv", "sites.tsv", "scan.h5"):
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
