"""Files of `attnbio fusion`: sweep.tsv and fusion.png."""
from __future__ import annotations

from pathlib import Path

from attnbio.domains.fusion import COLUMNS, SENSORS
from attnbio.domains.outputs import pyplot, save_figure, write_tables


def write(res, outdir) -> None:
    """Write a FusionResult into the folder `outdir`."""
    outdir = Path(outdir)
    write_tables(outdir, [("sweep.tsv", COLUMNS, res.rows)])
    plot(res.rows, res.faulty, outdir / "fusion.png")


def plot(rows, faulty, path) -> None:
    """Mean attention weight per sensor and fused RMSE against the temperature."""
    plt = pyplot()
    tau = [r["tau"] for r in rows]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    for name in SENSORS:
        a.plot(tau, [r[f"weight_{name}"] for r in rows], marker="o", ms=3,
               label=name + (" (faulty)" if name == faulty else ""))
    a.set(xscale="log", xlabel="temperature tau", ylabel="mean attention weight", ylim=(-0.02, 1.02))
    a.legend(fontsize=8)
    b.plot(tau, [r["fused_rmse"] for r in rows], marker="o", ms=3, color="k", label="fused")
    b.axhline(rows[0]["healthy_oracle_rmse"], ls="--", color="g", label="healthy-only fusion")
    b.axhline(rows[0]["best_healthy_rmse"], ls=":", color="b", label="best healthy sensor")
    b.set(xscale="log", yscale="log", xlabel="temperature tau", ylabel="RMSE while faulty (m)")
    b.legend(fontsize=8)
    save_figure(fig, path, dpi=120)
