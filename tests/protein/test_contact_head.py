"""The stacked contact head (attnbio.protein.head): pair propensity index, fitting, card round trip,
and the agreement weight that turns the attention features off."""
import numpy as np
import pytest

from attnbio.errors import InputError
from attnbio.protein.head import (HEAD_FEATURES, N_PAIRS, ContactHead, fit_logistic, pair_index,
                                  raw_features)
from attnbio.protein.scales import AMINO_ACIDS

SEQ = "MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQWCNPDX"


def test_pair_index_is_one_symmetric_slot_per_unordered_amino_acid_pair():
    idx = pair_index(AMINO_ACIDS + "X")
    np.testing.assert_array_equal(idx, idx.T)
    core = idx[:20, :20][np.triu_indices(20)]
    assert sorted(core.tolist()) == list(range(N_PAIRS))
    assert (idx[20] == N_PAIRS).all() and (idx[:, 20] == N_PAIRS).all()


def test_fit_logistic_recovers_known_coefficients():
    rng = np.random.default_rng(0)
    n = 20000
    z = rng.normal(size=(n, 2))
    pair = rng.integers(0, 3, n)
    true_tab = np.array([1.0, -1.0, 0.0])
    s = 1.5 * z[:, 0] - 0.5 * z[:, 1] + true_tab[pair] - 1.0
    y = (rng.random(n) < 1 / (1 + np.exp(-s))).astype(float)
    coef, tab, b, _ = fit_logistic(z, pair, y, np.ones(n), lam=1e-6)
    np.testing.assert_allclose(coef, [1.5, -0.5], atol=0.1)
    # the intercept and the pair table share one degree of freedom: compare differences
    np.testing.assert_allclose(tab[:3] - tab[2], true_tab - true_tab[2], atol=0.15)
    assert abs((tab[2] + b) - (-1.0)) < 0.15
    assert tab[N_PAIRS] == 0.0


def _head(attention_coef=2.0):
    rng = np.random.default_rng(1)
    f = len(HEAD_FEATURES)
    coef = rng.normal(size=f) * 0.1
    coef[HEAD_FEATURES.index("attention")] = attention_coef
    return ContactHead(HEAD_FEATURES, np.zeros(f), np.ones(f), coef,
                       np.append(rng.normal(size=N_PAIRS) * 0.1, 0.0), -3.0, 1e-3)


def test_zero_agreement_weight_removes_attention_and_card_round_trips():
    head = _head()
    n = len(SEQ)
    ss = np.full((n, 3), 1 / 3)
    a = np.random.default_rng(2).normal(size=(n, n))
    a = a + a.T
    p1, p2 = head.prob(SEQ, a, 1.0, ss), head.prob(SEQ, -a, 1.0, ss)
    assert not np.allclose(p1, p2)
    np.testing.assert_allclose(head.prob(SEQ, a, 0.0, ss), head.prob(SEQ, -a, 0.0, ss))
    np.testing.assert_allclose(p1, p1.T)
    back = ContactHead.from_card(head.to_card())
    np.testing.assert_allclose(back.prob(SEQ, a, 0.7, ss), head.prob(SEQ, a, 0.7, ss))
    assert raw_features(SEQ, None, ss).shape == (n, n, len(HEAD_FEATURES))


def test_malformed_head_in_a_card_is_an_input_error():
    card = _head().to_card()
    card["coef"] = card["coef"][:-1]
    with pytest.raises(InputError, match="contact_head is malformed"):
        ContactHead.from_card(card)
