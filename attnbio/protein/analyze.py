"""Read a protein attention model: head lenses, predicted contacts and contact precision.

Lens statistics follow Vig et al. 2021 ("BERTology meets biology", ICLR): among the pairs a head
attends to with weight above a threshold (0.3), the proportion that carry a pair feature is
compared with that feature's background rate over all pairs; here with a one-sided one-sample
z-test for a proportion and Benjamini-Hochberg q values (Benjamini & Hochberg 1995).
Contact precision follows CASP: top L/k predictions within a separation range (short 6-11,
medium 12-23, long >= 24 residues).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnbio.protein.scales import SEQUENCE_FEATURES, STRUCTURE_FEATURES, pair_features
from attnbio.stats import bh_qvalues

SEPARATIONS = {"short": (6, 11), "medium": (12, 23), "long": (24, None)}
TOP_FRACTIONS = {"L": 1, "L/2": 2, "L/5": 5}


def apc(x: np.ndarray) -> np.ndarray:
    """Average product correction (Dunn et al. 2008, Bioinformatics 24:333): (..., L, L)."""
    a1 = x.sum(-1, keepdims=True)
    a2 = x.sum(-2, keepdims=True)
    a12 = x.sum((-1, -2), keepdims=True)
    return x - a1 * a2 / np.where(a12 == 0, 1, a12)


def separation_mask(length: int, lo: int, hi: int | None) -> np.ndarray:
    """(L, L) bool: pairs i < j with lo <= j - i <= hi (hi None: no upper bound)."""
    i, j = np.triu_indices(length, k=1)
    sep = j - i
    keep = (sep >= lo) & (sep <= (hi if hi is not None else length))
    m = np.zeros((length, length), dtype=bool)
    m[i[keep], j[keep]] = True
    return m


def precision_at(scores: np.ndarray, contacts: np.ndarray, lo: int, hi: int | None, k: int,
                 valid: np.ndarray | None = None, rng: np.random.Generator | None = None
                 ) -> float:
    """Precision of the top L/k scored pairs with separation in [lo, hi].

    scores, contacts: (L, L); valid: (L, L) bool, pairs whose truth is known (both CB present).
    Ties are broken at random with `rng` (default: a fixed seed) so that coarse baselines such
    as the Kyte-Doolittle sum are not favoured by index order. NaN when there is no pair.
    """
    n = scores.shape[0]
    m = separation_mask(n, lo, hi)
    if valid is not None:
        m &= valid
    s, c = scores[m], contacts[m]
    if s.size == 0:
        return float("nan")
    top = max(1, n // k)
    rng = rng or np.random.default_rng(0)
    order = np.lexsort((rng.random(s.size), -s))[:top]
    return float(c[order].mean())


def contact_precisions(scores: np.ndarray, contacts: np.ndarray, valid: np.ndarray | None = None,
                       rng: np.random.Generator | None = None) -> dict[str, float]:
    """P@L, P@L/2, P@L/5 for short, medium and long range: '{range}_P@{top}' -> precision."""
    out = {}
    for rname, (lo, hi) in SEPARATIONS.items():
        for tname, k in TOP_FRACTIONS.items():
            out[f"{rname}_P@{tname}"] = precision_at(scores, contacts, lo, hi, k, valid, rng)
    return out


@dataclass
class LensTable:
    """Per-head lens statistics over a set of proteins.

    counts: (layers, heads) high-attention pairs over all proteins; feature_counts: feature ->
    (layers, heads) high-attention pairs in proteins where the feature is known; hits: feature ->
    (layers, heads) of those that carry it; background_hits / background_pairs: feature ->
    pairs i != j carrying it / all pairs i != j (proteins where it is known).
    """
    threshold: float
    counts: np.ndarray
    feature_counts: dict[str, np.ndarray]
    hits: dict[str, np.ndarray]
    background_hits: dict[str, int]
    background_pairs: dict[str, int]


def accumulate_lenses(maps: list[np.ndarray], features: list[dict[str, np.ndarray]],
                      threshold: float = 0.3) -> LensTable:
    """Count high-attention pairs and their features over proteins.

    maps: per protein (layers, heads, L, L) attention weights (rows: queries); features: per
    protein pair_features(). A feature missing for a protein (e.g. no structure) is skipped
    for that protein in both the hits and the background. Self pairs (i == j) never count.
    """
    layers, heads = maps[0].shape[:2]
    names = list(dict.fromkeys(k for f in features for k in f))
    counts = np.zeros((layers, heads), dtype=np.int64)
    feat_counts = {k: np.zeros((layers, heads), dtype=np.int64) for k in names}
    hits = {k: np.zeros((layers, heads), dtype=np.int64) for k in names}
    bg_hits = {k: 0 for k in names}
    bg_pairs = {k: 0 for k in names}
    for a, f in zip(maps, features):
        n = a.shape[-1]
        off = ~np.eye(n, dtype=bool)
        high = (a > threshold) & off
        c = high.sum((-1, -2))
        counts += c
        for k in names:
            if k not in f:
                continue
            feat_counts[k] += c
            hits[k] += (high & f[k]).sum((-1, -2))
            bg_hits[k] += int((f[k] & off).sum())
            bg_pairs[k] += int(off.sum())
    return LensTable(threshold=threshold, counts=counts, feature_counts=feat_counts, hits=hits,
                     background_hits=bg_hits, background_pairs=bg_pairs)


def lens_statistics(table: LensTable, q_cutoff: float = 0.01) -> list[dict]:
    """One row per head: proportion, background, z, p and BH q per feature, and the lens.

    The lens is the sequence (physicochemical) feature with the largest enrichment
    (proportion / background) among those above background at q < q_cutoff; empty if none.
    Returns dicts with keys layer, head, n_pairs, lens, lens_enrichment and
    '{feature}_prop', '_bg', '_z', '_p', '_q'.
    """
    from scipy.stats import norm

    names = list(table.hits)
    layers, heads = table.counts.shape
    props, bgs, zs, ps = {}, {}, {}, {}
    for k in names:
        n = table.feature_counts[k].astype(np.float64)
        pairs = table.background_pairs[k]
        p0 = table.background_hits[k] / pairs if pairs else np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            prop = np.where(n > 0, table.hits[k] / np.maximum(n, 1), np.nan)
            se = np.sqrt(p0 * (1 - p0) / n)
            z = np.where((n > 0) & (se > 0), (prop - p0) / se, np.nan)
        props[k], bgs[k], zs[k], ps[k] = prop, p0, z, norm.sf(z)
    q_all = bh_qvalues(np.stack([ps[k] for k in names]))
    qs = {k: q_all[i] for i, k in enumerate(names)}
    rows = []
    for layer in range(layers):
        for head in range(heads):
            row = {"layer": layer + 1, "head": head + 1, "n_pairs": int(table.counts[layer, head])}
            best, best_enr = "", np.nan
            for k in names:
                prop, bg = props[k][layer, head], bgs[k]
                row[f"{k}_prop"], row[f"{k}_bg"] = prop, bg
                row[f"{k}_z"], row[f"{k}_p"] = zs[k][layer, head], ps[k][layer, head]
                row[f"{k}_q"] = qs[k][layer, head]
                if k in SEQUENCE_FEATURES and qs[k][layer, head] < q_cutoff and bg > 0:
                    enr = prop / bg
                    if np.isnan(best_enr) or enr > best_enr:
                        best, best_enr = k, enr
            row["lens"], row["lens_enrichment"] = best, best_enr
            rows.append(row)
    return rows


def feature_names(with_structure: bool) -> tuple[str, ...]:
    """Pair features reported: sequence ones, plus structure ones when coordinates are given."""
    return SEQUENCE_FEATURES + (STRUCTURE_FEATURES if with_structure else ())


def features_for(sequence: str, cb: np.ndarray | None = None, ss: str | None = None):
    """pair_features() for one chain (thin alias so callers need only this module)."""
    return pair_features(sequence, cb=cb, ss=ss)


@dataclass
class ProteinPrediction:
    """Model output for one protein: probabilities (L, L), attention (layers, heads, L, L)
    float32, secondary-structure probabilities (L, 3), precisions (empty without structure),
    agreement of the members' attention terms, the weight that agreement gives the attention term
    and the weight the ranking used (model.combine: times the attention cap for a blend, the
    agreement weight for a contact head)."""
    protein: object
    prob: np.ndarray
    attention: np.ndarray
    ss_prob: np.ndarray
    precision: dict
    kd_precision: dict
    agreement: float = float("nan")
    attention_weight: float = 1.0
    agreement_weight: float = 1.0


def analyze(model, proteins, threshold: float = 0.3, q_cutoff: float = 0.01, seed: int = 0,
            device="cpu", progress=None):
    """Run the model over proteins; returns (per-protein ProteinPrediction list, head rows).

    proteins: attnbio.protein.inputs.ProteinInput list. Head rows: lens_statistics() over all
    proteins pooled (structure features only from proteins that have a structure).
    progress: optional progress("proteins", done, total): 0 before the first protein, then after each.
    """
    from attnbio.protein.model import predict_full
    from attnbio.protein.scales import kd_pair_score

    rng = np.random.default_rng(seed)
    results, maps, feats = [], [], []
    if progress is not None:
        progress("proteins", 0, len(proteins))      # the stage's clock starts here
    for p in proteins:
        out = predict_full(model, p.sequence, device=device)
        prob, attn, ss = out["prob"], out["attention"], out["ss"]
        precision, kd = {}, {}
        if p.cb is not None:
            valid = ~np.isnan(p.cb).any(1)
            valid = valid[:, None] & valid[None, :]
            truth = pair_features(p.sequence, cb=p.cb)["contact"]
            precision = contact_precisions(prob, truth, valid, rng)
            kd = contact_precisions(kd_pair_score(p.sequence), truth, valid, rng)
        results.append(ProteinPrediction(p, prob, attn, ss, precision, kd, out["agreement"],
                                         out["weight"], out["agreement_weight"]))
        maps.append(attn)
        feats.append(pair_features(p.sequence, cb=p.cb, ss=p.ss))
        if progress is not None:
            progress("proteins", len(results), len(proteins))
    rows = lens_statistics(accumulate_lenses(maps, feats, threshold), q_cutoff)
    return results, rows


def top_contacts(prob: np.ndarray, min_separation: int = 6, top: int | None = None):
    """Pairs i < j, j - i >= min_separation, by decreasing probability (ties: index order).

    Returns (i, j) int arrays of length min(top, pairs) (top None: all pairs).
    """
    n = prob.shape[0]
    i, j = np.triu_indices(n, k=min_separation)
    order = np.argsort(-prob[i, j], kind="stable")
    if top is not None:
        order = order[:top]
    return i[order], j[order]


def proteins_from_examples(examples, source: str = "data/protein"):
    """attnbio.protein.inputs.ProteinInput records for data.Example chains (structure and DSSP kept)."""
    from attnbio.protein.inputs import ProteinInput

    return [ProteinInput(id=e.id, sequence=e.sequence, source=source, residue_names=list(e.sequence),
                         residue_numbers=[], cb=e.cb, ss=e.ss) for e in examples]


def lens_replication(model, train_proteins, test_proteins, threshold: float = 0.3,
                     q_cutoff: float = 0.01) -> list[dict]:
    """Does each head's lens hold on proteins from other families?

    The lens of each head (of the first member) is read on `train_proteins` (lens_statistics);
    on `test_proteins` the same head's enrichment of that feature and its BH q (over all heads
    and features there) are reported. Returns one row per head with a training lens: layer,
    head, lens, train_enrichment, heldout_enrichment, heldout_pairs, heldout_q, replicates
    (q < q_cutoff and enrichment > 1 on the held-out proteins).
    """
    members = getattr(model, "members", [model])
    _, train_rows = analyze(members[0], train_proteins, threshold, q_cutoff)
    _, test_rows = analyze(members[0], test_proteins, threshold, q_cutoff)
    out = []
    for a, b in zip(train_rows, test_rows):
        if not a["lens"]:
            continue
        k = a["lens"]
        bg = b[f"{k}_bg"]
        enr = float(b[f"{k}_prop"] / bg) if bg else float("nan")
        q = float(b[f"{k}_q"])
        out.append({"layer": a["layer"], "head": a["head"], "lens": k,
                    "train_enrichment": float(a["lens_enrichment"]), "heldout_enrichment": enr,
                    "heldout_pairs": int(b["n_pairs"]), "heldout_q": q,
                    "replicates": bool(np.isfinite(q) and q < q_cutoff and enr > 1)})
    return out
