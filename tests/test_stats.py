"""attnbio.stats: one Benjamini-Hochberg and one AUROC, checked against scipy, R and scikit-learn."""
import numpy as np
import pytest
from scipy.stats import false_discovery_control, rankdata

from attnbio.stats import auroc, bh_qvalues


def test_bh_matches_r_p_adjust():
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.5, 0.001), "BH") -> 0.025 0.05 0.05 0.5 0.005
    q = bh_qvalues([0.01, 0.04, 0.03, 0.5, 0.001])
    np.testing.assert_allclose(q, [0.025, 0.05, 0.05, 0.5, 0.005], rtol=1e-12)


def test_bh_agrees_with_scipy_to_one_ulp_on_many_arrays():
    rng = np.random.default_rng(0)
    for n in (2, 7, 50, 400):
        for _ in range(20):
            p = rng.random(n) ** 3
            p[rng.random(n) < 0.1] = p[0]          # ties
            np.testing.assert_allclose(bh_qvalues(p), false_discovery_control(p), rtol=0, atol=4.5e-16)


def test_bh_nan_stays_nan_and_does_not_count():
    p = np.array([[0.01, np.nan], [0.04, 0.03]])
    q = bh_qvalues(p)
    assert q.shape == (2, 2) and np.isnan(q[0, 1])
    # m = 3 (the NaN is not a test): the others are adjusted as the array without it.
    np.testing.assert_array_equal(q[~np.isnan(p)], bh_qvalues([0.01, 0.04, 0.03]))
    assert bh_qvalues([]).shape == (0,) and np.isnan(bh_qvalues([np.nan])).all()


def test_bh_is_the_one_the_packages_use():
    import attnbio.motifs.discover as discover
    import attnbio.protein.analyze as analyze

    assert discover.bh_qvalues is bh_qvalues and analyze.bh_qvalues is bh_qvalues


def _rank_auroc(labels, scores):
    """Mann-Whitney U / (n1 n0) with mid-ranks for ties (the formula attnbio used before)."""
    labels = np.asarray(labels, bool)
    n1, n0 = labels.sum(), (~labels).sum()
    return (rankdata(scores)[labels].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


def test_auroc_known_values_ties_and_one_class():
    assert auroc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert auroc([0, 0, 1, 1], [0.4, 0.3, 0.2, 0.1]) == 0.0
    assert auroc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5              # ties count one half
    assert auroc([0, 0, 1, 1], [0.1, 0.3, 0.3, 0.4]) == pytest.approx(0.875)
    assert np.isnan(auroc([1, 1, 1], [0.1, 0.2, 0.3])) and np.isnan(auroc([0, 0], [0.1, 0.2]))
    rng = np.random.default_rng(1)
    for _ in range(30):
        y = rng.random(200) < 0.4
        s = np.round(rng.normal(size=200) + y, 1).astype(np.float32)     # many ties
        assert auroc(y, s) == pytest.approx(_rank_auroc(y, s), abs=1e-15)
