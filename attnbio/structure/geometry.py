"""Geometry of C-alpha traces: distances, superposition, lDDT, TM-score, embeddings, violations.

Coordinates are (L, 3) float arrays in Angstrom; distance matrices are (L, L) in Angstrom.
Rows with NaN coordinates (missing atoms) are left out of superpositions and scores.
"""
from __future__ import annotations

import numpy as np

CA_CA = 3.80           # ideal consecutive (trans) C-alpha spacing, Angstrom
CA_CA_TOL = 0.5        # a consecutive pair further than this from CA_CA is a spacing violation
CLASH = 3.0            # non-consecutive C-alpha pairs closer than this clash, Angstrom
LDDT_CUTOFF = 15.0
LDDT_THRESHOLDS = (0.5, 1.0, 2.0, 4.0)


def pairwise_distances(x) -> np.ndarray:
    """Euclidean distance matrix of points x (L, 3) -> (L, L); NaN rows give NaN entries."""
    x = np.asarray(x, dtype=np.float64)
    diff = x[:, None, :] - x[None, :, :]
    return np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))


def _valid(*arrays) -> np.ndarray:
    ok = np.ones(len(arrays[0]), dtype=bool)
    for a in arrays:
        ok &= np.isfinite(np.asarray(a)).all(axis=1)
    return ok


def kabsch(mobile, target, weights=None):
    """Rotation R (3, 3) and translation t (3,) minimising sum w |R m + t - x|^2.

    Kabsch (1976) Acta Cryst A32:922, with the sign correction of Kabsch (1978) A34:827 so that
    R is a proper rotation (det +1). Apply as `mobile @ R.T + t`. Rows with NaN are ignored.
    """
    mobile = np.asarray(mobile, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    ok = _valid(mobile, target)
    if ok.sum() < 3:
        raise ValueError("superposition needs at least 3 points present in both structures")
    p, q = mobile[ok], target[ok]
    w = np.ones(len(p)) if weights is None else np.asarray(weights, dtype=np.float64)[ok]
    w = w / w.sum()
    pc, qc = w @ p, w @ q
    h = (p - pc).T @ ((q - qc) * w[:, None])
    u, _, vt = np.linalg.svd(h)
    d = np.sign(np.linalg.det(vt.T @ u.T)) or 1.0
    r = vt.T @ np.diag([1.0, 1.0, d]) @ u.T
    return r, qc - pc @ r.T


def superpose(mobile, target, weights=None) -> np.ndarray:
    """`mobile` (L, 3) moved onto `target` (L, 3) by the Kabsch rotation and translation."""
    r, t = kabsch(mobile, target, weights)
    return np.asarray(mobile, dtype=np.float64) @ r.T + t


def rmsd(a, b, superposed: bool = True) -> float:
    """C-alpha RMSD (Angstrom) between corresponding rows, after optimal superposition by default."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if superposed:
        a = superpose(a, b)
    ok = _valid(a, b)
    return float(np.sqrt(np.mean(np.sum((a[ok] - b[ok]) ** 2, axis=1))))


def lddt_ca(pred, ref, cutoff: float = LDDT_CUTOFF, thresholds=LDDT_THRESHOLDS,
            per_residue: bool = False):
    """lDDT on C-alpha atoms: superposition-free agreement of local distances, 0..1.

    Mariani et al. (2013) Bioinformatics 29:2722. Pairs i != j whose reference distance is below
    `cutoff` (15 A) are scored; a pair is preserved at threshold t when |d_pred - d_ref| < t, for
    t in 0.5, 1, 2, 4 A. Per residue: mean over its pairs and thresholds; the global score is the
    mean over residues that have any pair (the AlphaFold 2 'lddt_ca' convention, suppl. 1.9.6).
    """
    dp = pairwise_distances(pred)
    dr = pairwise_distances(ref)
    n = len(dr)
    with np.errstate(invalid="ignore"):
        scored = (dr < cutoff) & ~np.eye(n, dtype=bool) & np.isfinite(dp) & np.isfinite(dr)
        err = np.abs(dp - dr)
    kept = np.mean([(err < t) for t in thresholds], axis=0)
    counts = scored.sum(axis=1)
    per_res = np.where(counts > 0, (kept * scored).sum(axis=1) / np.maximum(counts, 1), np.nan)
    if per_residue:
        return per_res
    return float(np.nanmean(per_res)) if np.isfinite(per_res).any() else float("nan")


def tm_d0(n: int) -> float:
    """TM-score distance scale d0 = 1.24 (L - 15)^(1/3) - 1.8 Angstrom, at least 0.5 (L <= 21)."""
    return max(0.5, 1.24 * np.cbrt(max(n - 15, 0)) - 1.8) if n > 15 else 0.5


def tm_score(pred, ref, d0: float | None = None) -> float:
    """TM-score of `pred` against `ref` for corresponding residues (normalised by ref length).

    Zhang & Skolnick (2004) Proteins 57:702. TM = max over superpositions of
    (1/L) sum_i 1 / (1 + (d_i/d0)^2). The maximum is searched as the TM-score program does:
    seed superpositions on fragments of length L, L/2, L/4, ... (>= 4) at several offsets, each
    refined by re-superposing on the residues closer than d_search = clip(d0, 4.5, 8) A until the
    set stops changing.
    """
    pred = np.asarray(pred, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    ok = _valid(pred, ref)
    n_ref = int(np.isfinite(ref).all(axis=1).sum())
    p, q = pred[ok], ref[ok]
    n = len(p)
    if n < 3:
        return 0.0
    d0 = tm_d0(n_ref) if d0 is None else d0
    d_search = float(np.clip(d0, 4.5, 8.0))
    best = 0.0
    lengths = []
    seg = n
    while seg >= 4:
        lengths.append(seg)
        seg //= 2
    if not lengths:
        lengths = [n]
    for seg in lengths:
        step = max(1, (n - seg) // 20) if seg < n else 1
        for start in range(0, n - seg + 1, step):
            sel = np.zeros(n, dtype=bool)
            sel[start:start + seg] = True
            for _ in range(20):
                if sel.sum() < 3:
                    break
                r, t = kabsch(p[sel], q[sel])
                d = np.linalg.norm(p @ r.T + t - q, axis=1)
                best = max(best, float(np.sum(1.0 / (1.0 + (d / d0) ** 2)) / n_ref))
                cut = d_search
                new = d < cut
                while new.sum() < 3 and cut < 3 * d_search + 20:
                    cut += 0.5
                    new = d < cut
                if np.array_equal(new, sel):
                    break
                sel = new
    return best


def _one_blas_thread():
    """Context: numpy's BLAS/LAPACK on one thread. A threaded eigh of a few hundred rows is no
    faster, and on a loaded machine its spinning threads made it 100x slower (4 s vs 25 ms)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # threadpoolctl comes with scikit-learn; without it, BLAS keeps its threads
        from contextlib import nullcontext
        return nullcontext()
    return threadpool_limits(1, user_api="blas")


def classical_mds(dist, dim: int = 3) -> np.ndarray:
    """Points (L, dim) whose distances best match `dist` (L, L) in the Torgerson sense.

    Torgerson (1952) Psychometrika 17:401: B = -1/2 J D^2 J; coordinates from the top `dim`
    eigenvectors scaled by sqrt(eigenvalue) (negative eigenvalues clipped to 0).
    """
    d = np.asarray(dist, dtype=np.float64)
    n = len(d)
    j = np.eye(n) - 1.0 / n
    b = -0.5 * j @ (d ** 2) @ j
    with _one_blas_thread():
        vals, vecs = np.linalg.eigh((b + b.T) / 2)
    order = np.argsort(vals)[::-1][:dim]
    return vecs[:, order] * np.sqrt(np.clip(vals[order], 0, None))


def mirror(x) -> np.ndarray:
    """The mirror image of x (L, 3): z -> -z."""
    return np.asarray(x, dtype=np.float64) * np.array([1.0, 1.0, -1.0])


def choose_handedness(x, reference) -> np.ndarray:
    """x or its mirror image, whichever superposes onto `reference` with lower RMSD, superposed.

    Distances do not fix chirality; the input structure does.
    """
    a = superpose(x, reference)
    b = superpose(mirror(x), reference)
    return a if rmsd(a, reference, False) <= rmsd(b, reference, False) else b


def embed_distances(target, weights, init, breaks=None, lower_only=None, n_iter: int = 200,
                    w_spacing: float = 10.0, w_clash: float = 10.0) -> np.ndarray:
    """Coordinates (L, 3) fitting a weighted distance matrix, by gradient descent from `init`.

    Minimises  sum_ij w_ij (d_ij - D_ij)^2 / sum w_ij                     (distance fit)
             + w_spacing * mean_i (d_i,i+1 - 3.8)^2                       (C-alpha spacing)
             + w_clash * sum_{|i-j|>=2} max(0, 3.5 - d_ij)^2 / L               (clashes)
    `lower_only` (L, L) bool marks pairs whose target is only a lower bound (beyond the
    distogram range): they cost max(0, D_ij - d_ij)^2. `breaks` (L,) bool marks residues that
    start a new chain segment (no spacing term to the previous one). L-BFGS (Liu & Nocedal 1989)
    in float64, fixed iterations: deterministic on CPU. The first half of the iterations fits
    the distances alone, the second half adds the chain terms.
    """
    import torch

    target = torch.as_tensor(np.asarray(target, dtype=np.float64))
    w = torch.as_tensor(np.asarray(weights, dtype=np.float64)).clone()
    n = len(target)
    w.fill_diagonal_(0.0)
    lower = (torch.zeros(n, n, dtype=torch.bool) if lower_only is None
             else torch.as_tensor(np.asarray(lower_only, dtype=bool)))
    consecutive = torch.ones(max(n - 1, 0), dtype=torch.float64)
    if breaks is not None:
        consecutive = consecutive * torch.as_tensor(~np.asarray(breaks, dtype=bool)[1:], dtype=torch.float64)
    idx = torch.arange(n)
    nonlocal_pairs = ((idx[:, None] - idx[None, :]).abs() >= 2).to(torch.float64)
    wsum = max(float(w.sum()), 1e-12)
    n_cons = max(float(consecutive.sum()), 1.0)
    x = torch.tensor(np.asarray(init, dtype=np.float64))
    x.grad = torch.zeros_like(x)

    def run(spacing_weight, clash_weight, iters):
        opt = torch.optim.LBFGS([x], lr=1.0, max_iter=iters, history_size=20, tolerance_grad=1e-9,
                                tolerance_change=1e-12, line_search_fn="strong_wolfe")

        def loss_fn():
            loss, grad = _embedding_loss(x, target, w / wsum, lower, consecutive / n_cons,
                                         nonlocal_pairs, spacing_weight, clash_weight)
            x.grad.copy_(grad)
            return loss

        opt.step(loss_fn)

    # Distances alone first: the chain terms create local minima (folds-over) far from the fit.
    run(0.0, 0.0, max(1, n_iter // 2))
    run(w_spacing, w_clash, max(1, n_iter - n_iter // 2))
    return x.detach().numpy().copy()


def _embedding_loss(x, target, w, lower, cons, nonlocal_pairs, spacing_weight, clash_weight):
    """(loss, gradient (L, 3)) of embed_distances' objective at x (L, 3), float64 torch tensors.

    w: pair weights already divided by their sum; cons: (L-1,) consecutive-pair weights already
    divided by their count. The gradient is analytic (no autograd graph of (L, L, 3) tensors,
    several times faster at L >= 300): with g_ij = dLoss/dd_ij,
    dLoss/dx_i = sum_j (g_ij + g_ji) (x_i - x_j) / d_ij.
    """
    import torch

    with torch.no_grad():
        n = len(x)
        sq = (x * x).sum(1)
        d = torch.sqrt(torch.clamp(sq[:, None] + sq[None, :] - 2.0 * x @ x.T, min=0.0) + 1e-8)
        resid = torch.where(lower, torch.clamp(d - target, max=0.0), d - target)
        loss = (w * resid ** 2).sum()
        g = 2.0 * w * resid
        if clash_weight:
            short = nonlocal_pairs * torch.clamp(CLASH + 0.5 - d, min=0.0)
            loss = loss + clash_weight * (short ** 2).sum() / n
            g = g - 2.0 * clash_weight * short / n
        c = (g + g.T) / d
        grad = c.sum(1)[:, None] * x - c @ x
        if n > 1 and spacing_weight:
            delta = x[1:] - x[:-1]
            step = torch.sqrt((delta ** 2).sum(-1) + 1e-8)
            loss = loss + spacing_weight * (cons * (step - CA_CA) ** 2).sum()
            gs = (2.0 * spacing_weight * cons * (step - CA_CA) / step)[:, None] * delta
            grad[1:] += gs
            grad[:-1] -= gs
    return loss, grad


def triangle_violations(dist, valid=None, tol: float = 0.0, chunk: int = 32) -> int:
    """Number of triangles {i, j, k} whose distances break the triangle inequality.

    A triangle is violated when its longest side exceeds the sum of the other two by more than
    `tol` Angstrom (D_ij > D_ik + D_kj + tol). Only triangles whose three pairs are `valid`
    (L, L) bool are counted. Any Euclidean distance matrix has none; a predicted one may.
    Computed in row blocks of `chunk` (memory O(chunk * L^2)).
    """
    import torch

    d = torch.as_tensor(np.asarray(dist, dtype=np.float64))
    n = len(d)
    v = (torch.ones(n, n, dtype=torch.bool) if valid is None
         else torch.as_tensor(np.asarray(valid, dtype=bool)))
    v = v & v.T & ~torch.eye(n, dtype=torch.bool) & torch.isfinite(d)
    d = torch.where(v, d, torch.zeros_like(d))
    total = 0
    jj = torch.arange(n)
    for s in range(0, n, chunk):
        rows = slice(s, min(n, s + chunk))
        # via[r, k, j] = D_ik + D_kj for i in rows
        via = d[rows, :, None] + d[None, :, :]
        ok = v[rows, :, None] & v[None, :, :] & v[rows, None, :]
        bad = (d[rows, None, :] > via + tol) & ok
        upper = jj[None, :] > torch.arange(rows.start, rows.stop)[:, None]  # i < j, each pair once
        total += int((bad & upper[:, None, :]).sum())
    return total


def ca_geometry_violations(x, breaks=None) -> dict:
    """Counts of C-alpha spacing violations (|d_i,i+1 - 3.8| > 0.5 A) and clashes (< 3.0 A, |i-j| >= 2)."""
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    step = np.linalg.norm(x[1:] - x[:-1], axis=1)
    cons = np.ones(max(n - 1, 0), dtype=bool)
    if breaks is not None:
        cons &= ~np.asarray(breaks, dtype=bool)[1:]
    with np.errstate(invalid="ignore"):
        spacing = int(np.sum((np.abs(step - CA_CA) > CA_CA_TOL) & cons & np.isfinite(step)))
        d = pairwise_distances(x)
        iu = np.triu_indices(n, k=2)
        clashes = int(np.sum(d[iu] < CLASH))
    return {"spacing": spacing, "clashes": clashes}
