"""Forecasting by phase-encoded attention, scored by MASE against seasonal naive and Holt-Winters.

Each time t gets a phase code p(t) = [sin 2pi t/P_k, cos 2pi t/P_k]_k for one or more periods
P_k (given, or estimated from the periodogram). The query for the forecast of time t+H is
p(t+H), the keys are p(u) for the observed times u, so the score is
q.k = sum_k cos(2pi (t+H-u)/P_k): past times in the same phase score highest. The forecast is a
local linear trend plus the softmax(score/tau)-weighted mean of the detrended past values.

Attention: Vaswani et al. 2017 (scaled dot-product attention; sinusoidal codes, Sec. 3.5);
periodogram: Schuster 1898; MASE: Hyndman & Koehler 2006, "Another look at measures of forecast
accuracy"; Holt-Winters: Winters 1960 (statsmodels ExponentialSmoothing).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnbio.domains import tick
from attnbio.errors import InputError

TAU_GRID = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
#: Key windows tried, in multiples of the longest period.
CYCLES_GRID = (2, 4, 8, 16)


def phase_code(t, periods) -> np.ndarray:
    """Phase code p(t): (len(t), 2K) columns [sin 2pi t/P_k, cos 2pi t/P_k] for k = 1..K."""
    t = np.asarray(t, dtype=float)[:, None]
    ang = 2 * np.pi * t / np.asarray(periods, dtype=float)[None, :]
    return np.concatenate([np.sin(ang), np.cos(ang)], axis=1)


def phase_scores(t_query, t_key, periods) -> np.ndarray:
    """Attention scores q.k (Q, U) between query times and key times: sum_k cos(2pi dt/P_k)."""
    return phase_code(t_query, periods) @ phase_code(t_key, periods).T


def estimate_periods(y, n_periods: int = 1, min_period: float = 2.0,
                     max_period: float | None = None) -> list[float]:
    """The n_periods strongest periods (in samples) of a linearly detrended series.

    Peaks of the periodogram (Schuster 1898), refined by parabolic interpolation of the log
    power around each peak bin so that non-integer periods (52.18 weeks a year) come out right.
    """
    from scipy.signal import find_peaks, periodogram

    y = np.asarray(y, dtype=float)
    n = len(y)
    resid = y - np.polyval(np.polyfit(np.arange(n), y, 1), np.arange(n))
    if np.ptp(resid) <= 1e-12 * max(1.0, np.abs(y).max()):
        return []                                  # a straight line has no period
    nfft = max(n, 4096) * 4                        # zero-padding: a fine grid for the peak
    freq, power = periodogram(resid, detrend=False, nfft=nfft)
    max_period = max_period or n / 2
    ok = (freq >= 1 / max_period) & (freq <= 1 / min_period)
    logp = np.log(power + 1e-300)
    # Peaks at least two native frequency bins apart, so zero-padding side lobes do not count.
    peaks, _ = find_peaks(np.where(ok, logp, -np.inf), distance=max(1, 2 * nfft // n))
    peaks = peaks[np.argsort(power[peaks])[::-1]][:n_periods]
    return [float(1 / _refine(freq, logp, i)) for i in peaks]


def _refine(freq, logp, i: int) -> float:
    a, b, c = logp[i - 1], logp[i], logp[i + 1]
    shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) != 0 else 0.0
    return float(freq[i] + shift * (freq[1] - freq[0]))


@dataclass
class AttentionForecast:
    """Forecast (H,) with the weights (H, U) over the key times (U,) that made it."""
    forecast: np.ndarray
    weights: np.ndarray
    key_times: np.ndarray
    tau: float
    window: int


def attention_forecast(y_train, horizon: int, periods, tau: float, window: int) -> AttentionForecast:
    """Forecast steps 1..horizon after y_train from its last `window` values.

    Trend: least-squares line over the window (why: the seasonal attention must see values
    without the level drift, and the line extrapolates the drift). Seasonal part: attention
    of query p(t+h) over keys p(u) and values y_u - trend(u).
    """
    y = np.asarray(y_train, dtype=float)
    n = len(y)
    u = np.arange(max(0, n - window), n)
    slope, icept = np.polyfit(u, y[u], 1)
    resid = y[u] - (icept + slope * u)
    tq = np.arange(n, n + horizon)
    s = phase_scores(tq, u, periods) / tau
    w = np.exp(s - s.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    return AttentionForecast(icept + slope * tq + w @ resid, w, u, tau, len(u))


def choose_tau_window(y_train, horizon: int, periods, cycles_grid=CYCLES_GRID, tau_grid=TAU_GRID,
                      folds: int = 3) -> tuple[float, int]:
    """(tau, window) with the lowest MAE over `folds` back-tests at the end of the training part.

    Back-test k holds out the horizon ending k horizons before the end of y_train, so the choice
    never sees the real held-out values.
    """
    y = np.asarray(y_train, dtype=float)
    best, best_err = None, np.inf
    for cycles in cycles_grid:
        window = min(len(y), int(round(cycles * max(periods))))
        for tau in tau_grid:
            ks = [k for k in range(1, folds + 1) if len(y) - k * horizon > 2 * max(periods)] or [1]
            err = np.mean([_backtest(y, horizon, periods, tau, window, k) for k in ks])
            if err < best_err:
                best, best_err = (float(tau), window), err
    return best


def _backtest(y, horizon, periods, tau, window, k) -> float:
    end = len(y) - (k - 1) * horizon
    fit, val = y[:end - horizon], y[end - horizon:end]
    return float(np.abs(attention_forecast(fit, horizon, periods, tau, window).forecast - val).mean())


def seasonal_naive(y_train, horizon: int, m: int) -> np.ndarray:
    """y_hat(n+h) = y(n+h-m*ceil(h/m)): the last observed season repeated."""
    y = np.asarray(y_train, dtype=float)
    h = np.arange(1, horizon + 1)
    return y[len(y) - m + (h - 1) % m]


def holt_winters(y_train, horizon: int, m: int) -> np.ndarray:
    """Additive-trend, additive-season Holt-Winters (Winters 1960) via statsmodels."""
    import warnings

    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the MASE tells the story
        fit = ExponentialSmoothing(np.asarray(y_train, dtype=float), trend="add", seasonal="add",
                                   seasonal_periods=m, initialization_method="estimated").fit()
    return np.asarray(fit.forecast(horizon))


def mase(y_true, y_pred, y_train, m: int) -> float:
    """Mean absolute scaled error: MAE over the in-sample MAE of the lag-m seasonal naive."""
    y_train = np.asarray(y_train, dtype=float)
    scale = np.abs(y_train[m:] - y_train[:-m]).mean()
    return float(np.abs(np.asarray(y_true) - np.asarray(y_pred)).mean() / scale)


def evaluate(y, horizon: int, periods=None, n_periods: int = 1, tau: float | None = None,
             cycles: float | None = None) -> dict:
    """Hold out the last `horizon` values; forecast them three ways; MASE, MAE and RMSE of each.

    Periods are estimated from the training part only; tau and the key window (cycles of the
    longest period) are chosen by back-tests inside it unless given. m = round(first period)
    (the strongest when estimated) is the season for seasonal naive, Holt-Winters and the
    MASE scale. Returns a dict with
    'metrics' (rows), 'forecast' (rows), 'periods', 'tau', 'window', 'm', 'train'.
    """
    y = np.asarray(y, dtype=float)
    train, test = y[:-horizon], y[-horizon:]
    periods = list(periods) if periods else estimate_periods(train, n_periods)
    if not periods:
        raise InputError("no periodic component found in the training part; give --period")
    m = int(round(periods[0]))   # the first (strongest) period is the season of the baselines
    tau_c, window = choose_tau_window(train, horizon, periods,
                                      (cycles,) if cycles else CYCLES_GRID,
                                      (tau,) if tau else TAU_GRID)
    tau = tau or tau_c
    preds = {"attention": attention_forecast(train, horizon, periods, tau, window).forecast,
             "seasonal_naive": seasonal_naive(train, horizon, m),
             "holt_winters": holt_winters(train, horizon, m)}
    metrics = [{"method": k, "mase": mase(test, p, train, m),
                "mae": float(np.abs(test - p).mean()),
                "rmse": float(np.sqrt(((test - p) ** 2).mean()))} for k, p in preds.items()]
    rows = [{"step": h + 1, "index": len(train) + h, "actual": test[h],
             **{k: p[h] for k, p in preds.items()}} for h in range(horizon)]
    return {"metrics": metrics, "forecast": rows, "periods": periods, "tau": tau,
            "window": window, "m": m, "train": train}


#: Real series that statsmodels ships (offline): name -> (loader, column, description).
DATASETS = {
    "co2": ("co2", "co2", "weekly Mauna Loa CO2 (ppm), 1958-2001"),
    "sunspots": ("sunspots", "SUNACTIVITY", "yearly sunspot numbers, 1700-2008"),
}
DEFAULT_DATASET = "co2"


@dataclass
class ForecastRequest:
    """One `attnbio forecast` run: a CSV column (series, column) or a bundled dataset (default
    co2), the held-out horizon (default: one period) and the attention settings (default: chosen
    by back-tests). seed is accepted for a uniform interface; the method is deterministic."""

    series: str | None = None
    column: str | None = None
    dataset: str | None = None
    horizon: int | None = None
    periods: tuple = ()
    n_periods: int = 1
    tau: float | None = None
    cycles: float | None = None
    seed: int = 0

    def check(self) -> None:
        """InputError (named by the command's option) for values no series can take."""
        if self.horizon is not None and self.horizon < 1:
            raise InputError(f"--horizon must be at least 1, got {self.horizon}")
        bad = [p for p in self.periods if not 2 <= p < float("inf")]
        if bad:
            raise InputError(f"--period must be a finite number of at least 2 samples, got {bad[0]}")
        if self.n_periods < 1:
            raise InputError(f"--n-periods must be at least 1, got {self.n_periods}")
        if self.tau is not None and not 0 < self.tau < float("inf"):
            raise InputError(f"--tau must be a positive, finite number, got {self.tau}")
        if self.cycles is not None and not 1 <= self.cycles < float("inf"):
            raise InputError(f"--cycles must be at least 1, got {self.cycles}")


@dataclass
class ForecastResult:
    """metrics rows (method, mase, mae, rmse), forecast rows, params rows and the training part."""

    name: str
    horizon: int
    metrics: list = field(default_factory=list)
    forecast: list = field(default_factory=list)
    params: list = field(default_factory=list)
    train: np.ndarray | None = None


def run(req: ForecastRequest, progress=None) -> ForecastResult:
    """Read the series, hold out the horizon and score the three forecasts (evaluate)."""
    req.check()
    y, name = load_series(req.series, req.column, req.dataset)
    check_series(y, name, req.periods)
    horizon = req.horizon
    if horizon is None:
        found = req.periods or estimate_periods(y, req.n_periods)
        if not found:
            raise InputError(f"{name}: no periodic component found; give --period and --horizon")
        horizon = int(round(found[0]))
    if len(y) - horizon < 3 * horizon:
        raise InputError(f"{name}: {len(y)} values are too few to hold out {horizon} and keep "
                         "three times as many for training")
    res = evaluate(y, horizon, req.periods or None, req.n_periods, req.tau, req.cycles)
    if len(res["train"]) < 2 * res["m"] + 1:
        raise InputError(f"{name}: Holt-Winters needs two full periods ({2 * res['m']} values) "
                         f"of training data, got {len(res['train'])}")
    tick(progress, 1, 1)
    params = [("series", name), ("horizon", horizon),
              ("periods", ",".join(f"{p:.4f}" for p in res["periods"])),
              ("season_m", res["m"]), ("tau", res["tau"]), ("window", res["window"]),
              ("n_train", len(res["train"]))]
    return ForecastResult(name, horizon, res["metrics"], res["forecast"], params,
                          np.asarray(res["train"]))


def load_series(series, column, dataset) -> tuple[np.ndarray, str]:
    """(values, name) from a CSV file's column or a statsmodels dataset (default co2)."""
    if series and dataset:
        raise InputError("give either a SERIES.csv file (with --column) or --dataset, not both")
    if not series:
        dataset = dataset or DEFAULT_DATASET
        if dataset not in DATASETS:
            raise InputError(f"--dataset must be one of {', '.join(sorted(DATASETS))}, got {dataset!r}")
        import importlib

        mod, col, _ = DATASETS[dataset]
        data = importlib.import_module(f"statsmodels.datasets.{mod}").load_pandas().data
        return _clean(data[col], f"dataset {dataset}"), f"dataset {dataset}"
    if not column:
        raise InputError(f"{series}: --column is required to say which column to forecast")
    return _clean(_read_column(series, column), f"{series} column {column!r}"), f"{series}:{column}"


def _read_column(path, column):
    """Column `column` of the CSV file `path` ('-': stdin, read once through attnbio.io.source)."""
    import io

    import pandas as pd

    from attnbio.io.source import check_path, read_source_bytes

    check_path(path, "CSV file", missing="no such file")
    try:
        table = pd.read_csv(io.BytesIO(read_source_bytes(path, "CSV file")))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: not a readable CSV file ({str(err).splitlines()[0]})") from None
    if column not in table.columns:
        raise InputError(f"{path}: no column {column!r}; columns are {', '.join(map(str, table.columns))}")
    return table[column]


def _clean(col, name):
    """Numeric values with interior gaps linearly interpolated (the co2 series has 59)."""
    import pandas as pd

    values = pd.to_numeric(col, errors="coerce")
    bad = (values.isna() & col.notna()) | np.isinf(values)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(f"{name}: data row {i + 1} is not a finite number ({col.iloc[i]!r})")
    if values.isna().mean() > 0.5:
        raise InputError(f"{name}: more than half of the values are missing")
    return values.interpolate(limit_direction="both").to_numpy(dtype=float)


def check_series(y, name, periods) -> None:
    """InputError for settings this series is too short for (the options are checked first)."""
    if any(p > len(y) / 3 for p in periods):
        raise InputError(f"{name}: --period {max(periods)} is longer than a third of the "
                         f"{len(y)} values")
    if len(y) < 24:
        raise InputError(f"{name}: needs at least 24 values, got {len(y)}")
