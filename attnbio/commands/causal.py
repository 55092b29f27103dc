"""`attnbio causal`: attention weights vs interventional effects on a simulated allosteric graph."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option, seed_option, threads_option
from attnbio.errors import InputError


@click.command("causal")
@click.option("--sites", type=int, default=10, show_default=True,
              help="Sites of the simulated protein (each a ligand pocket and a conformational readout).")
@click.option("--n-obs", type=int, default=4000, show_default=True, help="Observational samples.")
@click.option("--n-int", type=int, default=4000, show_default=True,
              help="Interventional samples (ligands set at random by the experimenter).")
@click.option("--confounders", type=int, default=4, show_default=True,
              help="Hidden confounders, each linking 3 pockets to 3 other sites.")
@click.option("--confounding", type=float, default=4.0, show_default=True,
              help="Strength of each confounder (logit units).")
@click.option("--epochs", type=int, default=100, show_default=True, help="Training epochs per model.")
@outdir_option
@seed_option
@threads_option
def command(sites, n_obs, n_int, confounders, confounding, epochs, outdir, seed, threads):
    """Attention weights versus causal effects on a known graph.

    Simulates ligand pockets that shift distant conformations along a known causal graph, plus
    hidden confounders. Trains the same attention model on observational and on interventional
    data and scores every pocket -> site pair by attention weight and by in-silico intervention;
    AUROC against the true edges. Writes auroc.tsv, edges.tsv and graph.png.
    """
    _check(sites, n_obs, n_int, confounders, confounding, epochs)
    from attnbio.commands.common import setup_runtime
    from attnbio.domains.causal import run_causal
    from attnbio.io.outdir import staged_outdir

    setup_runtime(threads, seed, "cpu")
    res = run_causal(n_sites=sites, n_obs=n_obs, n_int=n_int, epochs=epochs, seed=seed,
                     confounding=confounding, n_confounders=confounders)
    with staged_outdir(outdir) as tmp:
        _write(res, tmp)
    for row in res.auroc:
        log.info("AUROC %-26s %.3f", row["score"], row["auroc"])
    log.info("wrote %s", outdir)


def _check(sites, n_obs, n_int, confounders, confounding, epochs) -> None:
    if not 6 <= sites <= 200:
        raise InputError(f"--sites must be between 6 (a confounder touches 6 sites) and 200, got {sites}")
    for name, value in (("--n-obs", n_obs), ("--n-int", n_int)):
        if not 100 <= value <= 1_000_000:
            raise InputError(f"{name} must be between 100 and 1000000 samples, got {value}")
    if confounders < 0:
        raise InputError(f"--confounders must be 0 or more, got {confounders}")
    if not 0 <= confounding < float("inf"):
        raise InputError(f"--confounding must be a finite number >= 0, got {confounding}")
    if epochs < 1:
        raise InputError(f"--epochs must be at least 1, got {epochs}")


def _write(res, tmp) -> None:
    from attnbio.domains.causal import SCORES
    from attnbio.io.tables import write_tsv

    write_tsv(tmp / "auroc.tsv", ["score", "auroc", "n_edges", "n_pairs", "train_mse", "description"],
              res.auroc)
    write_tsv(tmp / "edges.tsv", ["ligand_site", "conformation_site", "true_edge", "true_weight",
                                  "confounded", "true_effect", *SCORES], res.edges)
    _plot(res, tmp / "graph.png")


def _plot(res, path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

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
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
