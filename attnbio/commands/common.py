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
        help="CPU threads (default: CPUs this process may use; honours SLURM_CPUS_PER_TASK). A trained "
             "model depends on it: give the same value to reproduce one.",
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


def motif_training_options(f):
    """--epochs, --restarts and --max-length: how `attnbio motifs` and `attnbio train motifs` train."""
    f = click.option("--max-length", type=click.IntRange(20, 100_000), default=1000, show_default=True,
                     help="Longer sequences are cropped to their central MAX_LENGTH bases.")(f)
    f = click.option("--restarts", type=click.IntRange(1, 20), default=1, show_default=True,
                     help="Train from this many initialisations and keep the one with the best validation "
                          "AUROC (costs that many trainings; helps a run stuck at a low AUROC).")(f)
    return click.option("--epochs", type=click.IntRange(1, 500), default=60, show_default=True,
                        help="Most training epochs (early stopping on the validation split).")(f)


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
    (which hides progress and info) still shows them; "debug: ..." at DEBUG without the prefix
    (-vv; e.g. the per-epoch lines when a progress bar or stage line says the same); everything
    else at INFO."""
    if message.startswith("warning:"):
        log.warning(message)
    elif message.startswith("debug: "):
        log.debug(message[len("debug: "):])
    else:
        log.info(message)


def progress_enabled() -> bool:
    """Progress bars only on an interactive terminal, so batch logs stay readable."""
    return sys.stderr.isatty() and log.getEffectiveLevel() <= logging.INFO


class Progress:
    """The `progress(stage, done, total)` callback the pipelines get (make_progress builds it).

    A stage (e.g. "training", "discovery", "scan", "refinement") starts at its first call and
    ends when `done >= total > 0`, when a call names another stage, or at close(); total 0 means
    unknown (a count and a rate, no ETA). On a terminal each stage is a tqdm bar on stderr with
    elapsed<remaining (the ETA), while log lines are written above it; otherwise (batch jobs,
    pipes, -q) each stage logs one INFO line when it starts and one when it ends, never one per
    step, so a SLURM log stays short.
    """

    def __init__(self, bar: bool, stream=None, mininterval: float = 0.5):
        self.bar, self.stream, self.mininterval = bar, stream, mininterval
        self._stage = None
        self._tqdm = self._redirect = None
        self._done = self._total = 0
        self._t0 = 0.0

    def __call__(self, stage: str, done: int, total: int = 0) -> None:
        if stage != self._stage:
            self.close()
            self._start(stage, total)
        self._done, self._total = int(done), int(total or 0)
        if self._tqdm is not None:
            if self._total and self._tqdm.total != self._total:
                self._tqdm.total = self._total
            self._tqdm.update(self._done - self._tqdm.n)   # draws at most every mininterval
        if self._total and self._done >= self._total:
            self.close()

    def _start(self, stage: str, total: int) -> None:
        import time

        self._stage, self._t0 = stage, time.perf_counter()
        if not self.bar:             # the total may be an estimate (scans): the end line has the count
            log.info("%s: started", stage)
            return
        from tqdm import tqdm
        from tqdm.contrib.logging import logging_redirect_tqdm

        self._tqdm = tqdm(total=total or None, desc=stage, file=self.stream or sys.stderr, leave=True,
                          dynamic_ncols=True, mininterval=self.mininterval, disable=False)
        # Log lines (warnings, -v) go above the bar instead of through it.
        self._redirect = logging_redirect_tqdm([logging.getLogger()])
        self._redirect.__enter__()

    def close(self, failed: bool = False) -> None:
        """End the current stage (if any): close its bar, or log its one end line (not when the
        work failed: the error says what happened)."""
        import time

        if self._stage is None:
            return
        if self._tqdm is not None:
            self._tqdm.refresh()
            self._tqdm.close()
            self._redirect.__exit__(None, None, None)
            self._tqdm = self._redirect = None
        elif not failed:
            of = f"/{self._total}" if self._total else ""
            log.info("%s: %d%s done in %.1f s", self._stage, self._done, of, time.perf_counter() - self._t0)
        self._stage = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(failed=exc_type is not None)


def make_progress(enabled: bool | None = None, stream=None, mininterval: float = 0.5) -> Progress:
    """The progress callback for a pipeline: tqdm bars on an interactive terminal (stderr a TTY,
    log level INFO or lower: see progress_enabled), one log line per stage start and end otherwise.
    Use as `with make_progress() as progress: run(request, progress=progress)`."""
    return Progress(progress_enabled() if enabled is None else enabled, stream, mininterval)


def run_domain(domain, request, outdir, threads=None, torch_runtime=False):
    """A secondary command's body: check the request, set the runtime (torch domains: threads
    and request.seed), run attnbio.domains.<name>.run and write its folder with
    attnbio.domains.<name>_outputs.write inside staged_outdir; returns the result."""
    import importlib

    from attnbio.io.outdir import staged_outdir

    request.check()
    if torch_runtime:
        setup_runtime(threads, request.seed, "cpu")
    stage = domain.__name__.rsplit(".", 1)[-1]
    with make_progress() as progress:
        # The domains call progress(done, total) (attnbio.domains.tick) after each part of the work:
        # one stage named after the domain, started here so that its clock covers the first part.
        progress(stage, 0, 0)
        result = domain.run(request, progress=lambda done, total: progress(stage, done, total))
    outputs = importlib.import_module(f"{domain.__name__}_outputs")
    with staged_outdir(outdir) as tmp:
        outputs.write(result, tmp)
    return result
