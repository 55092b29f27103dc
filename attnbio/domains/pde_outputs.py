"""Files of `attnbio pde`: fits.tsv, kernel.tsv, errors.tsv, stability.tsv, kernel.png, rollout.png."""
from __future__ import annotations

from pathlib import Path

from attnbio.domains.outputs import NO_VERSION, pyplot, save_figure, write_tables


def write(res, outdir) -> None:
    """Write a PdeResult into the folder `outdir`."""
    outdir = Path(outdir)
    write_tables(outdir, [
        ("fits.tsv", ["r", "beta", "beta_heat_kernel", "attention_variance", "ftcs_variance",
                      "heat_variance", "fit_rel_rmse"], res.fits),
        ("kernel.tsv", ["r", "distance", "attention", "ftcs", "heat_kernel"], res.kernel),
        ("errors.tsv", ["r", "step", "time", "rel_error_ftcs", "rel_error_attention"], res.errors),
        ("stability.tsv", ["r", "steps", "max_abs_u0", "growth_ftcs", "growth_attention",
                           "stable_ftcs", "stable_attention"], res.stability)])
    plot_kernel(res, outdir / "kernel.png")
    plot_rollout(res, outdir / "rollout.png")


def plot_kernel(res, path) -> None:
    """FTCS stencil, fitted attention kernel and exact heat kernel, one panel per r."""
    plt = pyplot()
    ratios = sorted({row["r"] for row in res.kernel})
    fig, axes = plt.subplots(1, len(ratios), figsize=(3 * len(ratios), 2.8), sharey=True, squeeze=False)
    for ax, r in zip(axes[0], ratios):
        rows = [row for row in res.kernel if row["r"] == r]
        d = [row["distance"] for row in rows]
        ax.bar([x - 0.2 for x in d], [row["ftcs"] for row in rows], 0.4, label="FTCS")
        ax.bar([x + 0.2 for x in d], [row["attention"] for row in rows], 0.4, label="attention")
        ax.plot(d, [row["heat_kernel"] for row in rows], "k.--", lw=0.8, label="heat kernel")
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_title(f"r = {r:g}")
        ax.set_xlabel("distance (cells)")
    axes[0][0].set_ylabel("weight")
    axes[0][0].legend(fontsize=7)
    save_figure(fig, path, dpi=100, metadata=NO_VERSION)


def plot_rollout(res, path) -> None:
    """max |u| over the long rollout, FTCS (dashed) against attention (solid), per r."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for i, (r, (steps, ftcs, att)) in enumerate(sorted(res.trajectories.items())):
        ax.semilogy(steps, ftcs, color=f"C{i}", ls="--", label=f"FTCS r={r:g}")
        ax.semilogy(steps, att, color=f"C{i}", label=f"attention r={r:g}")
    ax.set_xlabel("time step")
    ax.set_ylabel("max |u|")
    ax.legend(fontsize=6, ncol=2)
    save_figure(fig, path, dpi=100, metadata=NO_VERSION)
