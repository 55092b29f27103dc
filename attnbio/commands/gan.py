"""`attnbio gan`: a GAN on real 8x8 digits with and without a self-attention discriminator."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option, seed_option, setup_runtime, threads_option
from attnbio.errors import InputError

METRICS = ["d_loss", "g_loss", "d_grad_norm", "g_grad_norm", "max_d_grad_norm", "coverage",
           "confidence", "effective_classes", "digit_score"]


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
    for name, value, low, high in (("--steps", steps, 10, 10**7), ("--seeds", n_seeds, 1, 1000),
                                   ("--batch", batch, 2, 1024), ("--samples", samples, 10, 10**6)):
        if not low <= value <= high:
            raise InputError(f"{name} must be between {low} and {high}, got {value}")
    # These nets are tiny: extra intra-op threads only add synchronisation (7x slower with 2
    # threads on a busy 2-core machine), so each run gets one thread and runs go in parallel.
    from attnbio.runtime import default_threads

    workers = threads or default_threads()
    setup_runtime(1, seed, "cpu")
    import numpy as np

    from attnbio.domains import gan
    from attnbio.io.outdir import staged_outdir
    from attnbio.io.tables import write_tsv

    xtr, ytr, xte, yte = gan.load_digits_split(seed=0)      # fixed split: one judge for all seeds
    clf = gan.train_classifier(xtr, ytr)
    noise = np.random.default_rng(seed).uniform(-1, 1, size=(samples, 64))
    refs = {"real_heldout": gan.sample_quality(clf, xte), "uniform_noise": gan.sample_quality(clf, noise)}
    rows, hist = gan.compare(xtr, clf, [seed + i for i in range(n_seeds)], steps, batch, samples, workers)
    summary = gan.summary_rows(rows, refs, METRICS)
    with staged_outdir(outdir) as tmp:
        write_tsv(tmp / "per_seed.tsv", ["seed", "discriminator", *METRICS, "attention_gamma"], rows)
        write_tsv(tmp / "summary.tsv", ["group", "n_seeds"] + [f"{m}_{s}" for m in METRICS
                                                                for s in ("mean", "sd")], summary)
        write_tsv(tmp / "history.tsv", ["seed", "discriminator", "step", "d_loss", "g_loss",
                                        "d_grad_norm", "g_grad_norm"], hist)
        write_tsv(tmp / "judge.tsv", ["classifier", "heldout_accuracy", "n_train", "n_test"],
                  [("logistic_regression", clf.score(xte, yte), len(xtr), len(xte))])
        _plot_samples(rows, tmp / "samples.png")
        _plot_curves(hist, tmp / "curves.png")
    for r in summary[:2]:
        log.info("%s: digit score %.2f, coverage %.1f, confidence %.3f", r["group"],
                 r["digit_score_mean"], r["coverage_mean"], r["confidence_mean"])


def _plot_samples(rows, path):
    import matplotlib
    import numpy as np
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    first = [r for r in rows if r["seed"] == rows[0]["seed"]]
    fig, axes = plt.subplots(len(first), 1, figsize=(8, 2.2 * len(first)))
    for ax, r in zip(axes, first):
        rows = min(4, len(r["_samples"]) // 8)           # up to 4 rows of 8 digits
        digits = np.pad(r["_samples"][:8 * rows].reshape(-1, 8, 8), ((0, 0), (1, 1), (1, 1)),
                        constant_values=-1)             # a blank border between digits
        imgs = digits.reshape(rows, 8, 10, 10).transpose(0, 2, 1, 3).reshape(10 * rows, 80)
        ax.imshow(imgs, cmap="gray_r", vmin=-1, vmax=1)
        ax.set_title(f"{r['discriminator']} discriminator, seed {r['seed']}", fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_curves(hist, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    runs = sorted({(h["seed"], h["discriminator"]) for h in hist})
    for seed, name in runs:
        sub = [h for h in hist if h["seed"] == seed and h["discriminator"] == name]
        style = dict(color="C1" if name == "attention" else "C0", alpha=0.7, lw=1)
        for ax, key in zip(axes, ("d_loss", "d_grad_norm", "g_grad_norm")):
            ax.plot([h["step"] for h in sub], [h[key] for h in sub], **style)
    for ax, key in zip(axes, ("D hinge loss", "D gradient norm", "G gradient norm")):
        ax.set(xlabel="step", title=key)
    axes[0].plot([], [], color="C0", label="plain")
    axes[0].plot([], [], color="C1", label="attention")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
