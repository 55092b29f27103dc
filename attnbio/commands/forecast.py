"""`attnbio forecast`: phase-encoded attention vs seasonal naive vs Holt-Winters on a held-out horizon."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option, run_domain, seed_option
from attnbio.domains import forecast as fc


@click.command("forecast")
@click.argument("series", required=False, type=click.Path(dir_okay=False))
@click.option("--column", help="Column of SERIES.csv to forecast (rows in time order).")
@click.option("--dataset", type=click.Choice(sorted(fc.DATASETS)),
              help="Use a real series that statsmodels ships instead of a CSV file "
                   "[default without SERIES: co2].")
@click.option("--horizon", type=int, default=None,
              help="Held-out steps to forecast [default: one period].")
@click.option("--period", "periods", type=float, multiple=True,
              help="Period in samples (repeat for several; the first is the season of the baselines); "
                   "default: from the periodogram.")
@click.option("--n-periods", type=int, default=1, show_default=True,
              help="Periods to estimate from the periodogram when --period is not given.")
@click.option("--tau", type=float, default=None,
              help="Attention temperature [default: chosen on the end of the training part].")
@click.option("--cycles", type=float, default=None,
              help="Keys are the last CYCLES longest periods [default: chosen like --tau].")
@seed_option
@outdir_option
def command(series, column, dataset, horizon, periods, n_periods, tau, cycles, seed, outdir):
    """Forecast a series with phase-encoded attention.

    Queries p(t+H) and keys p(u), p = [sin 2pi t/P, cos 2pi t/P], attend over the detrended
    past. Holds out the last HORIZON values and scores attention, seasonal naive and
    Holt-Winters by MASE. Writes metrics.tsv, forecast.tsv, params.tsv and forecast.png.
    Without SERIES or --dataset it forecasts weekly Mauna Loa CO2 (--dataset co2).
    (--seed is accepted for a uniform interface; the method is deterministic.)
    """
    if not series and not dataset:
        log.info("no SERIES.csv given: forecasting %s (--dataset %s)",
                 fc.DATASETS[fc.DEFAULT_DATASET][2], fc.DEFAULT_DATASET)
    res = run_domain(fc, fc.ForecastRequest(series, column, dataset, horizon, periods, n_periods,
                                            tau, cycles, seed), outdir)
    log.info("%s: MASE %s", res.name, ", ".join(f"{r['method']} {r['mase']:.3f}" for r in res.metrics))
