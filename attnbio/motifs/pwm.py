"""Position weight matrices: log-odds, exact score thresholds, fast scanning, similarity, trimming."""
from __future__ import annotations

import numpy as np

UNIFORM = np.full(4, 0.25)


def log_odds(probs: np.ndarray, background=UNIFORM, pseudo: float = 0.01) -> np.ndarray:
    """(width, 4) probabilities -> (width, 4) log2-odds against `background`."""
    p = (probs + pseudo) / (1 + 4 * pseudo)
    return np.log2(p / np.asarray(background)[None, :])


def score_tail(lo: np.ndarray, background=UNIFORM, resolution: float = 0.05) -> tuple[int, np.ndarray]:
    """(offset, tail): tail[k] = P(score >= (k + offset) * resolution) for one window scored by `lo`.

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
    return int(offset.sum()), np.cumsum(dist[::-1])[::-1]


def score_threshold(lo: np.ndarray, pvalue: float, background=UNIFORM, resolution: float = 0.05) -> float:
    """Smallest score whose upper-tail probability under the background is <= pvalue (score_tail)."""
    offset, tail = score_tail(lo, background, resolution)
    ok = np.flatnonzero(tail <= pvalue)
    k = ok[0] if len(ok) else len(tail) - 1
    return float((k + offset) * resolution)


def score_pvalues(lo: np.ndarray, scores, background=UNIFORM, resolution: float = 0.05) -> np.ndarray:
    """p-value P(score >= s) of each site score s under `lo`, on the grid of score_tail (the
    p-values FIMO reports); a score above the grid's top gets the top bin's probability."""
    offset, tail = score_tail(lo, background, resolution)
    k = np.round(np.asarray(scores, float) / resolution).astype(int) - offset
    return tail[np.clip(k, 0, len(tail) - 1)]


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


def _onehot_codes(windows: np.ndarray) -> np.ndarray:
    """(n, w) codes 0-3 (4 = N) -> (n, w, 4) float one-hot, N rows all zero."""
    return np.eye(5)[np.asarray(windows, int)][..., :4]


def two_component_split(windows: np.ndarray, pseudo: float = 0.5, iterations: int = 60,
                        min_fraction: float = 0.15, min_sites: int = 20):
    """Test whether aligned site windows come from one matrix or a mixture of two.

    windows (n, w) codes 0-3 (4 = N, ignored). EM of a two-component product-multinomial
    mixture (the "two-component" model of MEME's mixture setting, Bailey & Elkan 1994, applied
    to already aligned sites), started from a split along the first principal component of the
    one-hot sites; the split is kept when the Bayesian information criterion (Schwarz 1978)
    prefers it: 2 (LL2 - LL1) > (3w + 1) ln n, and both parts hold at least `min_fraction` of
    the sites and `min_sites` sites. -> (probs_a, probs_b, assignment (n,) bool: True = b,
    delta_bic) when it splits, else None. A is the larger part.
    """
    X = _onehot_codes(windows)
    n, w = X.shape[:2]
    if n < 2 * min_sites or w == 0:
        return None
    counts = X.sum(axis=0) + pseudo
    theta1 = counts / counts.sum(axis=1, keepdims=True)
    ll1 = float((X * np.log(theta1)).sum())
    flat = X.reshape(n, -1)
    centred = flat - flat.mean(axis=0)
    try:   # first principal axis from the small (4w x 4w) scatter matrix: cheaper than an SVD of the sites
        _, vecs = np.linalg.eigh(centred.T @ centred)
    except np.linalg.LinAlgError:
        return None
    score = centred @ vecs[:, -1]
    r = np.where(score > np.median(score), 1.0, 0.0)
    if r.sum() in (0, n):
        return None
    resp = np.stack([1 - r, r], axis=1)                       # (n, 2)
    for _ in range(iterations):
        nk = resp.sum(axis=0)
        pi = nk / n
        theta = np.einsum("nk,nwb->kwb", resp, X) + pseudo
        theta /= theta.sum(axis=2, keepdims=True)
        logp = np.einsum("nwb,kwb->nk", X, np.log(theta)) + np.log(np.maximum(pi, 1e-12))
        mx = logp.max(axis=1, keepdims=True)
        ll2_terms = mx[:, 0] + np.log(np.exp(logp - mx).sum(axis=1))
        new = np.exp(logp - ll2_terms[:, None])
        if np.abs(new - resp).max() < 1e-6:
            resp = new
            break
        resp = new
    ll2 = float(ll2_terms.sum())
    delta = 2 * (ll2 - ll1) - (3 * w + 1) * np.log(n)
    assign = resp[:, 1] > 0.5
    sizes = np.array([(~assign).sum(), assign.sum()])
    if delta <= 0 or sizes.min() < max(min_sites, min_fraction * n):
        return None
    a, b = (0, 1) if sizes[0] >= sizes[1] else (1, 0)
    return theta[a], theta[b], (assign if a == 0 else ~assign), float(delta)


def information_content_vs(probs: np.ndarray, background) -> np.ndarray:
    """Bits per column of a (width, 4) matrix against a background composition (relative entropy)."""
    p = np.clip(probs, 1e-9, 1)
    return (p * np.log2(p / np.asarray(background)[None, :])).sum(axis=1)
