import numpy as np
import pytest
from click.testing import CliRunner

from attnbio.commands.fusion import command
from attnbio.domains import fusion
from attnbio.errors import InputError
from attnbio.io.tables import read_tsv


@pytest.mark.parametrize("fault", ["bias", "noise", "stuck"])
def test_low_tau_ignores_faulty_sensor_high_tau_does_not(fault):
    s = fusion.simulate(n_steps=1500, faulty="lidar", fault=fault, fault_size=3.0, seed=1)
    rows = fusion.sweep(s, [0.01, 1e4])
    low, high = rows
    assert low["faulty_weight"] < 0.01
    # Fused error at low tau is within the range of the healthy sensors alone.
    assert low["fused_rmse"] <= 1.05 * low["worst_healthy_rmse"]
    if fault != "stuck":  # a frozen reading near a slow state stays plausible for long
        assert high["faulty_weight"] > 0.2
        assert high["fused_rmse"] > 2 * low["fused_rmse"]


def test_weights_are_softmax_of_key_dot_query():
    s = fusion.simulate(n_steps=50, seed=3)
    keys, query, values = fusion.tokens(s)
    fused, w = fusion.fuse(s, tau=2.0)
    logits = keys[7] @ query / 2.0
    expect = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(w[7], expect, rtol=1e-12)
    np.testing.assert_allclose(fused[7], expect @ values[7], rtol=1e-12)
    # The identity part of the key scores each sensor by its calibrated log precision.
    np.testing.assert_allclose(keys[7, :, :3] @ query[:3], np.log(1 / s.sigma**2))


def test_cli_writes_sweep(tmp_path):
    out = tmp_path / "fu"
    r = CliRunner().invoke(command, ["--steps", "400", "--n-tau", "4", "-o", str(out)])
    assert r.exit_code == 0, r.output
    rows = read_tsv(out / "sweep.tsv")
    assert len(rows) == 4 and (out / "fusion.png").stat().st_size > 1000
    assert float(rows[0]["faulty_weight"]) < float(rows[-1]["faulty_weight"])


def test_bad_option_is_input_error(tmp_path):
    r = CliRunner().invoke(command, ["--tau-min", "5", "--tau-max", "1", "-o", str(tmp_path / "x")])
    assert isinstance(r.exception, InputError)
    assert not (tmp_path / "x").exists()


def test_same_seed_same_bytes(tmp_path):
    for name in ("a", "b"):
        r = CliRunner().invoke(command, ["--steps", "300", "--seed", "4", "-o", str(tmp_path / name)])
        assert r.exit_code == 0, r.output
    for f in ("sweep.tsv", "fusion.png"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_run_api_request_to_result():
    res = fusion.run(fusion.FusionRequest(steps=400, n_tau=3, faulty="camera"))
    assert [r["tau"] for r in res.rows] == pytest.approx([1e-2, 10.0, 1e4])
    assert res.rows[0]["faulty_weight"] < 0.01 < res.rows[-1]["faulty_weight"]
    assert res.rows[0]["weight_camera"] == res.rows[0]["faulty_weight"]
    with pytest.raises(InputError, match="--faulty"):
        fusion.run(fusion.FusionRequest(faulty="radar"))
