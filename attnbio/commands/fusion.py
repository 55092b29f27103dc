"""`attnbio fusion`: a fusion token attends over camera, lidar and IMU; sweep its temperature."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option, run_domain, seed_option
from attnbio.domains import fusion


@click.command("fusion")
@click.option("--steps", type=int, default=2000, show_default=True, help="Time steps simulated.")
@click.option("--faulty", type=click.Choice(fusion.SENSORS), default="lidar",
              show_default=True, help="The sensor that breaks.")
@click.option("--fault", type=click.Choice(fusion.FAULTS), default="bias",
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
    res = run_domain(fusion, fusion.FusionRequest(steps, faulty, fault, fault_size, fault_start,
                                                  tau_min, tau_max, n_tau, seed), outdir)
    lo, hi = res.rows[0], res.rows[-1]
    log.info("tau=%.3g: %s weight %.3f, RMSE %.3f; tau=%.3g: weight %.3f, RMSE %.3f "
             "(healthy-only oracle %.3f)", lo["tau"], faulty, lo["faulty_weight"], lo["fused_rmse"],
             hi["tau"], hi["faulty_weight"], hi["fused_rmse"], lo["healthy_oracle_rmse"])
