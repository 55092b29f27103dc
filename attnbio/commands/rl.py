"""`attnbio rl`: Q-learning with attention over the replay buffer, with and without remedies."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option, run_domain, seed_option
from attnbio.domains import rl


@click.command("rl")
@click.option("--seeds", "n_seeds", type=int, default=5, show_default=True,
              help="Number of seeds (runs per remedy): --seed, --seed+1, ...")
@click.option("--steps", type=int, default=3000, show_default=True,
              help="Environment steps (one attention-weighted update each).")
@click.option("--tau", type=float, default=0.05, show_default=True,
              help="Temperature of attention to TD error (runs without the temperature remedy).")
@click.option("--recency", type=float, default=0.5, show_default=True,
              help="Recency remedy: attention logit penalty per step of memory age.")
@click.option("--init", type=click.Choice(rl.INITS), default="optimistic",
              show_default=True, help="Start Q above Q* (optimistic) or scattered around it (random).")
@click.option("--remedies", default=",".join(rl.REMEDY_NAMES), show_default=True,
              help="Comma-separated subset of: " + ", ".join(rl.REMEDY_NAMES) + ".")
@outdir_option
@seed_option
def command(n_seeds, steps, tau, recency, init, remedies, outdir, seed):
    """Q-learning that attends over its replay buffer.

    On a chain MDP with a known optimum Q*, each update is Q-learning averaged over the whole
    buffer with softmax attention to TD error. Attention concentrates on old-policy memories
    and Q diverges; recency bias, importance weights or a high temperature keep it stable.
    Writes q_error.tsv (one row per remedy and seed), summary.tsv (reached Q* = final
    max|Q - Q*| < 1e-6), curves.tsv and q_error.png.
    """
    names = tuple(dict.fromkeys(n.strip() for n in remedies.split(",") if n.strip()))
    res = run_domain(rl, rl.RlRequest(n_seeds, steps, tau, recency, init, names, seed), outdir)
    for row in res.summary:
        log.info("%-11s diverged %d/%d, reached Q* %d/%d, median final max|Q-Q*| %.3g, "
                 "attention on old memories %.2f", row["remedy"], row["n_diverged"], row["n_seeds"],
                 row["n_reached_q_star"], row["n_seeds"], row["median_final_q_error"],
                 row["mean_attention_on_old"])
    log.info("wrote %s", outdir)
