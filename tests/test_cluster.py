"""attnbio.cluster: reading profiles and SLURM's answers (the real-cluster test is tests/workflows/slurm_ci.sh)."""
import sys
from pathlib import Path

import pytest
import yaml

from attnbio.cli import main
from attnbio.cluster import (
    Ask,
    ClusterRequest,
    check,
    parse_scontrol_config,
    parse_seconds,
    parse_sinfo,
    request_from_profile,
)

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "workflows" / "profiles"
EXAMPLE = yaml.safe_load((ROOT / "workflows" / "config.yaml").read_text())


def test_sinfo_lines_give_partitions_gres_names_and_largest_node():
    parts, default = parse_sinfo("cpu*|(null)|up|2|20489\n"
                                 "gpu|gpu:a100:4(S:0-1),shard:8|up|64|512000+\n"
                                 "gpu|gpu:1|drain|8|1000\n\n")
    assert default == "cpu"
    assert parts["cpu"] == {"gres": set(), "avail": {"up"}, "cpus": 2, "mem_mb": 20489}
    assert parts["gpu"] == {"gres": {"gpu", "shard"}, "avail": {"up", "drain"}, "cpus": 64, "mem_mb": 512000}


def test_scontrol_config_and_durations():
    conf = parse_scontrol_config("Configuration data as of 2026-12-01T21:00:00\n"
                                 "AccountingStorageType   = accounting_storage/none\n"
                                 "MinJobAge               = 600 sec\nSLURM_VERSION           = 22.05.8\n")
    assert conf == {"AccountingStorageType": "accounting_storage/none", "MinJobAge": "600 sec",
                    "SLURM_VERSION": "22.05.8"}
    assert [parse_seconds(v) for v in ("600 sec", "300", "2h", "5 min", "", None)] == [600, 300, 7200, 300, None, None]


def test_shipped_profile_with_the_example_config_asks_per_rule():
    req = request_from_profile(PROFILES / "slurm", EXAMPLE)
    asks = {a.rule: a for a in req.asks}
    # split, merge and report run inside snakemake (config local_rules): no job, nothing to check
    assert set(asks) == {"motifs", "scan"}
    # one thread per scan task (set-threads), so the array's tasks share a node
    assert asks["scan"] == Ask("scan", "gpu", "my_account", "gpu:1", 0, 1, EXAMPLE["resources"]["scan"]["mem_mb"])
    every = request_from_profile(PROFILES / "slurm", {**EXAMPLE, "local_rules": []})
    asks = {a.rule: a for a in every.asks}
    assert set(asks) == {"split", "motifs", "scan", "merge", "report"}
    assert asks["merge"] == Ask("merge", "cpu", "my_account", None, 0, 1, EXAMPLE["resources"]["merge"]["mem_mb"])
    # the shipped profile leaves the status command to the workflow and looks at jobs early
    assert req.status_command is None and req.init_seconds < 10 and req.attnbio == "attnbio"


def test_cpu_profile_asks_for_no_gres_and_no_partition():
    req = request_from_profile(PROFILES / "slurm-cpu", EXAMPLE)
    assert all(a.gres is None and a.gpus == 0 and a.partition is None for a in req.asks)


def test_profile_forms_and_errors(tmp_path):
    p = tmp_path / "config.yaml"
    p.write_text("executor: slurm\ndefault-resources: [slurm_partition=short, \"slurm_account='lab'\"]\n"
                 "set-resources: ['scan:gres=gpu:2', 'scan:slurm_partition=gpu']\nslurm-status-command: squeue\n")
    req = request_from_profile(tmp_path)
    assert req.asks == [Ask("default-resources", "short", "lab"), Ask("scan", "gpu", "lab", "gpu:2")]
    assert req.status_command == "squeue"
    p.write_text("executor: local\n")
    with pytest.raises(ValueError, match=r"config.yaml: executor is 'local', not slurm"):
        request_from_profile(p)
    p.write_text("executor: [\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        request_from_profile(p)


def test_without_slurm_commands_the_check_says_where_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))          # no sinfo, sbatch or attnbio here
    rep = check(ClusterRequest(asks=[Ask("scan", "gpu")], attnbio="attnbio"))
    assert len(rep.problems) == 2 and not rep.ok
    assert rep.problems[0].startswith("'attnbio' (the workflow config's `attnbio`) is not an executable on PATH")
    assert rep.problems[1].startswith("sinfo/sbatch not found")
    (tmp_path / "attnbio").symlink_to(Path(sys.executable).parent / "attnbio")
    assert len(check(ClusterRequest(asks=[], attnbio="attnbio")).problems) == 1


def test_command_prints_one_line_per_problem_and_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    (tmp_path / "attnbio").symlink_to(Path(sys.executable).parent / "attnbio")
    with pytest.raises(SystemExit) as exit_:
        main(["cluster-check", "--profile", str(PROFILES / "slurm")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["attnbio: cluster-check: sinfo/sbatch not found: run the workflow on a SLURM submit "
                   "(login) node, or load the site's slurm module first"]
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "config.yaml").write_text("executor: local\n")
    with pytest.raises(SystemExit) as exit_:
        main(["cluster-check", "--profile", str(tmp_path / "local")])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.strip().endswith("executor is 'local', not slurm: nothing to check")


def test_set_threads_of_a_profile_reach_the_rule(tmp_path):
    (tmp_path / "config.yaml").write_text("executor: slurm\nset-threads: {scan: 64}\n")
    asks = {a.rule: a for a in request_from_profile(tmp_path, EXAMPLE).asks}
    assert asks["scan"].cpus == 64 and asks["motifs"].cpus == EXAMPLE["scan"]["threads"] and "split" not in asks
