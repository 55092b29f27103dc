"""Files of `attnbio gan`: per_seed.tsv, summary.tsv, history.tsv, judge.tsv, samples.png, curves.png."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from attnbio.domains.gan import METRICS
from attnbio.domains.outputs import pyplot, save_figure, write_tables


def write(res, outdir) -> None:
    """Write a GanResult into the folder `outdir`."""
    outdir = Path(outdir)
    write_tables(outdir, [
        ("per_seed.tsv", ["seed", "discriminator", *METRICS, "attention_gamma"], res.rows),
        ("summary.tsv", ["group", "n_seeds"] + [f"{m}_{s}" for m in METRICS for s in ("mean", "sd")],
         res.summary),
        ("history.tsv", ["seed", "discriminator", "step", "d_loss", "g_loss", "d_grad_norm",
                         "g_grad_norm"], res.history),
        ("judge.tsv", ["classifier", "heldout_accuracy", "n_train", "n_test"], res.judge)])
    plot_samples(res.rows, outdir / "samples.png")
    plot_curves(res.history, outdir / "curves.png")


def plot_samples(rows, path) -> None:
    """Up to 32 generated digits of the first seed, one panel per discriminator."""
    plt = pyplot()
    first = [r for r in rows if r["seed"] == rows[0]["seed"]]
    fig, axes = plt.subplots(len(first), 1, figsize=(8, 2.2 * len(first)))
    for ax, r in zip(axes, first):
        n_rows = min(4, len(r["_samples"]) // 8)          # up to 4 rows of 8 digits
        digits = np.pad(r["_samples"][:8 * n_rows].reshape(-1, 8, 8), ((0, 0), (1, 1), (1, 1)),
                        constant_values=-1)             # a blank border between digits
        imgs = digits.reshape(n_rows, 8, 10, 10).transpose(0, 2, 1, 3).reshape(10 * n_rows, 80)
        ax.imshow(imgs, cmap="gray_r", vmin=-1, vmax=1)
        ax.set_title(f"{r['discriminator']} discriminator, seed {r['seed']}", fontsize=9)
        ax.axis("off")
    save_figure(fig, path, dpi=120)


def plot_curves(hist, path) -> None:
    """D loss and both gradient norms over training, every run (blue: plain, orange: attention)."""
    plt = pyplot()
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
    save_figure(fig, path, dpi=120)
