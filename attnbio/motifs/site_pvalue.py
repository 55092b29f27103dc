"""p-values of PWM site scores: P(score >= s) for one window under a uniform i.i.d. background.

The exact distribution of the sum of column scores on a discretised grid (Staden 1994;
Touzet & Varre 2007), the distribution FIMO reads its p-values from and the one
pwm.score_threshold inverts; grid width `resolution` bits (scores are rounded to the grid).
"""
from __future__ import annotations

import numpy as np

from attnbio.motifs.pwm import UNIFORM


def score_tail(lo: np.ndarray, background=UNIFORM, resolution: float = 0.05) -> tuple[int, np.ndarray]:
    """(offset, tail): tail[k] = P(score >= (k + offset) * resolution) for the (w, 4) log-odds `lo`."""
    ints = np.round(lo / resolution).astype(int)
    offset = ints.min(axis=1)
    shifted = ints - offset[:, None]
    dist = np.ones(1)
    for col in shifted:
        new = np.zeros(len(dist) + col.max())
        for b in range(4):
            new[col[b]:col[b] + len(dist)] += background[b] * dist
        dist = new
    return int(offset.sum()), np.cumsum(dist[::-1])[::-1]


def score_pvalues(lo: np.ndarray, scores, background=UNIFORM, resolution: float = 0.05) -> np.ndarray:
    """p-value of each score in `scores` (log2-odds under `lo`), on the grid of score_tail."""
    offset, tail = score_tail(lo, background, resolution)
    k = np.round(np.asarray(scores, float) / resolution).astype(int) - offset
    return tail[np.clip(k, 0, len(tail) - 1)]        # a score above the grid's top is the top bin
