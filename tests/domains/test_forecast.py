import numpy as np
import pytest
from click.testing import CliRunner

from attnbio.commands.forecast import command
from attnbio.domains import forecast as fc
from attnbio.errors import InputError
from attnbio.io.tables import read_tsv


@pytest.mark.parametrize("period,horizon", [(12.0, 1), (52.18, 7), (7.3, 20)])
def test_score_is_cosine_of_phase_difference(period, horizon):
    rng = np.random.default_rng(0)
    t = rng.integers(0, 500, size=30)
    u = rng.integers(0, 500, size=40)
    s = fc.phase_scores(t + horizon, u, [period])
    expect = np.cos(2 * np.pi * (t[:, None] + horizon - u[None, :]) / period)
    np.testing.assert_allclose(s, expect, atol=1e-9)
    # Several periods add their cosines.
    s2 = fc.phase_scores(t + horizon, u, [period, 3.0])
    np.testing.assert_allclose(s2 - s, np.cos(2 * np.pi * (t[:, None] + horizon - u) / 3.0), atol=1e-9)


def _synthetic(n=800, period=12.5, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 0.01 * t + np.sin(2 * np.pi * t / period) + 0.1 * rng.normal(size=n)


def test_periodogram_finds_non_integer_period():
    (p,) = fc.estimate_periods(_synthetic(period=12.5))
    assert abs(p - 12.5) < 0.05


def test_attention_beats_seasonal_naive_on_non_integer_period():
    res = fc.evaluate(_synthetic(), horizon=25)
    mase = {r["method"]: r["mase"] for r in res["metrics"]}
    assert mase["attention"] < 0.8 * mase["seasonal_naive"]


def test_co2_heldout_year_mase():
    """Real weekly Mauna Loa CO2: the phase-attention forecast of the last year is scored by MASE."""
    res = fc.evaluate(_co2(), horizon=52)
    mase = {r["method"]: r["mase"] for r in res["metrics"]}
    assert abs(res["periods"][0] - 52.18) < 0.5      # a year in weeks
    assert mase["attention"] < 0.5 * mase["seasonal_naive"]
    # Holt-Winters is computed alongside; on rolling origins it wins on co2 (benchmarks/forecast.py),
    # so only require attention to be in its league here.
    assert mase["attention"] < 2 * mase["holt_winters"]


def _co2():
    from statsmodels.datasets import co2
    return co2.load_pandas().data["co2"].interpolate().to_numpy()


def test_cli_csv_column(tmp_path):
    csv = tmp_path / "s.csv"
    y = _synthetic(n=300)
    csv.write_text("day,value\n" + "".join(f"{i},{v}\n" for i, v in enumerate(y)))
    out = tmp_path / "fc"
    r = CliRunner().invoke(command, [str(csv), "--column", "value", "--horizon", "25", "-o", str(out)])
    assert r.exit_code == 0, r.output
    metrics = {m["method"]: float(m["mase"]) for m in read_tsv(out / "metrics.tsv")}
    assert set(metrics) == {"attention", "seasonal_naive", "holt_winters"}
    assert len(read_tsv(out / "forecast.tsv")) == 25


def test_cli_missing_column_is_input_error(tmp_path):
    csv = tmp_path / "s.csv"
    csv.write_text("a,b\n1,2\n")
    r = CliRunner().invoke(command, [str(csv), "--column", "value", "-o", str(tmp_path / "o")])
    assert isinstance(r.exception, InputError) and "no column 'value'" in str(r.exception)
    assert not (tmp_path / "o").exists()


def test_default_is_co2_and_same_seed_same_bytes(tmp_path):
    """`attnbio forecast -o OUT` needs no input: it forecasts the held-out year of weekly CO2."""
    for name in ("a", "b"):
        r = CliRunner().invoke(command, ["--seed", "3", "-o", str(tmp_path / name)])
        assert r.exit_code == 0, r.output
    params = {p["parameter"]: p["value"] for p in read_tsv(tmp_path / "a" / "params.tsv")}
    assert params["series"] == "dataset co2" and params["horizon"] == "52"
    mase = {m["method"]: float(m["mase"]) for m in read_tsv(tmp_path / "a" / "metrics.tsv")}
    assert mase["attention"] < 0.5 * mase["seasonal_naive"]
    for f in ("metrics.tsv", "forecast.tsv", "params.tsv", "forecast.png"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_run_api_request_to_result(tmp_path):
    t = np.arange(300)
    csv = tmp_path / "s.csv"
    csv.write_text("v\n" + "\n".join(f"{0.01 * i + np.sin(2 * np.pi * i / 12.5):.6f}" for i in t) + "\n")
    res = fc.run(fc.ForecastRequest(series=str(csv), column="v", horizon=25, periods=(12.5,)))
    mase = {r["method"]: r["mase"] for r in res.metrics}
    assert res.horizon == 25 and len(res.forecast) == 25 and len(res.train) == 275
    assert mase["attention"] < 0.5 * mase["seasonal_naive"]
    assert dict(res.params)["season_m"] == 12          # round(12.5) is the baselines' season
    with pytest.raises(InputError, match="not both"):
        fc.run(fc.ForecastRequest(series=str(csv), column="v", dataset="co2"))
