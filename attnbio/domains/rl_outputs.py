"""Files of `attnbio rl`: q_error.tsv, summary.tsv, curves.tsv and q_error.png."""
from __future__ import annotations

from pathlib import Path

from attnbio.domains.outputs import NO_VERSION, pyplot, save_figure, write_tables


def write(res, outdir) -> None:
    """Write an RlResult into the folder `outdir`; curves.tsv keeps every 10th step and the last."""
    outdir = Path(outdir)
    curve_rows = ([name, seed, t + 1, err, tr.old_mass[t]]
                  for (name, seed), tr in res.traces.items()
                  for t, err in enumerate(tr.q_error) if t % 10 == 9 or t == len(tr.q_error) - 1)
    write_tables(outdir, [
        ("q_error.tsv", ["remedy", "seed", "init", "tau", "recency", "is_beta", "steps_run",
                         "diverged", "final_q_error", "max_q_error", "mean_attention_on_old"], res.rows),
        ("summary.tsv", ["remedy", "n_seeds", "n_diverged", "n_reached_q_star", "median_final_q_error",
                         "max_final_q_error", "mean_attention_on_old"], res.summary),
        ("curves.tsv", ["remedy", "seed", "step", "q_error", "attention_on_old"], curve_rows)])
    plot(res.traces, outdir / "q_error.png")


def plot(traces, path) -> None:
    """max |Q - Q*| over the steps of every run, one colour per remedy."""
    plt = pyplot()
    names = list(dict.fromkeys(name for name, _ in traces))
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for i, name in enumerate(names):
        for j, ((n, seed), tr) in enumerate((k, v) for k, v in traces.items() if k[0] == name):
            ax.semilogy(range(1, len(tr.q_error) + 1), [max(e, 1e-12) for e in tr.q_error],
                        color=f"C{i}", lw=0.8, alpha=0.8, label=name if j == 0 else None)
    ax.set_xlabel("step")
    ax.set_ylabel("max |Q - Q*|")
    ax.legend(fontsize=8)
    save_figure(fig, path, dpi=100, metadata=NO_VERSION)
