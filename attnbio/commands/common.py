"""Options and helpers shared by the command modules (the only code that talks to users)."""
from __future__ import annotations

import logging
import sys

import click

log = logging.getLogger("attnbio")


def command_line() -> str:
    """The command as typed, for provenance (results.h5 `command`, model cards): library code
    never reads sys.argv, so the command module passes this string in its request."""
    return " ".join(["attnbio"] + sys.argv[1:])


def threads_option(f):
    return click.option(
        "--threads", type=click.IntRange(min=1), default=None,
        help="CPU threads (default: CPUs this process may use; honours SLURM_CPUS_PER_TASK).",
    )(f)


def seed_option(f):
    return click.option("--seed", type=int, default=0, show_default=True,
                        help="Random seed: same seed, same output.")(f)


def device_option(f):
    return click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto",
                        show_default=True, help="Where the model runs.")(f)


def outdir_option(f):
    return click.option("-o", "--outdir", required=True, type=click.Path(file_okay=False),
                        help="Output folder (written complete or not at all).")(f)


def runtime_options(f):
    """--threads, --seed and --device together, for commands that run a model."""
    return threads_option(seed_option(device_option(f)))


def setup_runtime(threads, seed, device="cpu"):
    """Apply --threads/--seed/--device; returns the torch device."""
    from attnbio.runtime import resolve_device, seed_everything, set_threads

    n = set_threads(threads)
    seed_everything(seed)
    dev = resolve_device(device)
    log.debug("threads=%d seed=%d device=%s", n, seed, dev)
    return dev


def report(message: str) -> None:
    """The `log` callback the pipelines get: "warning: ..." messages at WARNING level, so `-q`
    (which hides progress and info) still shows them; everything else at INFO."""
    if message.startswith("warning:"):
        log.warning(message)
    else:
        log.info(message)


def progress_enabled() -> bool:
    """Progress bars only on an interactive terminal, so batch logs stay readable."""
    return sys.stderr.isatty() and log.getEffectiveLevel() <= logging.INFO


def run_domain(domain, request, outdir, threads=None, torch_runtime=False):
    """A secondary command's body: check the request, set the runtime (torch domains: threads
    and request.seed), run attnbio.domains.<name>.run and write its folder with
    attnbio.domains.<name>_outputs.write inside staged_outdir; returns the result."""
    import importlib

    from attnbio.io.outdir import staged_outdir

    request.check()
    if torch_runtime:
        setup_runtime(threads, request.seed, "cpu")
    result = domain.run(request)
    outputs = importlib.import_module(f"{domain.__name__}_outputs")
    with staged_outdir(outdir) as tmp:
        outputs.write(result, tmp)
    return result
