"""Refine a C-alpha trace: pair representation -> triangle stack -> distogram -> coordinates.

Also the non-learned baseline (smoothed distance matrix, re-embedded), the carrying of
backbone atoms onto the refined trace by local superposition, and the do-no-harm guard
(`no_harm`): CASP's refinement lesson (Read et al. 2019, Proteins 87:1249; few groups beat the
unchanged starting model) is to keep a plausible input unless the model has reason to move it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from attnbio.structure import geometry as geo
from attnbio.structure.model import RefineModel, decode_distogram, encode_sequence

FAR_PROB = 0.5  # a pair is 'far' (beyond the distogram range) when P(far bin) exceeds this
# Chain lengths the bundled refiner was trained on (its card's 40 training proteins, 79-173
# residues, seen as 64-residue crops); a card's `length_range` overrides this.
DEFAULT_LENGTH_RANGE = (79, 173)
# The input 'already satisfies the distogram' when the distogram gives its distances at least
# this fraction of the probability it gives its own expectation (support ratio, see no_harm).
# On the training proteins: 1.00 for the unperturbed structures, 0.77-0.85 at sigma = 2 A.
KEEP_SUPPORT = 0.97
MOVE_SUPPORT = 0.80  # at or below this, outside the trained lengths, the blend is all refined
PLAUSIBLE_SPACING = 0.95  # fraction of consecutive C-alphas 3.8 +- 0.5 A apart for a real-looking trace
CIS_CA_CA = (2.7, 3.1)  # A: consecutive C-alphas across a cis peptide bond (about 2.9 A)


@dataclass
class CaRefinement:
    """Everything one refinement of a C-alpha trace produced; coordinates (L, 3) A, pair arrays
    (L, L). (attnbio.structure.pipeline.RefineResult wraps it with the chains, atoms, metrics.)"""
    ca_input: np.ndarray
    ca_refined: np.ndarray
    distance: np.ndarray          # expected distance of the refined distogram
    confidence: np.ndarray        # P(|d - expected| <= 1 A) * (1 - p_far)
    p_far: np.ndarray
    probs: np.ndarray             # (L, L, n_bins) refined distogram
    pair: np.ndarray              # (L, L, c_z) refined pair representation
    distance_before: np.ndarray   # expected distance read off the pair representation before the triangle blocks
    p_far_before: np.ndarray
    bin_edges: np.ndarray
    residue_confidence: np.ndarray  # (L,) mean pair confidence over pairs predicted within range
    extra: dict = field(default_factory=dict)
    weight: float = 1.0           # do-no-harm blend: 0 = input returned, 1 = fully refined
    mode: str = "refined"         # 'refined', 'input_kept' or 'blend'
    reason: str = ""              # one line: why (empty when the guard is off)
    support_ratio: float = float("nan")
    plausible: bool = False


def auto_chunk(n: int) -> int | None:
    """Rows per triangle block for n residues: none (one block) up to 256 residues, else about
    64 M attention logits per block (memory of the triangle layers, see nn/triangle.py)."""
    if n <= 256:
        return None
    return max(1, int(64e6 // (4 * n * n)))


def resolved_pairs(distance, p_far, out_max: float) -> np.ndarray:
    """Pairs whose predicted distance lies inside the distogram range (not 'far'), (L, L) bool."""
    return (p_far < FAR_PROB) & (distance < out_max)


@torch.no_grad()
def predict_pairs(model: RefineModel, ca, sequence: str, residue_index, chain_index,
                  chunk_size: int | None = None, device="cpu") -> dict:
    """Run the network on one complex: distogram before and after the triangle blocks."""
    d = torch.tensor(geo.pairwise_distances(ca), dtype=torch.float32, device=device)[None]
    aa = torch.tensor(encode_sequence(sequence), device=device)[None]
    idx = torch.as_tensor(np.asarray(residue_index), dtype=torch.int64, device=device)[None]
    chain = torch.as_tensor(np.asarray(chain_index), dtype=torch.int64, device=device)[None]
    model = model.to(device)
    out = model(d, aa, idx, chain, chunk_size=chunk_size, all_heads=True)
    after = decode_distogram(out["logits"][0].cpu(), model.cfg)
    before = decode_distogram(out["logits_before"][0].cpu(), model.cfg)
    return {"after": after, "before": before, "pair": out["pair"][0].float().cpu().numpy()}


def rebuild_coordinates(ca_input, distance, confidence, p_far, out_max: float, breaks=None,
                        n_iter: int = 200) -> np.ndarray:
    """Coordinates from a predicted distogram, superposed onto the input trace.

    1. A full distance matrix: predicted distances where resolved, else the input distance (at
       least out_max); 2. classical MDS (Torgerson 1952) of it; 3. the mirror image or not,
       whichever superposes better onto the input; 4. gradient-descent embedding
       (geometry.embed_distances) weighted by the pair confidence, with 'far' pairs as lower
       bounds, C-alpha spacing and clash terms; 5. Kabsch superposition onto the input.
    """
    d_in = geo.pairwise_distances(ca_input)
    far = ~resolved_pairs(distance, p_far, out_max)
    np.fill_diagonal(far, False)
    full = np.where(far, np.maximum(d_in, out_max), distance)
    full = 0.5 * (full + full.T)
    np.fill_diagonal(full, 0.0)
    init = geo.choose_handedness(geo.classical_mds(full), ca_input)
    target = np.where(far, out_max, distance)
    weights = np.where(far, p_far, confidence ** 2)
    x = geo.embed_distances(target, weights, init, breaks=breaks, lower_only=far, n_iter=n_iter)
    return geo.superpose(x, ca_input)


def distogram_support(probs, distance, p_far, d_input, out_max: float, edges,
                      window: float = 1.0, min_separation: int = 3) -> float:
    """How well the input agrees with the distogram, relative to the distogram's own answer.

    Over pairs |i - j| >= min_separation predicted inside the range: the mean probability of
    the bins within +-window A of the input distance, divided by the mean probability within
    +-window A of the expected distance (the pair confidence). 1 or more: the input is as
    likely under the distogram as its own expectation. NaN without such pairs.
    """
    edges = np.asarray(edges, dtype=np.float64)
    step = edges[1] - edges[0]
    centres = np.concatenate([edges[:1] - step / 2, (edges[1:] + edges[:-1]) / 2])
    n = len(d_input)
    i, j = np.triu_indices(n, min_separation)
    ok = (p_far[i, j] < FAR_PROB) & (distance[i, j] < out_max)
    i, j = i[ok], j[ok]
    if i.size == 0:
        return float("nan")
    near = np.asarray(probs, dtype=np.float64)[i, j, :-1]
    p_in = (near * (np.abs(centres[None] - d_input[i, j][:, None]) <= window)).sum(-1)
    p_own = (near * (np.abs(centres[None] - distance[i, j][:, None]) <= window)).sum(-1)
    return float(p_in.mean() / max(p_own.mean(), 1e-12))


def plausible_trace(ca, breaks=None) -> tuple[bool, str]:
    """(True, '') when a C-alpha trace looks like a real structure: >= 95% of consecutive
    C-alphas (not across breaks) 3.8 +- 0.5 A apart and no clash (< 3 A, |i - j| >= 2); else
    (False, what is wrong)."""
    ca = np.asarray(ca, dtype=np.float64)
    v = geo.ca_geometry_violations(ca, breaks)
    step = np.linalg.norm(ca[1:] - ca[:-1], axis=1)
    cons = np.ones(len(step), dtype=bool) if breaks is None else ~np.asarray(breaks, dtype=bool)[1:]
    # a cis peptide puts consecutive C-alphas about 2.9 A apart: real, not a distortion
    good = (np.abs(step - geo.CA_CA) <= geo.CA_CA_TOL) | ((step >= CIS_CA_CA[0]) & (step <= CIS_CA_CA[1]))
    n_steps = max(1, int(cons.sum()))
    ok_frac = float((good & cons).sum()) / n_steps if cons.any() else 1.0
    if ok_frac < PLAUSIBLE_SPACING or v["clashes"]:
        return False, (f"{int((~good & cons).sum())} C-alpha spacings off 3.8 A (or cis 2.9 A), "
                       f"{v['clashes']} clashes")
    return True, f"C-alpha spacing {100 * ok_frac:.0f}% within 3.8 +- 0.5 A (or cis), no clashes"


def no_harm(n: int, support: float, plausible: bool, why_plausible: str,
            length_range=DEFAULT_LENGTH_RANGE) -> tuple[float, str, str]:
    """(weight of the refined trace, mode, one-line reason) for the do-no-harm guard.

    - a plausible input whose distances the distogram already supports (support ratio >=
      KEEP_SUPPORT) is returned unchanged;
    - outside the trained lengths a plausible input is returned unchanged (the model has
      not seen such chains: 12-13 residues lost up to 0.23 lDDT-Ca without this guard);
    - outside the trained lengths an implausible input gets a blend, input + w (refined -
      input), w rising from 0 at KEEP_SUPPORT to 1 at MOVE_SUPPORT;
    - otherwise the refined trace.
    """
    lo, hi = length_range
    inside = lo <= n <= hi
    where = f"{n} residues {'inside' if inside else 'outside'} the trained range {lo}-{hi}"
    s = "nan" if not np.isfinite(support) else f"{support:.2f}"
    if plausible and np.isfinite(support) and support >= KEEP_SUPPORT:
        return 0.0, "input_kept", (f"input kept: it already satisfies the distogram (support ratio "
                                   f"{s} >= {KEEP_SUPPORT}); {where}")
    if not inside and plausible:
        return 0.0, "input_kept", f"input kept: {where} and the input is plausible ({why_plausible})"
    if not inside:
        w = 1.0 if not np.isfinite(support) else float(np.clip(
            (KEEP_SUPPORT - support) / (KEEP_SUPPORT - MOVE_SUPPORT), 0, 1))
        mode = "refined" if w >= 1 else ("input_kept" if w <= 0 else "blend")
        return w, mode, (f"{where}: refined fraction {w:.2f} of the way from the input "
                         f"(support ratio {s}; input implausible: {why_plausible})")
    return 1.0, "refined", f"refined: {where}, support ratio {s} < {KEEP_SUPPORT} or input implausible"


def refine_ca(model: RefineModel, ca, sequence: str, breaks=None, residue_index=None,
              chain_index=None, chunk_size: int | None = None, n_iter: int = 200,
              device="cpu", guard: bool = True, length_range=DEFAULT_LENGTH_RANGE,
              progress=None) -> CaRefinement:
    """Refine one C-alpha trace (L, 3) A (several chains: give residue_index and chain_index).

    guard: apply the do-no-harm rule (no_harm): the result's ca_refined is then the input,
    a blend, or the refined trace, and weight / mode / reason say which.
    progress: optional progress(stage, done, total) for "refinement": 0 at the start, 1 after
    the network, 2 after the coordinates, of 3 (the caller's last step: atoms and metrics).
    """
    ca = np.asarray(ca, dtype=np.float64)
    n = len(ca)
    residue_index = np.arange(n) if residue_index is None else residue_index
    chain_index = np.zeros(n, dtype=np.int64) if chain_index is None else chain_index
    if progress is not None:
        progress("refinement", 0, 3)                # the stage's clock starts here
    pred = predict_pairs(model, ca, sequence, residue_index, chain_index, chunk_size, device)
    if progress is not None:
        progress("refinement", 1, 3)
    after, before = pred["after"], pred["before"]
    out_max = model.cfg.out_max
    refined = rebuild_coordinates(ca, after["distance"], after["confidence"], after["p_far"],
                                  out_max, breaks=breaks, n_iter=n_iter)
    if progress is not None:
        progress("refinement", 2, 3)
    resolved = resolved_pairs(after["distance"], after["p_far"], out_max)
    np.fill_diagonal(resolved, False)
    res_conf = np.where(resolved.any(1), (after["confidence"] * resolved).sum(1) / np.maximum(resolved.sum(1), 1), 0.0)
    result = CaRefinement(ca, refined, after["distance"], after["confidence"], after["p_far"],
                          after["probs"], pred["pair"], before["distance"], before["p_far"],
                          np.asarray(model.cfg.out_edges), res_conf)
    if guard:
        support = distogram_support(after["probs"], after["distance"], after["p_far"],
                                    geo.pairwise_distances(ca), out_max, model.cfg.out_edges)
        plausible, why = plausible_trace(ca, breaks)
        w, mode, reason = no_harm(n, support, plausible, why, length_range)
        # `refined` is superposed onto the input, so the blend moves each C-alpha part way.
        result.ca_refined = ca + w * (refined - ca) if w < 1 else refined
        result.weight, result.mode, result.reason = w, mode, reason
        result.support_ratio, result.plausible = support, plausible
    return result


def baseline_refine(ca, breaks=None, smooth: float = 1.0, cutoff: float = 22.0,
                    n_iter: int = 200) -> np.ndarray:
    """Non-learned baseline: Gaussian-smooth the distance matrix and re-embed it.

    The input distance matrix is filtered with a 2-D Gaussian of `smooth` residues (scipy
    gaussian_filter; 0 = no smoothing), then embedded exactly as the learned distogram is
    (MDS, handedness, gradient descent with C-alpha spacing and clash terms), with uniform
    weights on pairs below `cutoff` A and lower bounds beyond.
    """
    from scipy.ndimage import gaussian_filter

    ca = np.asarray(ca, dtype=np.float64)
    d = geo.pairwise_distances(ca)
    ds = gaussian_filter(d, smooth, mode="nearest") if smooth > 0 else d
    ds = 0.5 * (ds + ds.T)
    np.fill_diagonal(ds, 0.0)
    far = ds >= cutoff
    init = geo.choose_handedness(geo.classical_mds(ds), ca)
    x = geo.embed_distances(np.where(far, cutoff, ds), np.where(far, 1.0, 1.0), init,
                            breaks=breaks, lower_only=far, n_iter=n_iter)
    return geo.superpose(x, ca)


def pair_violations(result: CaRefinement, out_max: float, tol: float = 0.0) -> dict:
    """Triangle-inequality violations of the pair representation's distances, before and after.

    'before': the distogram read off the pair representation as embedded from the input, before
    any triangle block; 'after': after the triangle stack. Only triangles whose three pairs are
    resolved (inside the distogram range) in that distogram are counted.
    """
    vb = resolved_pairs(result.distance_before, result.p_far_before, out_max)
    va = resolved_pairs(result.distance, result.p_far, out_max)
    return {"before": geo.triangle_violations(result.distance_before, vb, tol),
            "after": geo.triangle_violations(result.distance, va, tol),
            "triangles_before": _n_triangles(vb), "triangles_after": _n_triangles(va)}


def _n_triangles(valid) -> int:
    """Number of triangles whose three pairs are all valid (trace of A^3 / 6)."""
    a = np.asarray(valid, dtype=np.float64).copy()
    np.fill_diagonal(a, 0)
    return int(round(np.trace(a @ a @ a) / 6))


def carry_backbone(coords: dict, ca_refined, window: int = 2) -> dict:
    """Move N, C, O, CB of each residue with the local superposition of its C-alpha window.

    For residue i, the input C-alphas i-window..i+window are superposed (Kabsch) onto their
    refined positions; the residue's other atoms take that rotation about their own C-alpha,
    which lands on its refined position (so distances within a residue are kept exactly). Atoms that were
    missing (NaN) stay missing.
    """
    ca_in = np.asarray(coords["CA"], dtype=np.float64)
    n = len(ca_in)
    out = {name: np.full_like(np.asarray(xyz, dtype=np.float64), np.nan) for name, xyz in coords.items()}
    out["CA"] = np.asarray(ca_refined, dtype=np.float64).copy()
    for i in range(n):
        lo, hi = max(0, i - window), min(n, i + window + 1)
        if hi - lo < 3:
            lo, hi = max(0, min(lo, n - 3)), min(n, max(hi, 3))
        if hi - lo < 3:
            # one- or two-residue chains: translate only
            shift = ca_refined[i] - ca_in[i]
            for name, xyz in coords.items():
                if name != "CA":
                    out[name][i] = xyz[i] + shift
            continue
        r, _ = geo.kabsch(ca_in[lo:hi], ca_refined[lo:hi])
        for name, xyz in coords.items():
            if name != "CA":
                # rotate about the residue's own C-alpha: bond lengths within the residue survive
                out[name][i] = (np.asarray(xyz[i], dtype=np.float64) - ca_in[i]) @ r.T + ca_refined[i]
    return out
