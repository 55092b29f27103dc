"""`attnbio cluster-check`: is this SLURM cluster ready for the workflow's profile? (attnbio.cluster)"""
from __future__ import annotations

import sys

import click


@click.command("cluster-check")
@click.option("--profile", "profile", default="workflows/profiles/slurm", show_default=True,
              type=click.Path(), help="Snakemake profile folder (or its config.yaml) to check.")
@click.option("--configfile", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Workflow config: check each rule's threads and memory and its `attnbio` command "
                   "(default: the profile alone, command attnbio).")
@click.option("--quiet-ok", is_flag=True, help="Print nothing when there is no problem.")
def command(profile, configfile, quiet_ok):
    """Check the partitions, account, GRES, job-status command and `attnbio` command that PROFILE
    asks for against the SLURM cluster this host submits to, in about a second and without
    submitting a job. Prints one line per problem, saying what to set, and exits with status 2
    if there is any (0 otherwise). The workflow runs the same check before its first SLURM job.
    """
    from attnbio.cluster import check, request_from_profile
    from attnbio.errors import InputError

    from attnbio.io.source import read_source_text

    cfg = None
    if configfile:
        import yaml
        text = read_source_text(configfile, "workflow config")     # '-' is stdin
        try:
            cfg = yaml.safe_load(text) or {}
        except yaml.YAMLError as err:
            raise InputError(f"{configfile}: cannot read the workflow config ({str(err).splitlines()[0]})") from None
        if not isinstance(cfg, dict):
            raise InputError(f"{configfile}: a workflow config is a YAML mapping")
    try:
        request = request_from_profile(profile, cfg)
    except ValueError as err:
        raise InputError(str(err)) from None
    report = check(request)
    for problem in report.problems:
        click.echo(f"attnbio: cluster-check: {problem}", err=True)
    if report.problems:
        sys.exit(2)
    if not quiet_ok:
        for note in report.notes:
            click.echo(f"attnbio: cluster-check: {note}", err=True)
        click.echo(f"attnbio: cluster-check: ok in {report.seconds:.1f} s "
                   f"(job status via {report.status_command})", err=True)
