"""kill -9 the whole workflow while a shard is being scanned, resume, compare with one scan.

Marked slow (it runs the workflow twice and a reference scan); `make bench-scan` runs it.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from attnbio.io.fasta import write_fasta

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.mark.slow
def test_workflow_killed_mid_shard_resumes_to_the_unsharded_result(tiny, tmp_path):
    from h5compare import assert_same_content

    pytest.importorskip("snakemake")
    fasta = tmp_path / "in.fa"
    write_fasta(fasta, [(f"r{i:05d}", s) for i, (_, s) in enumerate(tiny["records"] * 8)])     # 2400 records
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"input": str(fasta), "outdir": "res", "shards": 2, "model": str(tiny["model"]),
                                   "motifs": str(tiny["motifs"]),
                                   "scan": {"threads": 1, "max_length": 256, "batch_size": 16}}))
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", OMP_NUM_THREADS="1")
    env.pop("SLURM_CPUS_PER_TASK", None)
    sm = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "workflows" / "Snakefile"), "--configfile", str(cfg)]

    proc = subprocess.Popen(sm + ["--cores", "2"], cwd=tmp_path, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = None
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline and proc.poll() is None:
        found = [p for p in (tmp_path / "res" / "scan").glob(".*.partial-*/scores.tsv") if p.stat().st_size >= 8192]
        if found:
            partial = found[0]
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)          # snakemake and the scans it started
    proc.wait()
    assert partial is not None, "the workflow got past the scans before it could be killed"
    assert not (tmp_path / "res" / "merged").exists()
    complete = [d for d in (tmp_path / "res" / "scan").iterdir() if (d / "scan.h5").exists()]
    assert len(complete) < 2                     # at least one shard was cut off

    unlock = subprocess.run(sm + ["--unlock"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert unlock.returncode == 0, unlock.stderr[-2000:]
    again = subprocess.run(sm + ["--profile", str(ROOT / "workflows" / "profiles" / "local")], cwd=tmp_path,
                           env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr[-3000:]

    ref = tmp_path / "ref"
    one = subprocess.run([str(BIN / "attnbio"), "-q", "scan", "--model", str(tiny["model"]), "--motifs",
                          str(tiny["motifs"]), str(fasta), "-o", str(ref), "--max-length", "256", "--batch-size",
                          "16", "--threads", "1"], env=env, capture_output=True, text=True)
    assert one.returncode == 0, one.stderr
    for name in ("scores.tsv", "sites.tsv"):
        assert (tmp_path / "res" / "merged" / name).read_bytes() == (ref / name).read_bytes()
    assert_same_content(tmp_path / "res" / "merged" / "scan.h5", ref / "scan.h5")
