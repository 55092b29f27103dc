"""The heat equation as one attention step: fitted kernel, accuracy and stability."""
import numpy as np
import pytest
import torch

from attnbio.cli import main
from attnbio.domains.pde import attention_matrix, fit_beta, ftcs_step, periodic_distance, run_pde
from attnbio.io.tables import read_tsv

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def result():
    return run_pde(ratios=(0.25, 0.6), n_cells=64, n_steps=600, seed=3)


def test_attention_matrix_is_a_convex_average():
    a = attention_matrix(0.7, 16)
    assert np.allclose(a.sum(axis=1), 1) and (a > 0).all()
    u = np.sin(np.linspace(0, 2 * np.pi, 16, endpoint=False))
    assert np.isclose((a @ u).sum(), u.sum())  # symmetric kernel conserves heat


def test_fitted_step_matches_ftcs_and_heat_kernel_variance(result):
    for fit in result.fits:
        # One attention step diffuses like one time step: kernel variance 2r cells^2.
        assert fit["attention_variance"] == pytest.approx(2 * fit["r"], rel=0.03)
        assert fit["fit_rel_rmse"] < 0.02
        assert fit["beta"] == pytest.approx(1 / (4 * fit["r"]), rel=0.05)


def test_attention_error_vs_analytic_is_small_where_ftcs_is_stable(result):
    rows = [e for e in result.errors if e["r"] == 0.25]
    assert max(e["rel_error_attention"] for e in rows) < 0.01
    assert max(e["rel_error_ftcs"] for e in rows) < 0.01


def test_long_rollout_attention_stable_ftcs_not_beyond_half(result):
    by_r = {row["r"]: row for row in result.stability}
    assert by_r[0.25]["growth_ftcs"] <= 1 + 1e-9
    assert by_r[0.6]["growth_ftcs"] > 1e3
    for row in by_r.values():
        assert row["growth_attention"] <= 1 + 1e-9


def test_ftcs_step_is_the_stencil():
    u = np.zeros(8)
    u[3] = 1.0
    assert np.allclose(ftcs_step(u, 0.2)[2:5], [0.2, 0.6, 0.2])


def test_cli_writes_tables_and_rejects_bad_ratios(tmp_path):
    with pytest.raises(SystemExit) as ok:
        main(["-q", "pde", "--ratios", "0.2,0.7", "--cells", "16", "--steps", "300",
              "--threads", "1", "-o", str(tmp_path / "out")])
    assert ok.value.code == 0
    stab = read_tsv(tmp_path / "out" / "stability.tsv")
    assert [row["stable_attention"] for row in stab] == ["True", "True"]
    assert [row["stable_ftcs"] for row in stab] == ["True", "False"]
    assert (tmp_path / "out" / "kernel.png").stat().st_size > 1000
    with pytest.raises(SystemExit) as bad:
        main(["pde", "--ratios", "-1", "-o", str(tmp_path / "bad")])
    assert bad.value.code == 2 and not (tmp_path / "bad").exists()


def test_same_seed_same_bytes(tmp_path):
    for name in ("a", "b"):
        with pytest.raises(SystemExit):
            main(["-q", "pde", "--ratios", "0.3,0.8", "--cells", "16", "--steps", "100",
                  "--threads", "1", "--seed", "5", "-o", str(tmp_path / name)])
    for f in ("fits.tsv", "kernel.tsv", "errors.tsv", "stability.tsv", "kernel.png", "rollout.png"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


@pytest.mark.parametrize("r", [0.001, 0.01, 0.05])
def test_fit_converges_for_small_r(r):
    """For small r the heat-kernel start has vanishing gradients; the fit must still reach 2r."""
    beta, misfit = fit_beta(r, 32, np.random.default_rng(0))
    variance = (attention_matrix(beta, 32)[0] * periodic_distance(32)[0] ** 2).sum()
    assert variance == pytest.approx(2 * r, rel=0.01)
    assert misfit < 1e-3


def test_run_api_request_to_result():
    from attnbio.domains import pde
    from attnbio.errors import InputError

    res = pde.run(pde.PdeRequest(ratios=(0.25,), cells=16, steps=50, train_modes=2))
    (fit,) = res.fits
    assert fit["attention_variance"] == pytest.approx(0.5, rel=0.05)   # 2 r cells^2
    assert res.stability[0]["steps"] == 50
    with pytest.raises(InputError, match="--train-modes"):
        pde.run(pde.PdeRequest(cells=8, train_modes=4))
