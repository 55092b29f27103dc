"""The `attnbio` command line: a Click group whose commands load only when they run.

Each command lives in attnbio/commands/<name>.py as a Click command called `command`. Loading
them lazily keeps `attnbio --help` instant (no torch import) and lets every command own its file.
"""
from __future__ import annotations

import importlib
import logging
import os
import sys

import click

from attnbio import __version__
from attnbio.errors import InputError, OutputError

MAIN_COMMANDS = {
    "motifs": "Discover TF motifs and cooperative pairs from a DNA attention model.",
    "simulate": "Make benchmark data with known planted motifs and grammar.",
    "scan": "Run a trained motif model over FASTA, streaming (one shard).",
    "merge": "Merge shard outputs of `attnbio scan` into one result set.",
    "cluster-check": "Check a SLURM profile against the cluster before the workflow submits.",
    "protein": "Protein attention heads: physicochemical lenses and predicted contacts.",
    "refine": "Refine a structure with a triangle-updated pair representation.",
    "train": "Retrain a bundled model: motifs, protein, protein-ensemble or refine.",
}
SECONDARY_COMMANDS = {
    "oddoneout": "Vision: find the odd object by attention in one attribute's subspace.",
    "gan": "GAN on 8x8 digits with and without a self-attention discriminator.",
    "fusion": "Sensor fusion token with a temperature knob.",
    "forecast": "Forecast a series with phase-encoded attention.",
    "pde": "The heat equation as one attention step.",
    "rl": "Q-learning that attends over its replay buffer.",
    "causal": "Attention weights versus causal effects on a known graph.",
}


class LazyGroup(click.Group):
    """A group that imports attnbio.commands.<name> only when that command is used."""

    def list_commands(self, ctx):
        return list(MAIN_COMMANDS) + list(SECONDARY_COMMANDS)

    def get_command(self, ctx, name):
        if name not in MAIN_COMMANDS and name not in SECONDARY_COMMANDS:
            return None
        try:
            module = importlib.import_module(f"attnbio.commands.{name.replace('-', '_')}")
        except ModuleNotFoundError as err:
            if err.name == f"attnbio.commands.{name.replace('-', '_')}":
                return _not_built(name)
            raise
        return _with_verbosity(module.command)

    def format_commands(self, ctx, formatter):
        # Short help comes from the tables above so that --help imports no command module.
        for title, table in (("Main commands", MAIN_COMMANDS), ("Secondary commands", SECONDARY_COMMANDS)):
            with formatter.section(title):
                formatter.write_dl(list(table.items()))


VERBOSE_HELP = "More log output (-vv: debug, tracebacks)."
QUIET_HELP = "Hide progress and info; warnings and errors still show."


def set_log_level(verbose: int, quiet: bool) -> None:
    """-q: warnings and errors; default and -v: info; -vv: debug. Logs go to stderr."""
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    logging.basicConfig(level=level, format="attnbio: %(message)s", stream=sys.stderr, force=True)


def _late_verbosity(ctx, param, value):
    """-q/-v given after a subcommand name: add them to those given before it and set the level anew."""
    if not value:
        return
    obj = ctx.find_root().obj
    if obj is None:                  # the command run on its own (a test invoking it directly)
        obj = ctx.find_root().obj = {"verbose": 0, "quiet": False}
    if param.name == "verbose":
        obj["verbose"] += value
    else:
        obj["quiet"] = True
    set_log_level(obj["verbose"], obj["quiet"])


def _with_verbosity(cmd: click.Command) -> click.Command:
    """Accept -q/-v after the subcommand too (`attnbio motifs x.fa -o out -q`), also in sub-groups."""
    if not any(p.name == "verbose" for p in cmd.params):
        cmd.params.append(click.Option(["-v", "--verbose"], count=True, expose_value=False,
                                       callback=_late_verbosity, help=VERBOSE_HELP))
        cmd.params.append(click.Option(["-q", "--quiet"], is_flag=True, expose_value=False,
                                       callback=_late_verbosity, help=QUIET_HELP))
    for sub in getattr(cmd, "commands", {}).values():
        _with_verbosity(sub)
    return cmd


def _not_built(name: str) -> click.Command:
    def run():
        raise click.ClickException(f"'attnbio {name}' is not built yet in this version")

    return click.Command(name, callback=run, help="Not built yet in this version.")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="attnbio")
@click.option("-v", "--verbose", count=True, help=VERBOSE_HELP)
@click.option("-q", "--quiet", is_flag=True, help=QUIET_HELP)
@click.pass_context
def cli(ctx, verbose, quiet):
    """What attention models learn about sequences and structures, and whether it is true."""
    set_log_level(verbose, quiet)
    ctx.obj = {"verbose": verbose, "quiet": quiet}


def main(argv: list[str] | None = None) -> None:
    """Entry point: maps user mistakes to exit 2 and internal errors to exit 1, one line each."""
    args = list(sys.argv[1:] if argv is None else argv)
    # Tracebacks at -vv, as the help says: count -v, -vv and --verbose like Click does.
    verbose = sum(len(a) - 1 for a in args if a[:2] == "-v" and set(a[1:]) == {"v"}) + args.count("--verbose") >= 2
    hard = argv is None              # the real process (not a test calling main) may skip shutdown
    try:
        cli.main(args=argv, prog_name="attnbio", standalone_mode=False)
    except OutputError as err:
        _fail(f"error: {err}", 2, hard=hard)
    except InputError as err:
        _fail(f"error: {err}", 2)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
    except click.exceptions.Abort:
        _fail("interrupted", 130)
    except click.UsageError as err:
        # One line, like every other user mistake: the message, then where the help is.
        where = err.ctx.command_path if err.ctx else "attnbio"
        _fail(f"error: {err.format_message()} (see '{where} --help')", err.exit_code)
    except click.ClickException as err:
        _fail(f"error: {err.format_message()}", err.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as err:  # noqa: BLE001 - the last line of defence against tracebacks
        if verbose:
            raise
        from attnbio.io.outdir import disk_errno

        code = disk_errno(err)
        if code is not None:   # a disk that failed outside an output folder (e.g. a model file)
            _fail(f"error: cannot write ({os.strerror(code)})", 2, hard=hard)
        first = (str(err).splitlines() or [""])[0]
        _fail(f"internal error: {type(err).__name__}: {first} (run with -vv for a traceback)", 1)
    sys.exit(0)


def _fail(message: str, status: int, hard: bool = False) -> None:
    click.echo(f"attnbio: {message}", err=True)
    if hard:
        # Skip interpreter shutdown: HDF5 crashes (SIGSEGV) flushing a file whose writes failed.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(status)
    sys.exit(status)


if __name__ == "__main__":
    main()
