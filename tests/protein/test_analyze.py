import numpy as np
import pytest

from attnbio.protein.analyze import (accumulate_lenses, apc, bh_qvalues, contact_precisions,
                                     lens_statistics, precision_at, top_contacts)
from attnbio.protein.scales import pair_features


def test_apc_removes_row_column_product():
    rng = np.random.default_rng(0)
    r = rng.random(10)
    x = np.outer(r, r)  # pure background: APC leaves nothing
    np.testing.assert_allclose(apc(x), 0, atol=1e-12)


def test_precision_at_counts_top_pairs_in_range():
    n = 50
    contacts = np.zeros((n, n), bool)
    scores = np.zeros((n, n))
    # 10 long-range pairs (= L/5) scored highest; 6 of them are contacts.
    pairs = [(k, k + 30) for k in range(10)]
    for rank, (i, j) in enumerate(pairs):
        scores[i, j] = scores[j, i] = 10 - rank
        if rank < 6:
            contacts[i, j] = contacts[j, i] = True
    assert precision_at(scores, contacts, 24, None, 5) == pytest.approx(0.6)
    assert precision_at(scores, contacts, 24, None, 1) == pytest.approx(6 / 50)
    p = contact_precisions(scores, contacts)
    assert p["long_P@L/5"] == pytest.approx(0.6) and p["short_P@L"] == 0.0


def test_bh_qvalues_known_values():
    q = bh_qvalues(np.array([0.01, 0.04, 0.03, np.nan]))
    np.testing.assert_allclose(q[:3], [0.03, 0.04, 0.04])
    assert np.isnan(q[3])


def test_lens_statistics_finds_planted_lenses():
    """Head 1 attends hydrophobic pairs, head 2 opposite charges, head 3 uniformly."""
    rng = np.random.default_rng(1)
    maps, feats = [], []
    for _ in range(6):
        seq = "".join(rng.choice(list("ACDEFGHIKLMNPQRSTVWY"), 80))
        f = pair_features(seq)
        a = np.full((1, 3, 80, 80), 1 / 80)
        for h, name in ((0, "hydrophobic"), (1, "opposite_charge")):
            m = f[name] & ~np.eye(80, dtype=bool)
            for i in range(80):
                js = np.flatnonzero(m[i])
                if js.size:
                    a[0, h, i] = 0.0
                    a[0, h, i, rng.choice(js)] = 0.9
        maps.append(a)
        feats.append(f)
    rows = lens_statistics(accumulate_lenses(maps, feats, 0.3))
    assert [r["lens"] for r in rows] == ["hydrophobic", "opposite_charge", ""]
    assert rows[0]["hydrophobic_prop"] == pytest.approx(1.0)
    assert rows[0]["hydrophobic_q"] < 1e-10 and rows[1]["opposite_charge_z"] > 10
    assert rows[2]["n_pairs"] == 0
    # Background is the rate over all i != j pairs.
    f0 = feats[0]["hydrophobic"]
    assert 0 < rows[0]["hydrophobic_bg"] < 0.5 and f0.dtype == bool


def test_top_contacts_order_and_separation():
    p = np.zeros((20, 20))
    p[0, 10] = p[10, 0] = 0.9
    p[2, 4] = p[4, 2] = 0.99  # too close: excluded
    p[3, 19] = p[19, 3] = 0.5
    i, j = top_contacts(p, top=2)
    assert list(zip(i.tolist(), j.tolist())) == [(0, 10), (3, 19)]
