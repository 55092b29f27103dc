"""motifs.pwm: log-odds thresholds, scans on both strands, similarity, trimming, window scores."""
import numpy as np
import pytest

from attnbio.motifs import pwm as P
from attnbio.motifs.encode import one_hot


def test_score_threshold_matches_empirical_tail():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.full(4, 0.3), size=10)
    lo = P.log_odds(probs)
    thr = P.score_threshold(lo, 1e-3)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (3000, 100))]
    frac = (P.scan(x, np.ones((3000, 100), bool), lo)[..., 0] >= thr).mean()
    assert 0.4e-3 < frac < 1.6e-3


def test_scan_finds_planted_site_on_both_strands():
    probs = np.eye(4)[[0, 1, 2, 2, 3, 0]] * 0.97 + 0.0075
    lo = P.log_odds(probs)
    seq = "TTTTTTACGGTATTTTTT" + "TTTT" + "TATACCGTTTT"   # forward at 6, reverse at 24
    x, mask, _ = one_hot([seq])
    s = P.scan(x, mask, lo)[0]
    assert s[:, 0].argmax() == 6 and s[:, 1].argmax() == 24


def test_similarity_and_trim():
    rng = np.random.default_rng(1)
    a = rng.dirichlet(np.full(4, 0.2), size=10)
    assert P.similarity(a, a) > 0.99
    assert P.similarity(a, P.reverse_complement(a)) > 0.99
    assert P.similarity(a, rng.dirichlet(np.full(4, 0.2), size=10)) < 0.9
    flank = np.full((3, 4), 0.25)
    assert P.trim(np.vstack([flank, a, flank]))[0] >= 3


def test_mean_best_score_counts_n_as_zero_and_takes_either_strand():
    lo = np.eye(4)[[0, 1, 2, 2]] * 0.96 + 0.01                  # ACGG
    windows = np.array([[4, 0, 1, 2, 2, 4],                      # N ACGG N
                        [1, 1, 2, 3, 4, 4],                      # CCGT = revcomp(ACGG) after C
                        [4, 4, 4, 4, 4, 4]], dtype=np.uint8)     # all N
    best = P.log_odds(lo).max(axis=1).sum()
    assert P.mean_best_score(windows[:1], lo) == pytest.approx(best, rel=1e-5)
    assert P.mean_best_score(windows[1:2], lo) == pytest.approx(best, rel=1e-5)
    assert P.mean_best_score(windows[2:], lo) == 0.0
    assert P.mean_best_score(windows[:1, :3], lo) < best        # profile longer than the window
