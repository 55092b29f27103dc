"""Files of `attnbio forecast`: metrics.tsv, forecast.tsv, params.tsv and forecast.png."""
from __future__ import annotations

from pathlib import Path

from attnbio.domains.outputs import pyplot, save_figure, write_tables


def write(res, outdir) -> None:
    """Write a ForecastResult into the folder `outdir`."""
    outdir = Path(outdir)
    write_tables(outdir, [
        ("metrics.tsv", ["method", "mase", "mae", "rmse"], res.metrics),
        ("forecast.tsv", ["step", "index", "actual", "attention", "seasonal_naive", "holt_winters"],
         res.forecast),
        ("params.tsv", ["parameter", "value"], res.params)])
    plot(res.train, res.forecast, res.name, outdir / "forecast.png")


def plot(train, rows, name, path) -> None:
    """The end of the training part, the held-out values and the three forecasts."""
    plt = pyplot()
    idx = [r["index"] for r in rows]
    start = max(0, len(train) - 4 * len(rows))
    fig, ax = plt.subplots(figsize=(9, 3.5))
    ax.plot(range(start, len(train)), train[start:], color="0.5", lw=1, label="training")
    ax.plot(idx, [r["actual"] for r in rows], color="k", lw=1.5, label="held out")
    for key, style in (("attention", "-"), ("seasonal_naive", ":"), ("holt_winters", "--")):
        ax.plot(idx, [r[key] for r in rows], style, lw=1.5, label=key.replace("_", " "))
    ax.set(xlabel="time index", ylabel="value", title=name)
    ax.legend(fontsize=8)
    save_figure(fig, path, dpi=120)
