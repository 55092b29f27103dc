"""Files of `attnbio causal`: auroc.tsv, edges.tsv and graph.png."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from attnbio.domains.causal import AUROC_COLUMNS, EDGE_COLUMNS
from attnbio.domains.outputs import NO_VERSION, pyplot, save_figure, write_tables


def write(res, outdir) -> None:
    """Write a CausalResult into the folder `outdir`."""
    outdir = Path(outdir)
    write_tables(outdir, [("auroc.tsv", AUROC_COLUMNS, res.auroc),
                          ("edges.tsv", EDGE_COLUMNS, res.edges)])
    plot(res, outdir / "graph.png")


def plot(res, path) -> None:
    """True causal weights next to observational attention and the interventional do-effect."""
    plt = pyplot()
    auroc = {row["score"]: row["auroc"] for row in res.auroc}
    panels = [("true causal weight", np.abs(res.truth.weights), None),
              ("attention (observational)", res.maps["attention_observational"],
               auroc["attention_observational"]),
              ("do-effect (interventional)", res.maps["effect_interventional"],
               auroc["effect_interventional"])]
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
    for ax, (title, mat, auc) in zip(axes, panels):
        mat = np.array(mat, dtype=float)
        np.fill_diagonal(mat, np.nan)
        im = ax.imshow(mat.T, cmap="viridis")
        ticks = range(0, len(mat), max(1, len(mat) // 10))
        ax.set_xticks(ticks, [t + 1 for t in ticks])   # sites are numbered from 1, as in edges.tsv
        ax.set_yticks(ticks, [t + 1 for t in ticks])
        ax.set_title(title if auc is None else f"{title}\nAUROC {auc:.2f}", fontsize=9)
        ax.set_xlabel("ligand site p")
        ax.set_ylabel("conformation site j")
        fig.colorbar(im, ax=ax, fraction=0.046)
    save_figure(fig, path, dpi=100, metadata=NO_VERSION)
