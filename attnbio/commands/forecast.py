"""`attnbio forecast`: phase-encoded attention vs seasonal naive vs Holt-Winters on a held-out horizon."""
from __future__ import annotations

import click

from attnbio.commands.common import log, outdir_option, seed_option
from attnbio.errors import InputError

#: Real series that statsmodels ships (offline): name -> (loader, column, description).
DATASETS = {
    "co2": ("co2", "co2", "weekly Mauna Loa CO2 (ppm), 1958-2001"),
    "sunspots": ("sunspots", "SUNACTIVITY", "yearly sunspot numbers, 1700-2008"),
}


@click.command("forecast")
@click.argument("series", required=False, type=click.Path(dir_okay=False))
@click.option("--column", help="Column of SERIES.csv to forecast (rows in time order).")
@click.option("--dataset", type=click.Choice(sorted(DATASETS)),
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
    import numpy as np

    from attnbio.domains import forecast as fc
    from attnbio.io.outdir import staged_outdir
    from attnbio.io.tables import write_tsv

    y, name = _load(series, column, dataset)
    _validate(y, name, horizon, periods, n_periods, tau, cycles)
    if horizon is None:
        found = periods or fc.estimate_periods(y, n_periods)
        if not found:
            raise InputError(f"{name}: no periodic component found; give --period and --horizon")
        horizon = int(round(found[0]))
    if len(y) - horizon < 3 * horizon:
        raise InputError(f"{name}: {len(y)} values are too few to hold out {horizon} and keep "
                         "three times as many for training")
    res = fc.evaluate(y, horizon, periods or None, n_periods, tau, cycles)
    if len(res["train"]) < 2 * res["m"] + 1:
        raise InputError(f"{name}: Holt-Winters needs two full periods ({2 * res['m']} values) "
                         f"of training data, got {len(res['train'])}")
    with staged_outdir(outdir) as tmp:
        write_tsv(tmp / "metrics.tsv", ["method", "mase", "mae", "rmse"], res["metrics"])
        write_tsv(tmp / "forecast.tsv", ["step", "index", "actual", "attention", "seasonal_naive",
                                         "holt_winters"], res["forecast"])
        write_tsv(tmp / "params.tsv", ["parameter", "value"], _params(res, name, horizon))
        _plot(np.asarray(res["train"]), res["forecast"], name, tmp / "forecast.png")
    log.info("%s: MASE %s", name, ", ".join(f"{r['method']} {r['mase']:.3f}" for r in res["metrics"]))


def _load(series, column, dataset):
    if series and dataset:
        raise InputError("give either a SERIES.csv file (with --column) or --dataset, not both")
    if not series and not dataset:
        dataset = "co2"
        log.info("no SERIES.csv given: forecasting %s (--dataset co2)", DATASETS["co2"][2])
    if dataset:
        import importlib

        mod, col, _ = DATASETS[dataset]
        data = importlib.import_module(f"statsmodels.datasets.{mod}").load_pandas().data
        return _clean(data[col], f"dataset {dataset}"), f"dataset {dataset}"
    if not column:
        raise InputError(f"{series}: --column is required to say which column to forecast")
    return _clean(_read_column(series, column), f"{series} column {column!r}"), f"{series}:{column}"


def _read_column(path, column):
    import pandas as pd

    try:
        table = pd.read_csv(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: not a readable CSV file ({str(err).splitlines()[0]})") from None
    if column not in table.columns:
        raise InputError(f"{path}: no column {column!r}; columns are {', '.join(map(str, table.columns))}")
    return table[column]


def _clean(col, name):
    """Numeric values with interior gaps linearly interpolated (the co2 series has 59)."""
    import pandas as pd

    import numpy as np

    values = pd.to_numeric(col, errors="coerce")
    bad = (values.isna() & col.notna()) | np.isinf(values)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(f"{name}: data row {i + 1} is not a finite number ({col.iloc[i]!r})")
    if values.isna().mean() > 0.5:
        raise InputError(f"{name}: more than half of the values are missing")
    return values.interpolate(limit_direction="both").to_numpy(dtype=float)


def _validate(y, name, horizon, periods, n_periods, tau, cycles):
    if horizon is not None and horizon < 1:
        raise InputError(f"--horizon must be at least 1, got {horizon}")
    if any(not 2 <= p < float("inf") for p in periods):
        bad = next(p for p in periods if not 2 <= p < float("inf"))
        raise InputError(f"--period must be a finite number of at least 2 samples, got {bad}")
    if any(p > len(y) / 3 for p in periods):
        raise InputError(f"{name}: --period {max(periods)} is longer than a third of the "
                         f"{len(y)} values")
    if n_periods < 1:
        raise InputError(f"--n-periods must be at least 1, got {n_periods}")
    if tau is not None and not tau > 0:
        raise InputError(f"--tau must be positive, got {tau}")
    if tau is not None and tau == float("inf"):
        raise InputError(f"--tau must be finite, got {tau}")
    if cycles is not None and not 1 <= cycles < float("inf"):
        raise InputError(f"--cycles must be at least 1, got {cycles}")
    if len(y) < 24:
        raise InputError(f"{name}: needs at least 24 values, got {len(y)}")


def _params(res, name, horizon):
    return [("series", name), ("horizon", horizon),
            ("periods", ",".join(f"{p:.4f}" for p in res["periods"])),
            ("season_m", res["m"]), ("tau", res["tau"]), ("window", res["window"]),
            ("n_train", len(res["train"]))]


def _plot(train, rows, name, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    idx = [r["index"] for r in rows]
    start = max(0, len(train) - 4 * len(rows))
    fig, ax = plt.subplots(figsize=(9, 3.5))
    ax.plot(range(start, len(train)), train[start:], color="0.5", lw=1, label="training")
    ax.plot(idx, [r["actual"] for r in rows], color="k", lw=1.5, label="held out")
    for key, style in (("attention", "-"), ("seasonal_naive", ":"), ("holt_winters", "--")):
        ax.plot(idx, [r[key] for r in rows], style, lw=1.5, label=key.replace("_", " "))
    ax.set(xlabel="time index", ylabel="value", title=name)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
