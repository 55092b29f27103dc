"""Position weight matrices: log-odds, exact score thresholds, fast scanning, similarity, trimming."""
from __future__ import annotations

import numpy as np

UNIFORM = np.full(4, 0.25)


def log_odds(probs: np.ndarray, background=UNIFORM, pseudo: float = 0.01) -> np.ndarray:
    """(width, 4) probabilities -> (width, 4) log2-odds against `background`."""
    p = (probs + pseudo) / (1 + 4 * pseudo)
    return np.log2(p / np.asarray(background)[None, :])


def score_threshold(lo: np.ndarray, pvalue: float, background=UNIFORM, resolution: float = 0.05) -> float:
    """Smallest score whose upper-tail probability under the background is <= pvalue.

    Exact distribution of the sum of column scores on a discretised grid, the method FIMO uses
    (Staden 1994; Touzet & Varre 2007); `resolution` is the bin width in bits.
    """
    ints = np.round(lo / resolution).astype(int)
    offset = ints.min(axis=1)
    shifted = ints - offset[:, None]
    dist = np.ones(1)
    for col in shifted:
        new = np.zeros(len(dist) + col.max())
        for b in range(4):
            new[col[b]:col[b] + len(dist)] += background[b] * dist
        dist = new
    tail = np.cumsum(dist[::-1])[::-1]          # P(score >= k)
    ok = np.flatnonzero(tail <= pvalue)
    k = ok[0] if len(ok) else len(dist) - 1
    return float((k + offset.sum()) * resolution)


def scan(x: np.ndarray, mask: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """Both-strand scores of a PWM over one-hot sequences.

    x (N, L, 4), mask (N, L), lo (w, 4) -> scores (N, L - w + 1, 2) float32: [..., 0] the
    forward strand at each start, [..., 1] the reverse strand; windows touching padding = -inf.
    """
    import torch

    w = lo.shape[0]
    if x.shape[1] < w:
        return np.full((x.shape[0], 0, 2), -np.inf, np.float32)
    weight = np.stack([lo.T, lo[::-1, ::-1].T]).astype(np.float32)      # (2, 4, w)
    with torch.no_grad():
        out = torch.nn.functional.conv1d(torch.from_numpy(x).transpose(1, 2),
                                         torch.from_numpy(np.ascontiguousarray(weight)))
        valid = torch.nn.functional.max_pool1d((~torch.from_numpy(mask))[:, None].float(), w, stride=1)[:, 0] == 0
    scores = out.transpose(1, 2).numpy()
    scores[~valid.numpy()] = -np.inf
    return scores


def mean_best_score(windows: np.ndarray, probs: np.ndarray) -> float:
    """Mean over code windows (n, W; 0-3 = ACGT, 4 = N) of each window's best both-strand
    log-odds under `probs`; N and positions past the window's end score 0."""
    w = probs.shape[0]
    x = np.zeros((len(windows), max(windows.shape[1], w), 4), np.float32)
    x[:, :windows.shape[1]] = np.eye(5, dtype=np.float32)[windows][..., :4]
    scores = scan(x, np.ones(x.shape[:2], bool), log_odds(probs))
    return float(scores.reshape(len(windows), -1).max(axis=1).mean())


def information_content(probs: np.ndarray, background=0.25) -> np.ndarray:
    """Bits per column of a (width, 4) probability matrix against a uniform background."""
    p = np.clip(probs, 1e-9, 1)
    return (p * np.log2(p / background)).sum(axis=1)


def trim(probs: np.ndarray, min_ic: float = 0.3, min_width: int = 5) -> tuple[int, int]:
    """Start and end (exclusive) after dropping flank columns with less than `min_ic` bits."""
    ic = information_content(probs)
    keep = np.flatnonzero(ic >= min_ic)
    if len(keep) == 0:
        return 0, 0
    start, end = int(keep[0]), int(keep[-1]) + 1
    while end - start < min_width and (start > 0 or end < len(probs)):
        if start > 0 and (end == len(probs) or ic[start - 1] >= ic[end]):
            start -= 1
        else:
            end += 1
    return start, end


def reverse_complement(probs: np.ndarray) -> np.ndarray:
    """Reverse complement of a (width, 4) ACGT matrix."""
    return probs[::-1, ::-1].copy()


def similarity(p: np.ndarray, q: np.ndarray, min_overlap: int = 5) -> float:
    """Best mean column Pearson correlation over ungapped alignments of p with q or its RC.

    A quick, Tomtom-like score (Gupta et al. 2007 use the same column correlation) in [-1, 1].
    """
    best = -1.0
    for qq in (q, reverse_complement(q)):
        for off in range(-(len(qq) - min_overlap), len(p) - min_overlap + 1):
            i0, j0 = max(off, 0), max(-off, 0)
            n = min(len(p) - i0, len(qq) - j0)
            if n < min(min_overlap, len(p), len(qq)):
                continue
            a = p[i0:i0 + n] - p[i0:i0 + n].mean(axis=1, keepdims=True)
            b = qq[j0:j0 + n] - qq[j0:j0 + n].mean(axis=1, keepdims=True)
            num = (a * b).sum(axis=1)
            den = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1)) + 1e-9
            best = max(best, float((num / den).mean()))
    return best
