"""The Snakemake workflow: end to end on a tiny config, SLURM dry run, config validation."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from attnbio.io.tables import read_tsv

ROOT = Path(__file__).resolve().parents[2]
SNAKEFILE = ROOT / "workflows" / "Snakefile"
BIN = Path(sys.executable).parent

pytest.importorskip("snakemake")


def env():
    e = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", OMP_NUM_THREADS="1")
    e.pop("SLURM_CPUS_PER_TASK", None)
    return e


def snakemake(workdir, *args):
    return subprocess.run([sys.executable, "-m", "snakemake", "-s", str(SNAKEFILE), *map(str, args)],
                          cwd=workdir, env=env(), capture_output=True, text=True)


def write_config(path, **kw):
    path.write_text(yaml.safe_dump(kw, sort_keys=False))
    return path


def test_workflow_end_to_end_equals_one_unsharded_scan(tiny, tmp_path):
    from h5compare import assert_same_content

    cfg = write_config(tmp_path / "config.yaml", input=str(tiny["fasta"]), outdir="res", shards=2,
                       model=str(tiny["model"]), motifs=str(tiny["motifs"]),
                       scan={"threads": 1, "max_length": 256})
    r = snakemake(tmp_path, "--configfile", cfg, "--cores", 2)
    assert r.returncode == 0, r.stderr[-3000:]
    res = tmp_path / "res"
    assert sorted(p.name for p in (res / "shards").iterdir()) == ["1-of-2.fa", "2-of-2.fa"]
    for rule in ("split", "merge", "report", "scan/1-of-2", "scan/2-of-2"):
        assert (res / "benchmarks" / f"{rule}.tsv").is_file() and (res / "logs" / f"{rule}.log").is_file()
    ref = tmp_path / "unsharded"
    one = subprocess.run([str(BIN / "attnbio"), "-q", "scan", "--model", str(tiny["model"]), "--motifs",
                          str(tiny["motifs"]), str(tiny["fasta"]), "-o", str(ref), "--max-length", "256",
                          "--threads", "2"], env=env(), capture_output=True, text=True)
    assert one.returncode == 0, one.stderr
    for name in ("scores.tsv", "sites.tsv"):
        assert (res / "merged" / name).read_bytes() == (ref / name).read_bytes()
    assert_same_content(res / "merged" / "scan.h5", ref / "scan.h5")
    report = {row["metric"]: row["value"] for row in read_tsv(res / "report.tsv")}
    assert report["n_sequences"] == "300" and report["scan_jobs"] == "2"
    assert int(report["n_sites"]) == len(read_tsv(ref / "sites.tsv"))
    # Nothing left to do: a second run plans no job.
    again = snakemake(tmp_path, "--configfile", cfg, "--cores", 2, "-n")
    assert again.returncode == 0 and "Nothing to be done" in again.stdout + again.stderr


@pytest.mark.skipif(shutil.which("sbatch") is not None, reason="shows that no SLURM install is needed")
def test_slurm_profile_dry_run_plans_every_rule_with_resources(tiny, tmp_path):
    cfg = write_config(tmp_path / "config.yaml", input=str(tiny["fasta"]), outdir="res", shards=5,
                       train={"positives": str(tiny["fasta"]), "epochs": 2},
                       scan={"threads": 4}, resources={"scan": {"mem_mb": 3000, "runtime": 45}})
    r = snakemake(tmp_path, "--configfile", cfg, "--profile", ROOT / "workflows" / "profiles" / "slurm", "-n")
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout + r.stderr
    for rule, count in (("motifs", 1), ("split", 1), ("scan", 5), ("merge", 1), ("report", 1)):
        assert out.count(f"rule {rule}:") == count, rule
    blocks = out.split("rule ")
    scan_blocks = [b for b in blocks if b.startswith("scan:")]
    assert all("mem_mb=3000" in b and "runtime=45" in b for b in scan_blocks)
    # The profile's set-threads (scan: 1, so array tasks share a node) wins over config threads.
    assert all("--threads 1 " in b and "threads: 4" not in b for b in scan_blocks)
    assert all("slurm_partition=" in b and "gres=" in b for b in scan_blocks)
    motif_block = next(b for b in blocks if b.startswith("motifs:"))
    assert "mem_mb=8000" in motif_block and "--epochs 2" in motif_block
    assert not (tmp_path / "res").exists()


def test_bad_config_is_rejected_before_anything_runs(tiny, tmp_path):
    cfg = write_config(tmp_path / "config.yaml", input=str(tiny["fasta"]), shards=0, model=str(tiny["model"]))
    r = snakemake(tmp_path, "--configfile", cfg, "--cores", 1, "-n")
    assert r.returncode != 0 and "On instance['shards']" in r.stdout + r.stderr
    cfg = write_config(tmp_path / "config.yaml", input=str(tiny["fasta"]))
    r = snakemake(tmp_path, "--configfile", cfg, "--cores", 1, "-n")
    assert r.returncode != 0 and "train.positives" in r.stdout + r.stderr


def test_bad_fasta_fails_in_split_with_one_clear_line(tmp_path, tiny):
    bad = tmp_path / "bad.fa"
    bad.write_text(">a\nACGT\n>a\nACGT\n")
    cfg = write_config(tmp_path / "config.yaml", input=str(bad), shards=2, model=str(tiny["model"]))
    r = snakemake(tmp_path, "--configfile", cfg, "--cores", 1)
    assert r.returncode != 0
    log = (tmp_path / "results" / "logs" / "split.log").read_text().strip()
    assert log == f"attnbio: error: {bad}: line 3: duplicate record ID 'a' (IDs must be unique)"
    assert not (tmp_path / "results" / "shards").exists() or not any((tmp_path / "results" / "shards").iterdir())


@pytest.fixture(scope="module")
def peaks(tiny, tmp_path_factory):
    import scan_fixtures

    return scan_fixtures.build_genome(tmp_path_factory.mktemp("peaks"), tiny["records"])


def test_workflow_on_peaks_equals_one_unsharded_bed_scan(tiny, peaks, tmp_path):
    cfg = write_config(tmp_path / "config.yaml", peaks=str(peaks["bed"]), genome=str(peaks["fa"]), size=120,
                       outdir="res", shards=2, model=str(tiny["model"]), motifs=str(tiny["motifs"]),
                       scan={"threads": 1, "max_length": 256})
    r = snakemake(tmp_path, "--configfile", cfg, "--cores", 2)
    assert r.returncode == 0, r.stderr[-3000:]
    res = tmp_path / "res"
    assert sorted(p.name for p in (res / "shards").iterdir()) == ["1-of-2.bed", "2-of-2.bed"]
    assert (res / "logs" / "split.log").read_text().strip() == "split 45 regions into 2 shards: [23, 22]"
    from click.testing import CliRunner

    from attnbio.cli import cli

    ref = tmp_path / "unsharded"                  # in-process: no second interpreter start
    one = CliRunner().invoke(cli, ["-q", "scan", "--model", str(tiny["model"]), "--motifs", str(tiny["motifs"]),
                                   str(peaks["bed"]), "--genome", str(peaks["fa"]), "--size", "120", "-o", str(ref),
                                   "--max-length", "256", "--threads", "1"])
    assert one.exit_code == 0, one.output
    for name in ("scores.tsv", "sites.tsv"):
        assert (res / "merged" / name).read_bytes() == (ref / name).read_bytes()
    assert [row["seq_id"] for row in read_tsv(ref / "scores.tsv")] == [f"peak{i}" for i in range(45)]


def test_peaks_config_dry_run_passes_the_genome_to_every_job(tiny, peaks, tmp_path):
    cfg = write_config(tmp_path / "config.yaml", peaks=str(peaks["bed"]), genome=str(peaks["fa"]), size="given",
                       mask_repeats=True, shards=3, train={"positives": str(peaks["bed"]), "epochs": 2})
    r = snakemake(tmp_path, "--configfile", cfg, "--cores", 1, "-n", "-p")
    assert r.returncode == 0, r.stderr[-3000:]
    out = r.stdout + r.stderr
    for rule, count in (("motifs", 1), ("split", 1), ("scan", 3), ("merge", 1), ("report", 1)):
        assert out.count(f"rule {rule}:") == count, rule
    opts = f"--genome {peaks['fa']} --size given --max-n-fraction 0.25 --mask-repeats"
    commands = [line for line in out.splitlines() if " motifs " in line or " scan " in line]
    assert len(commands) == 4 and all(opts in c for c in commands), commands
    assert "results/shards/1-of-3.bed" in out and not (tmp_path / "results").exists()


def test_bad_peaks_config_is_rejected_before_anything_runs(tiny, peaks, tmp_path):
    for extra, message in (({}, "`peaks` needs `genome`"), ({"input": str(tiny["fasta"])}, "give either `input`")):
        cfg = write_config(tmp_path / "config.yaml", peaks=str(peaks["bed"]), model=str(tiny["model"]), **extra)
        r = snakemake(tmp_path, "--configfile", cfg, "--cores", 1, "-n")
        assert r.returncode != 0 and message in r.stdout + r.stderr, (r.stdout + r.stderr)[-2000:]
