"""`attnbio gan`: a GAN on real 8x8 digits with and without a self-attention discriminator."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option, run_domain, seed_option, threads_option


@click.command("gan")
@click.option("--steps", type=int, default=1000, show_default=True, help="Training steps per run.")
@click.option("--seeds", "n_seeds", type=int, default=3, show_default=True,
              help="Runs per variant (seeds SEED, SEED+1, ...).")
@click.option("--batch", type=int, default=64, show_default=True, help="Batch size.")
@click.option("--samples", type=int, default=1000, show_default=True,
              help="Generated digits judged per run.")
@threads_option
@seed_option
@outdir_option
def command(steps, n_seeds, batch, samples, threads, seed, outdir):
    """GAN on 8x8 digits with and without a self-attention discriminator.

    Trains a small GAN on scikit-learn's real digits (spectral norm in both discriminators, a
    SAGAN block in one) for several seeds; a classifier trained on real digits judges the
    samples. Writes per_seed.tsv, summary.tsv (with real and noise references), history.tsv,
    samples.png and curves.png. The runs train in parallel processes of one thread each,
    --threads of them (default: the CPUs this process may use); the nets are too small to gain
    from more threads per run. Results do not depend on --threads.
    """
    from attnbio.domains import gan
    from attnbio.runtime import default_threads

    req = gan.GanRequest(steps=steps, n_seeds=n_seeds, batch=batch, samples=samples, seed=seed,
                         workers=threads or default_threads())
    # These nets are tiny: extra intra-op threads only add synchronisation (7x slower with 2
    # threads on a busy 2-core machine), so each run gets one thread and runs go in parallel.
    res = run_domain(gan, req, outdir, threads=1, torch_runtime=True)
    for r in res.summary[:2]:
        log.info("%s: digit score %.2f, coverage %.1f, confidence %.3f", r["group"],
                 r["digit_score_mean"], r["coverage_mean"], r["confidence_mean"])
