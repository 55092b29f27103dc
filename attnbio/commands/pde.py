"""`attnbio pde`: fit one attention step to the FTCS heat step and compare kernels and rollouts."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option, seed_option, threads_option
from attnbio.errors import InputError


#: r outside this range makes a kernel narrower than 1e-3 cells or wider than a small grid.
R_MIN, R_MAX = 1e-3, 10.0


def parse_ratios(text: str) -> list[float]:
    """'0.1,0.25' -> [0.1, 0.25] (duplicates dropped); each r = alpha dt / dx**2 in [R_MIN, R_MAX]."""
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError(f"--ratios must be comma-separated numbers, got '{text}'") from None
    if not values or any(not R_MIN <= v <= R_MAX for v in values):
        raise InputError(f"--ratios needs one or more numbers between {R_MIN:g} and {R_MAX:g}, "
                         f"got '{text}'")
    return list(dict.fromkeys(values))


@click.command("pde")
@click.option("--ratios", default="0.1,0.25,0.4,0.6,1.0", show_default=True,
              help="Comma-separated r = alpha*dt/dx^2 values (FTCS is stable only for r <= 0.5).")
@click.option("--cells", type=click.IntRange(min=8, max=4096), default=64, show_default=True,
              help="Grid cells (tokens) on the periodic unit interval.")
@click.option("--steps", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Length of the long rollout used for stability.")
@click.option("--train-modes", type=click.IntRange(min=1), default=3, show_default=True,
              help="Fit beta on random fields of Fourier modes 1..N.")
@outdir_option
@seed_option
@threads_option
def command(ratios, cells, steps, train_modes, outdir, seed, threads):
    """The heat equation as one attention step.

    Grid cells are tokens and attention logits are -beta * distance^2 only. One scale beta is
    fitted per r so that one attention step reproduces one explicit FTCS step; the learned
    kernel is compared with the FTCS stencil and the exact heat kernel, both schemes with the
    analytic solution, and long rollouts for stability. Writes fits.tsv, kernel.tsv,
    errors.tsv, stability.tsv, kernel.png and rollout.png.
    """
    values = parse_ratios(ratios)
    if 2 * train_modes >= cells:
        raise InputError(f"--train-modes must be below cells/2 = {cells // 2}, got {train_modes}")
    from attnbio.commands.common import setup_runtime
    from attnbio.domains.pde import run_pde
    from attnbio.io.outdir import staged_outdir

    setup_runtime(threads, seed, "cpu")
    res = run_pde(values, n_cells=cells, n_steps=steps, seed=seed, train_modes=train_modes)
    with staged_outdir(outdir) as tmp:
        _write(res, tmp)
    for row in res.stability:
        log.info("r=%g: growth over %d steps FTCS %.3g, attention %.3g", row["r"], row["steps"],
                 row["growth_ftcs"], row["growth_attention"])
    log.info("wrote %s", outdir)


def _write(res, tmp) -> None:
    from attnbio.io.tables import write_tsv

    write_tsv(tmp / "fits.tsv", ["r", "beta", "beta_heat_kernel", "attention_variance",
                                 "ftcs_variance", "heat_variance", "fit_rel_rmse"], res.fits)
    write_tsv(tmp / "kernel.tsv", ["r", "distance", "attention", "ftcs", "heat_kernel"], res.kernel)
    write_tsv(tmp / "errors.tsv", ["r", "step", "time", "rel_error_ftcs", "rel_error_attention"],
              res.errors)
    write_tsv(tmp / "stability.tsv", ["r", "steps", "max_abs_u0", "growth_ftcs", "growth_attention",
                                      "stable_ftcs", "stable_attention"], res.stability)
    _plot_kernel(res, tmp / "kernel.png")
    _plot_rollout(res, tmp / "rollout.png")


def _plot_kernel(res, path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)


def _plot_rollout(res, path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for i, (r, (steps, ftcs, att)) in enumerate(sorted(res.trajectories.items())):
        ax.semilogy(steps, ftcs, color=f"C{i}", ls="--", label=f"FTCS r={r:g}")
        ax.semilogy(steps, att, color=f"C{i}", label=f"attention r={r:g}")
    ax.set_xlabel("time step")
    ax.set_ylabel("max |u|")
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
