"""`attnbio fusion`: a fusion token attends over camera, lidar and IMU; sweep its temperature."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option, seed_option
from attnbio.errors import InputError

COLUMNS = ["tau", "faulty_weight", "fused_rmse", "healthy_oracle_rmse", "best_healthy_rmse",
           "worst_healthy_rmse", "weight_camera", "weight_lidar", "weight_imu"]


@click.command("fusion")
@click.option("--steps", type=int, default=2000, show_default=True, help="Time steps simulated.")
@click.option("--faulty", type=click.Choice(["camera", "lidar", "imu"]), default="lidar",
              show_default=True, help="The sensor that breaks.")
@click.option("--fault", type=click.Choice(["bias", "noise", "stuck"]), default="bias",
              show_default=True, help="How it breaks: constant offset, extra noise, frozen reading.")
@click.option("--fault-size", type=float, default=3.0, show_default=True,
              help="Offset or noise std of the fault (metres).")
@click.option("--fault-start", type=float, default=0.25, show_default=True,
              help="Fraction of the run after which the sensor is faulty.")
@click.option("--tau-min", type=float, default=1e-2, show_default=True, help="Lowest temperature.")
@click.option("--tau-max", type=float, default=1e4, show_default=True, help="Highest temperature.")
@click.option("--n-tau", type=int, default=13, show_default=True, help="Temperatures (log-spaced).")
@seed_option
@outdir_option
def command(steps, faulty, fault, fault_size, fault_start, tau_min, tau_max, n_tau, seed, outdir):
    """Sensor fusion token with a temperature knob.

    Simulates three sensors of one 2-D state, corrupts one, and fuses them with one attention
    query whose keys carry sensor identity and consistency. Writes sweep.tsv (weights and fused
    RMSE per temperature, with healthy-sensor references) and fusion.png.
    """
    _validate(steps, fault_size, fault_start, tau_min, tau_max, n_tau)
    from attnbio.domains import fusion
    from attnbio.io.outdir import staged_outdir
    from attnbio.io.tables import write_tsv

    streams = fusion.simulate(steps, faulty, fault, fault_size, fault_start, seed)
    rows = fusion.sweep(streams, fusion.default_taus(n_tau, tau_min, tau_max))
    with staged_outdir(outdir) as tmp:
        write_tsv(tmp / "sweep.tsv", COLUMNS, rows)
        _plot(rows, faulty, tmp / "fusion.png")
    lo, hi = rows[0], rows[-1]
    log.info("tau=%.3g: %s weight %.3f, RMSE %.3f; tau=%.3g: weight %.3f, RMSE %.3f "
             "(healthy-only oracle %.3f)", lo["tau"], faulty, lo["faulty_weight"], lo["fused_rmse"],
             hi["tau"], hi["faulty_weight"], hi["fused_rmse"], lo["healthy_oracle_rmse"])


def _validate(steps, fault_size, fault_start, tau_min, tau_max, n_tau):
    if not 20 <= steps <= 10_000_000:
        raise InputError(f"--steps must be between 20 and 10000000, got {steps}")
    if not 0 < fault_size < float("inf"):
        raise InputError(f"--fault-size must be a positive, finite number, got {fault_size}")
    if not 0 <= fault_start < 0.95:
        raise InputError(f"--fault-start must be in [0, 0.95), got {fault_start}")
    if not 0 < tau_min < tau_max < float("inf"):
        raise InputError(f"need 0 < --tau-min < --tau-max < inf, got {tau_min} and {tau_max}")
    if not 2 <= n_tau <= 1000:
        raise InputError(f"--n-tau must be between 2 and 1000, got {n_tau}")


def _plot(rows, faulty, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tau = [r["tau"] for r in rows]
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.5))
    for name in ("camera", "lidar", "imu"):
        a.plot(tau, [r[f"weight_{name}"] for r in rows], marker="o", ms=3,
               label=name + (" (faulty)" if name == faulty else ""))
    a.set(xscale="log", xlabel="temperature tau", ylabel="mean attention weight", ylim=(-0.02, 1.02))
    a.legend(fontsize=8)
    b.plot(tau, [r["fused_rmse"] for r in rows], marker="o", ms=3, color="k", label="fused")
    b.axhline(rows[0]["healthy_oracle_rmse"], ls="--", color="g", label="healthy-only fusion")
    b.axhline(rows[0]["best_healthy_rmse"], ls=":", color="b", label="best healthy sensor")
    b.set(xscale="log", yscale="log", xlabel="temperature tau", ylabel="RMSE while faulty (m)")
    b.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
