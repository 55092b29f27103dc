"""Preflight for the SLURM workflow: what a profile asks for, checked against the cluster in about a second.

Why it exists: snakemake-executor-plugin-slurm 2.6.1 waits forever, silently, in three common
set-ups, because its submit and status code runs in threads whose errors nobody reads:
a cluster without accounting (`sacct` fails, so no job is ever seen to finish), an account
the user does not have (the account check raises inside the submit thread), and a job whose
status vanished from `squeue` (MinJobAge shorter than the plugin's wait between checks).
A wrong partition or a GPU GRES the partition lacks are refused by sbatch, but only after
the first jobs ran. :func:`check` asks `scontrol`, `sinfo`, `sacct`, `sacctmgr`/`sshare`
the same questions up front and returns one line per problem, naming what to set.

The plugin behaviour relied on was read in its source (snakemake_executor_plugin_slurm 2.6.1:
``_get_status_command_default``, ``check_active_jobs``, ``accounts.test_account``); the
GRES and account queries are the ones its own code makes.

No command is run that submits a job: everything here only reads the controller's state.
"""
from __future__ import annotations

import getpass
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

# The plugin lets the wait between status checks grow by 10 s per check without news, up to
# 180 s (check_active_jobs, max_sleep_time); squeue must keep a finished job longer than that.
PLUGIN_MAX_STATUS_WAIT_S = 180
TIMEOUT_S = 10


@dataclass(frozen=True)
class Ask:
    """What one rule (or the profile's defaults) asks SLURM for."""

    rule: str                      # rule name, or "default-resources"
    partition: str | None = None
    account: str | None = None
    gres: str | None = None        # e.g. "gpu:1", "gpu:a100:2"
    gpus: int = 0                  # the plugin's `gpu` resource (sbatch --gpus)
    cpus: int = 0                  # threads (sbatch --cpus-per-task); 0: not known
    mem_mb: int = 0                # sbatch --mem; 0: not known


@dataclass
class ClusterRequest:
    """Everything a SLURM run of the workflow needs from the cluster."""

    asks: list[Ask]
    attnbio: str = "attnbio"                 # the executable the jobs run
    status_command: str | None = None        # as set; None: not set, the plugin picks sacct if installed
    init_seconds: int = 40                   # slurm-init-seconds-before-status-checks
    where: str = "the profile"               # where the user sets these, for the messages


@dataclass
class ClusterReport:
    problems: list[str] = field(default_factory=list)   # one line each; any -> do not submit
    notes: list[str] = field(default_factory=list)      # what was found or chosen, one line each
    status_command: str | None = None                   # the status command that works here
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def _run(argv: list[str]) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of a read-only SLURM query; 127 when absent, 124 on timeout."""
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S,
                           stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        return 127, "", f"{argv[0]}: command not found"
    except subprocess.TimeoutExpired:
        return 124, "", f"{argv[0]}: no answer within {TIMEOUT_S} s"
    return p.returncode, p.stdout, p.stderr


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[0] if lines else "no output"


def parse_scontrol_config(text: str) -> dict[str, str]:
    """`scontrol show config` ("Key = Value" lines) -> {Key: Value}."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and " " not in key.strip():
            out[key.strip()] = value.strip()
    return out


def parse_seconds(value: str | None) -> int | None:
    """SLURM durations as scontrol prints them ("600 sec", "300", "1h") -> seconds."""
    m = re.match(r"^\s*(\d+)\s*([a-zA-Z]*)", value or "")
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2).lower()
    return n * 3600 if unit in ("h", "hour", "hours") else n * 60 if unit in ("min", "m") else n


def parse_sinfo(text: str) -> tuple[dict[str, dict], str | None]:
    """`sinfo -h -o '%P|%G|%a|%c|%m'` lines -> ({partition: {...}}, default partition).

    Per partition: "gres" (set of GRES names), "avail" (set of states), "cpus" and "mem_mb" (of
    its largest node; memory in MB as sinfo prints it, '+' suffixes dropped).

    One line per partition and node set; %P marks the default partition with a trailing '*'.
    GRES such as "gpu:a100:4(S:0-1),shard:8" give the names {"gpu", "shard"}.
    """
    parts: dict[str, dict] = {}
    default = None
    for line in text.splitlines():
        if not line.strip():
            continue
        name, gres, avail, cpus, mem = (line.split("|") + ["", "", "", ""])[:5]
        name = name.strip()
        if name.endswith("*"):
            name = name[:-1]
            default = name
        entry = parts.setdefault(name, {"gres": set(), "avail": set(), "cpus": 0, "mem_mb": 0})
        for key, value in (("cpus", cpus), ("mem_mb", mem)):
            m = re.match(r"\s*(\d+)", value)
            if m:
                entry[key] = max(entry[key], int(m.group(1)))
        for item in re.sub(r"\([^)]*\)", "", gres).split(","):
            item = item.strip()
            if item and item != "(null)":
                entry["gres"].add(item.split(":")[0])
        if avail.strip():
            entry["avail"].add(avail.strip())
    return parts, default


def _rules(asks: list[Ask], verb: str = "") -> str:
    """"rule scan asks" / "rules motifs, scan ask" (verb given), or just the names."""
    names = sorted({a.rule for a in asks})
    one = len(names) == 1
    return ("rule " if one else "rules ") + ", ".join(names) + (f" {verb}{'s' if one else ''}" if verb else "")


def check(request: ClusterRequest) -> ClusterReport:
    """Check a :class:`ClusterRequest` against the SLURM cluster this host submits to."""
    t0 = time.monotonic()
    report = ClusterReport()
    try:
        _check(request, report)
    finally:
        report.seconds = time.monotonic() - t0
    return report


def _check(req: ClusterRequest, rep: ClusterReport) -> None:
    problem, note = rep.problems.append, rep.notes.append
    where = req.where

    # jobs inherit this PATH (the plugin submits with --export=ALL) and call config `attnbio`
    exe = req.attnbio
    if not (shutil.which(exe) if os.sep not in exe else os.access(exe, os.X_OK) and Path(exe).is_file()):
        problem(f"'{exe}' (the workflow config's `attnbio`) is not an executable on PATH, and the jobs "
                "get this PATH: activate the environment that has attnbio (e.g. `. .venv/bin/activate`) "
                "or set `attnbio: /path/to/venv/bin/attnbio` in the workflow config")

    if shutil.which("sinfo") is None or shutil.which("sbatch") is None:
        problem("sinfo/sbatch not found: run the workflow on a SLURM submit (login) node, "
                "or load the site's slurm module first")
        return
    rc, out, err = _run(["scontrol", "show", "config"])
    if rc != 0:
        problem(f"the SLURM controller does not answer (scontrol: {_first_line(err)}); "
                "check that slurmctld is up and SLURM_CONF points at its slurm.conf")
        return
    conf = parse_scontrol_config(out)
    note(f"SLURM {conf.get('SLURM_VERSION', '?')}, cluster {conf.get('ClusterName', '?')}, "
         f"accounting {conf.get('AccountingStorageType', '?')}, MinJobAge {conf.get('MinJobAge', '?')}")
    rc, out, err = _run(["sinfo", "-h", "-o", "%P|%G|%a|%c|%m"])
    if rc != 0:
        problem(f"sinfo fails ({_first_line(err)}); check that slurmctld is up")
        return
    parts, default = parse_sinfo(out)

    # partitions, and the GRES of the partition each job goes to
    by_part: dict[str, list[Ask]] = {}
    for a in req.asks:
        by_part.setdefault(a.partition or default or "", []).append(a)
    for name, asks in sorted(by_part.items()):
        if not name:
            problem(f"{_rules(asks, 'give')} no slurm_partition and the cluster has no default partition; "
                    f"set slurm_partition in default-resources of {where} (partitions: {', '.join(sorted(parts))})")
            continue
        if name not in parts:
            problem(f"partition '{name}' ({_rules(asks)}) does not exist on this cluster "
                    f"(partitions: {', '.join(sorted(parts)) or 'none'}); set slurm_partition in {where}")
            continue
        if parts[name]["avail"] and "up" not in parts[name]["avail"]:
            problem(f"partition '{name}' ({_rules(asks)}) is {'/'.join(sorted(parts[name]['avail']))}, "
                    f"not up: jobs would wait in the queue; choose another slurm_partition in {where}")
        # a job bigger than every node of its partition pends forever (Reason=PartitionConfig)
        for key, unit, what in (("cpus", "CPUs", "threads (config scan.threads)"), ("mem_mb", "MB", "mem_mb (config resources)")):
            big = [a for a in asks if parts[name][key] and getattr(a, key) > parts[name][key]]
            if big:
                most = max(getattr(a, key) for a in big)
                problem(f"{_rules(big, 'ask')} for {most} {unit} but the largest node of partition '{name}' "
                        f"has {parts[name][key]} (the job would pend forever, Reason=PartitionConfig); "
                        f"lower {what} or choose another slurm_partition in {where}")
        missing: dict[str, list[Ask]] = {}
        for a in asks:
            wanted = {g.split(":")[0] for g in (a.gres or "").split(",") if g.strip()}
            if a.gpus:
                wanted.add("gpu")
            for g in sorted(wanted - parts[name]["gres"]):
                missing.setdefault(g, []).append(a)
        for g, gasks in sorted(missing.items()):
            problem(f"{_rules(gasks, 'ask')} for GRES '{g}' but partition '{name}' has no '{g}' GRES (sbatch refuses "
                    f"such jobs); use the CPU-only profile workflows/profiles/slurm-cpu, or delete gres "
                    f"from set-resources in {where}")

    # job status: sacct when accounting answers, else squeue (only if squeue keeps finished jobs long enough)
    accounting_on = conf.get("AccountingStorageType", "accounting_storage/none") != "accounting_storage/none"
    rc, _, err = _run(["sacct", "-X", "-n", "-P", "--starttime", "now-1hours", "-o", "JobIDRaw",
                       "--name", "attnbio-cluster-check"])
    sacct_works = rc == 0
    min_age = parse_seconds(conf.get("MinJobAge"))
    squeue_ok = min_age is not None and min_age > PLUGIN_MAX_STATUS_WAIT_S and min_age >= 3 * req.init_seconds
    if sacct_works and req.status_command != "squeue":
        rep.status_command = "sacct"
    elif not sacct_works and req.status_command == "sacct":
        problem(f"sacct fails here ({_first_line(err)}), so snakemake would never see a job finish "
                f"and wait forever; set `slurm-status-command: squeue` in {where}")
    elif squeue_ok:
        rep.status_command = "squeue"
        if not sacct_works:
            note(f"sacct fails here ({_first_line(err)}): job status comes from squeue "
                 f"(--slurm-status-command squeue; MinJobAge {min_age} s is long enough)")
    else:
        cause = "sacct fails here" if not sacct_works else "the profile asks for squeue"
        problem(f"{cause} and squeue forgets finished jobs after MinJobAge={min_age} s, less than the "
                f"up to {PLUGIN_MAX_STATUS_WAIT_S} s (and 3 x slurm-init-seconds-before-status-checks) "
                "between the plugin's status checks, so snakemake could wait forever; "
                f"ask the admins for accounting (sacct) or MinJobAge >= 300, or set `slurm-status-command: sacct` in {where}")

    # accounts: the plugin checks them with sacctmgr, then sshare, and hangs when one is not found
    accounts = sorted({a.account.strip().strip("'\"") for a in req.asks if a.account and a.account.strip()})
    if not accounts:
        return
    user = getpass.getuser()
    rc, out, err = _run(["sacctmgr", "-n", "-s", "list", "user", user, "format=account%256"])
    mine = {ln.strip().lower() for ln in out.splitlines() if ln.strip()} if rc == 0 else set()
    if not mine:
        rc2, out2, err2 = _run(["sshare", "-U", "--format", "Account%256", "--noheader"])
        mine = {ln.strip().lower() for ln in out2.splitlines() if ln.strip()} if rc2 == 0 else set()
        if rc2 != 0 and rc != 0:
            problem(f"slurm_account {', '.join(accounts)} cannot be checked (sacctmgr: {_first_line(err)}; "
                    f"sshare: {_first_line(err2)}) and the SLURM plugin stops submitting, silently, when it "
                    f"cannot; on a cluster without accounts delete slurm_account from {where} "
                    "(or run snakemake with --slurm-no-account)")
            return
    if not mine:
        note(f"no accounts are registered for user {user}: slurm_account is not validated here")
        return
    for acc in accounts:
        if acc.lower() not in mine:
            asks = [a for a in req.asks if a.account and a.account.strip().strip("'\"") == acc]
            problem(f"slurm_account '{acc}' ({_rules(asks)}) is not an account of user {user} "
                    f"(accounts: {', '.join(sorted(mine))}); set slurm_account in default-resources of {where}")
    if not accounting_on:
        note("accounting is off: SLURM does not enforce accounts here")


# --- what a profile asks for ----------------------------------------------------------------------

def _pairs(value, what: str, source: str) -> dict:
    """A profile's resource block: a mapping, or a list of "key=value" strings as on the command line."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    if isinstance(value, (list, tuple)):
        out = {}
        for item in value:
            key, sep, val = str(item).partition("=")
            if not sep:
                raise ValueError(f"{source}: {what}: '{item}' is not key=value")
            out[key.strip()] = val.strip()
        return out
    raise ValueError(f"{source}: {what} must be a mapping")


def _ask(rule: str, res: dict) -> Ask:
    def s(key):
        v = res.get(key)
        return None if v is None or str(v).strip().strip("'\"") == "" else str(v).strip().strip("'\"")
    gpus = res.get("gpu") or 0
    try:
        gpus = int(gpus)
    except (TypeError, ValueError):
        gpus = 1
    def n(key):
        try:
            return int(float(res.get(key) or 0))
        except (TypeError, ValueError):
            return 0
    return Ask(rule, s("slurm_partition"), s("slurm_account"), s("gres"), gpus, n("threads"), n("mem_mb"))


LOCAL_RULES = ("split", "merge", "report")   # workflows/config.schema.yaml's default local_rules


def request_from_profile(profile_dir: str | Path, config: dict | None = None) -> ClusterRequest:
    """Read a Snakemake profile folder (config.yaml) into a :class:`ClusterRequest`.

    `config`: the workflow config (as snakemake would load it); with it, each rule it gives
    resources for is checked with its threads and memory (set-resources > rule > default-resources,
    Snakemake's order), and `attnbio` is taken from it. Without it, the profile's entries alone.
    Raises ValueError (one line, naming the file) when the profile cannot be read.
    """
    import yaml

    path = Path(profile_dir)
    path = path / "config.yaml" if path.is_dir() else path
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except OSError as err:
        raise ValueError(f"{path}: cannot read the profile ({err.strerror or err})") from None
    except yaml.YAMLError as err:
        raise ValueError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a profile is a YAML mapping of snakemake options")
    if str(data.get("executor", "")) != "slurm":
        raise ValueError(f"{path}: executor is '{data.get('executor', '')}', not slurm: nothing to check")
    default = _pairs(data.get("default-resources"), "default-resources", str(path))
    asks = [_ask("default-resources", default)]
    sets = data.get("set-resources") or {}
    if isinstance(sets, (list, tuple)):   # "rule:key=value" strings, as on the command line
        merged: dict = {}
        for item in sets:
            rule, sep, kv = str(item).partition(":")
            if not sep:
                raise ValueError(f"{path}: set-resources: '{item}' is not rule:key=value")
            merged.setdefault(rule.strip(), []).append(kv)
        sets = merged
    if not isinstance(sets, dict):
        raise ValueError(f"{path}: set-resources must be a mapping of rule -> resources")
    sets = {str(rule): _pairs(res, f"set-resources {rule}", str(path)) for rule, res in sets.items()}
    for rule, n in _pairs(data.get("set-threads"), "set-threads", str(path)).items():
        sets.setdefault(str(rule), {})["threads"] = n
    config = config if isinstance(config, dict) else {}
    rules = config.get("resources") if isinstance(config.get("resources"), dict) else {}
    # rules the workflow runs inside snakemake (config local_rules, schema default) are no jobs
    local = set(config.get("local_rules", LOCAL_RULES)) if config else set()
    rules = {rule: res for rule, res in rules.items() if rule not in local}
    sets = {rule: res for rule, res in sets.items() if rule not in local}
    if rules:
        threads = (config.get("scan") or {}).get("threads", 0) if isinstance(config.get("scan"), dict) else 0
        asks = [_ask(rule, {**default, "threads": threads if rule in ("scan", "motifs") else 1,
                            **(res if isinstance(res, dict) else {}), **sets.get(rule, {})})
                for rule, res in rules.items()]
    for rule, res in sets.items():
        if rule not in rules:
            asks.append(_ask(rule, {**default, **res}))
    status = data.get("slurm-status-command")
    init = data.get("slurm-init-seconds-before-status-checks", 40)
    try:
        init = int(init)
    except (TypeError, ValueError):
        raise ValueError(f"{path}: slurm-init-seconds-before-status-checks must be an integer") from None
    attnbio = str(config.get("attnbio") or "attnbio")
    return ClusterRequest(asks=asks, attnbio=attnbio, status_command=str(status) if status else None,
                          init_seconds=init, where=str(path))


def request_from_jobs(jobs, attnbio: str, status_command: str | None, init_seconds: int,
                      where: str = "the profile") -> ClusterRequest:
    """Build a request from Snakemake jobs about to be submitted (the Snakefile's onstart hook).

    `jobs`: objects with `.rule.name` (or `.name`) and `.resources` (a mapping-like with .get).
    """
    asks = set()
    for job in jobs:
        res = job.resources
        name = getattr(getattr(job, "rule", None), "name", None) or getattr(job, "name", "?")
        fields = {k: res.get(k) for k in ("slurm_partition", "slurm_account", "gres", "gpu", "mem_mb")}
        asks.add(_ask(str(name), {**fields, "threads": getattr(job, "threads", 0)}))
    return ClusterRequest(asks=sorted(asks, key=lambda a: a.rule), attnbio=attnbio,
                          status_command=status_command, init_seconds=init_seconds, where=where)

