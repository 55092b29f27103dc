"""`attnbio rl`: Q-learning with attention over the replay buffer, with and without remedies."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option, seed_option
from attnbio.errors import InputError

REMEDY_NAMES = ("none", "recency", "importance", "temperature")


@click.command("rl")
@click.option("--seeds", "n_seeds", type=int, default=5, show_default=True,
              help="Number of seeds (runs per remedy): --seed, --seed+1, ...")
@click.option("--steps", type=int, default=3000, show_default=True,
              help="Environment steps (one attention-weighted update each).")
@click.option("--tau", type=float, default=0.05, show_default=True,
              help="Temperature of attention to TD error (runs without the temperature remedy).")
@click.option("--recency", type=float, default=0.5, show_default=True,
              help="Recency remedy: attention logit penalty per step of memory age.")
@click.option("--init", type=click.Choice(["optimistic", "random"]), default="optimistic",
              show_default=True, help="Start Q above Q* (optimistic) or scattered around it (random).")
@click.option("--remedies", default=",".join(REMEDY_NAMES), show_default=True,
              help="Comma-separated subset of: " + ", ".join(REMEDY_NAMES) + ".")
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
    names = _check(n_seeds, steps, tau, remedies)
    if not 0 <= recency < float("inf"):
        raise InputError(f"--recency must be a finite number >= 0, got {recency}")
    from attnbio.domains.rl import run_rl
    from attnbio.io.outdir import staged_outdir

    seeds = list(range(seed, seed + n_seeds))
    rows, traces = run_rl(seeds, names, steps=steps, tau=tau, recency=recency, init=init)
    summary = _summary(rows, names)
    with staged_outdir(outdir) as tmp:
        _write(rows, summary, traces, tmp)
    for row in summary:
        log.info("%-11s diverged %d/%d, reached Q* %d/%d, median final max|Q-Q*| %.3g, "
                 "attention on old memories %.2f", row["remedy"], row["n_diverged"], row["n_seeds"],
                 row["n_reached_q_star"], row["n_seeds"], row["median_final_q_error"],
                 row["mean_attention_on_old"])
    log.info("wrote %s", outdir)


def _check(n_seeds, steps, tau, remedies) -> list[str]:
    if n_seeds < 1:
        raise InputError(f"--seeds must be at least 1, got {n_seeds}")
    if steps < 1:
        raise InputError(f"--steps must be at least 1, got {steps}")
    if not tau > 0 or tau == float("inf"):
        raise InputError(f"--tau must be a positive, finite number, got {tau}")
    names = [n.strip() for n in remedies.split(",") if n.strip()]
    bad = [n for n in names if n not in REMEDY_NAMES]
    if bad or not names:
        raise InputError(f"--remedies takes names from {', '.join(REMEDY_NAMES)}, got '{remedies}'")
    return list(dict.fromkeys(names))


def _summary(rows, names) -> list[dict]:
    import numpy as np

    out = []
    for name in names:
        sub = [r for r in rows if r["remedy"] == name]
        out.append({"remedy": name, "n_seeds": len(sub), "n_diverged": sum(r["diverged"] for r in sub),
                    "n_reached_q_star": sum(r["final_q_error"] < 1e-6 for r in sub),
                    "median_final_q_error": float(np.median([r["final_q_error"] for r in sub])),
                    "max_final_q_error": max(r["final_q_error"] for r in sub),
                    "mean_attention_on_old": float(np.mean([r["mean_attention_on_old"] for r in sub]))})
    return out


def _write(rows, summary, traces, tmp) -> None:
    from attnbio.io.tables import write_tsv

    write_tsv(tmp / "q_error.tsv", ["remedy", "seed", "init", "tau", "recency", "is_beta",
                                    "steps_run", "diverged", "final_q_error", "max_q_error",
                                    "mean_attention_on_old"], rows)
    write_tsv(tmp / "summary.tsv", ["remedy", "n_seeds", "n_diverged", "n_reached_q_star",
                                    "median_final_q_error",
                                    "max_final_q_error", "mean_attention_on_old"], summary)
    curve_rows = ([name, seed, t + 1, err, tr.old_mass[t]]
                  for (name, seed), tr in traces.items()
                  for t, err in enumerate(tr.q_error) if t % 10 == 9 or t == len(tr.q_error) - 1)
    write_tsv(tmp / "curves.tsv", ["remedy", "seed", "step", "q_error", "attention_on_old"], curve_rows)
    _plot(traces, tmp / "q_error.png")


def _plot(traces, path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(dict.fromkeys(name for name, _ in traces))
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for i, name in enumerate(names):
        for j, ((n, seed), tr) in enumerate((k, v) for k, v in traces.items() if k[0] == name):
            ax.semilogy(range(1, len(tr.q_error) + 1), [max(e, 1e-12) for e in tr.q_error],
                        color=f"C{i}", lw=0.8, alpha=0.8, label=name if j == 0 else None)
    ax.set_xlabel("step")
    ax.set_ylabel("max |Q - Q*|")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
