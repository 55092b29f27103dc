"""The workflow passes config paths to the shell quoted (a space or ';' in a path is part of the
path), and a rerun after `kill -9` of snakemake needs no `--unlock`."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytest.importorskip("snakemake")


def test_paths_with_space_and_semicolon_run_and_never_execute_as_shell(tiny, tmp_path):
    odd = tmp_path / "in put; touch PWNED_INPUT"
    odd.mkdir()
    fasta, motifs = odd / "x y;z.fa", odd / "m o;tifs.meme"
    shutil.copy(tiny["fasta"], fasta)
    shutil.copy(tiny["motifs"], motifs)
    model = odd / "mo del;m.safetensors"
    shutil.copy(tiny["model"], model)
    card = Path(str(tiny["model"])[: -len(".safetensors")] + ".json")
    if card.is_file():
        shutil.copy(card, odd / "mo del;m.json")
    exe_dir = tmp_path / "b in; touch PWNED_EXE"
    exe_dir.mkdir()
    (exe_dir / "attnbio").symlink_to(BIN / "attnbio")
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({
        "input": str(fasta), "outdir": "out dir; touch PWNED_OUT", "shards": 2, "model": str(model),
        "motifs": str(motifs), "attnbio": str(exe_dir / "attnbio"), "scan": {"threads": 1, "max_length": 256}}))
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", OMP_NUM_THREADS="1")
    env.pop("SLURM_CPUS_PER_TASK", None)
    cmd = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "workflows" / "Snakefile"), "--configfile",
           str(cfg), "--profile", str(ROOT / "workflows" / "profiles" / "local")]
    # kill -9 snakemake (and its jobs) once it holds the lock: the lock stays behind
    first = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    locks = tmp_path / ".snakemake" / "locks"
    deadline = time.monotonic() + 120
    while not list(locks.glob("attnbio-owner.*.json")) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert first.returncode == -signal.SIGKILL and sorted(p.name for p in locks.glob("*.lock")) == [
        "0.input.lock", "0.output.lock"]
    r = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert f"removed the lock of a snakemake run that was killed (PID {first.pid} on" in r.stderr
    assert list(locks.iterdir()) == []
    merged = tmp_path / "out dir; touch PWNED_OUT" / "merged"
    rows = (merged / "scores.tsv").read_text().splitlines()
    assert len(rows) == 1 + len(tiny["records"])
    assert (merged / "sites.tsv").stat().st_size > 0 and (merged / "scan.h5").is_file()
    # nothing ran as shell: no file named like the injected commands' targets exists anywhere
    made = [p.name for p in tmp_path.rglob("PWNED*")] + [p.name for p in ROOT.glob("PWNED*")]
    assert made == []
