"""Statistics shared by the packages: Benjamini-Hochberg q-values and AUROC, one definition each."""
from __future__ import annotations

import numpy as np


def bh_qvalues(p) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) for an array of p-values of any shape.

    Benjamini & Hochberg (1995) J. R. Stat. Soc. B 57:289, step-up procedure; the adjusted value
    of the i-th smallest of m p-values is min over j >= i of p_(j) m / j, capped at 1 (R's
    p.adjust(method="BH"), scipy.stats.false_discovery_control(method="bh")).

    NaN rule: a NaN p-value (a test that could not be made) stays NaN in the output and does not
    count in m; the other entries are adjusted among themselves. Same shape and order as `p`.

    The arithmetic is p * m / j in float64, as attnbio always computed it, so results are
    bit-for-bit those of earlier versions; scipy's p * (m / j) differs from it by at most 1 ulp
    (tests/test_stats.py checks the agreement).
    """
    arr = np.asarray(p, dtype=np.float64)
    flat = arr.ravel()
    q = np.full(flat.shape, np.nan)
    ok = ~np.isnan(flat)
    pv = flat[ok]
    if pv.size:
        order = np.argsort(pv, kind="stable")
        ranked = pv[order] * pv.size / np.arange(1, pv.size + 1)
        ranked = np.minimum.accumulate(ranked[::-1])[::-1]
        out = np.empty_like(pv)
        out[order] = np.minimum(ranked, 1.0)
        q[ok] = out
    return q.reshape(arr.shape)


def auroc(labels, scores) -> float:
    """Area under the ROC curve of `scores` for binary `labels` (1-D, same length).

    sklearn.metrics.roc_auc_score (trapezoidal area under the ROC curve; tied scores count one
    half, so it equals the Mann-Whitney U statistic / (n1 n0), Hanley & McNeil 1982 Radiology
    143:29). NaN when `labels` hold one class only (the area is undefined), instead of
    scikit-learn's error.
    """
    from sklearn.metrics import roc_auc_score

    labels = np.asarray(labels).astype(bool)
    if labels.all() or not labels.any():
        return float("nan")
    return float(roc_auc_score(labels, np.asarray(scores)))
