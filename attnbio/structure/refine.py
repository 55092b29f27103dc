"""Refine a C-alpha trace: pair representation -> triangle stack -> distogram -> coordinates.

Also the non-learned baseline (smoothed distance matrix, re-embedded) and the carrying of
backbone atoms onto the refined trace by local superposition.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from attnbio.structure import geometry as geo
from attnbio.structure.model import RefineModel, decode_distogram, encode_sequence

FAR_PROB = 0.5  # a pair is 'far' (beyond the distogram range) when P(far bin) exceeds this


@dataclass
class RefineResult:
    """Everything one refinement produced; coordinates (L, 3) A, pair arrays (L, L)."""
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


def refine_ca(model: RefineModel, ca, sequence: str, breaks=None, residue_index=None,
              chain_index=None, chunk_size: int | None = None, n_iter: int = 200,
              device="cpu") -> RefineResult:
    """Refine one C-alpha trace (L, 3) A (several chains: give residue_index and chain_index)."""
    ca = np.asarray(ca, dtype=np.float64)
    n = len(ca)
    residue_index = np.arange(n) if residue_index is None else residue_index
    chain_index = np.zeros(n, dtype=np.int64) if chain_index is None else chain_index
    pred = predict_pairs(model, ca, sequence, residue_index, chain_index, chunk_size, device)
    after, before = pred["after"], pred["before"]
    out_max = model.cfg.out_max
    refined = rebuild_coordinates(ca, after["distance"], after["confidence"], after["p_far"],
                                  out_max, breaks=breaks, n_iter=n_iter)
    resolved = resolved_pairs(after["distance"], after["p_far"], out_max)
    np.fill_diagonal(resolved, False)
    res_conf = np.where(resolved.any(1), (after["confidence"] * resolved).sum(1) / np.maximum(resolved.sum(1), 1), 0.0)
    return RefineResult(ca, refined, after["distance"], after["confidence"], after["p_far"],
                        after["probs"], pred["pair"], before["distance"], before["p_far"],
                        np.asarray(model.cfg.out_edges), res_conf)


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


def pair_violations(result: RefineResult, out_max: float, tol: float = 0.0) -> dict:
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
