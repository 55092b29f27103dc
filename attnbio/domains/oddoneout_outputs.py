"""Files of `attnbio oddoneout`: accuracy_vs_noise.tsv, accuracy_vs_randomise.tsv, oddoneout.png."""
from __future__ import annotations

from pathlib import Path

from attnbio.domains.oddoneout import COLUMNS
from attnbio.domains.outputs import pyplot, save_figure, write_tables


def write(res, outdir) -> None:
    """Write an OddOneOutResult into the folder `outdir`."""
    outdir = Path(outdir)
    write_tables(outdir, [("accuracy_vs_noise.tsv", COLUMNS, res.by_noise),
                          ("accuracy_vs_randomise.tsv", COLUMNS, res.by_randomise)])
    plot(res, outdir / "oddoneout.png")


def plot(res, path) -> None:
    """Accuracy against noise and against the randomised fraction; dashed: whole-token baseline."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
    for ax, rows, key, label in ((axes[0], res.by_noise, "noise", "feature noise std"),
                                 (axes[1], res.by_randomise, "randomise",
                                  "fraction of other attributes randomised")):
        for i, a in enumerate(res.attributes):
            sub = [r for r in rows if r["attribute"] == a]
            x = [r[key] for r in sub]
            ax.plot(x, [r["accuracy_subspace"] for r in sub], "-o", ms=3, color=f"C{i}", label=a)
            ax.plot(x, [r["accuracy_whole_token"] for r in sub], "--", color=f"C{i}", alpha=0.6)
        ax.axhline(rows[0]["chance"], color="k", ls=":", lw=1, label="chance")
        ax.set(xlabel=label, ylim=(0, 1.02))
    axes[0].set_ylabel("accuracy (solid: subspace, dashed: whole token)")
    axes[0].legend(fontsize=8)
    save_figure(fig, path, dpi=120)
