"""`attnbio pde`: fit one attention step to the FTCS heat step and compare kernels and rollouts."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option, run_domain, seed_option, threads_option
from attnbio.domains import pde
from attnbio.errors import InputError


def parse_ratios(text: str) -> tuple[float, ...]:
    """'0.1,0.25' -> (0.1, 0.25), duplicates dropped; PdeRequest.check checks the range."""
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError(f"--ratios must be comma-separated numbers, got '{text}'") from None
    return tuple(dict.fromkeys(values))


@click.command("pde")
@click.option("--ratios", default="0.1,0.25,0.4,0.6,1.0", show_default=True,
              help="Comma-separated r = alpha*dt/dx^2 values (FTCS is stable only for r <= 0.5).")
@click.option("--cells", type=click.IntRange(min=8, max=pde.MAX_CELLS), default=64, show_default=True,
              help="Grid cells (tokens) on the periodic unit interval.")
@click.option("--steps", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Length of the long rollout used for stability.")
@click.option("--train-modes", type=click.IntRange(min=1), default=3, show_default=True,
              help="Fit beta on random fields of Fourier modes 1..N.")
@outdir_option
@seed_option
@threads_option
def command(ratios, cells, steps, train_modes, outdir, seed, threads):
    """The heat equation as one attention step.

    Grid cells are tokens and attention logits are -beta * distance^2 only. One scale beta is
    fitted per r so that one attention step reproduces one explicit FTCS step; the learned
    kernel is compared with the FTCS stencil and the exact heat kernel, both schemes with the
    analytic solution, and long rollouts for stability. Writes fits.tsv, kernel.tsv,
    errors.tsv, stability.tsv, kernel.png and rollout.png.
    """
    req = pde.PdeRequest(parse_ratios(ratios), cells, steps, train_modes, seed)
    res = run_domain(pde, req, outdir, threads=threads, torch_runtime=True)
    for row in res.stability:
        log.info("r=%g: growth over %d steps FTCS %.3g, attention %.3g", row["r"], row["steps"],
                 row["growth_ftcs"], row["growth_attention"])
    log.info("wrote %s", outdir)
