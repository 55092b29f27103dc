"""Known-motif enrichment: every database profile scanned over targets and background.

The table HOMER users read first (knownResults.txt of findMotifsGenome.pl, Heinz et al. 2010,
Mol Cell 38:576): for each JASPAR profile (or each motif of a MEME file), the targets and
background sequences with at least one site, a one-sided Fisher exact test (hypergeometric
upper tail) that targets have a site more often, Benjamini-Hochberg q over all profiles, sorted
by p. A site is a window (either strand) whose log2-odds score against a uniform background
reaches the exact score threshold for `site_pvalue` (score distribution on a 0.05-bit grid,
Staden 1994 / Touzet & Varre 2007, as FIMO computes it). All profiles are scanned at once as
one matrix product per width group, so the whole of JASPAR CORE vertebrates (~880 profiles) over
10,000 sequences of 200 bp takes seconds.

Near-identical profiles (paralogs such as RELA/REL, Arx/Alx4, HEY2/HEY1) catch the same sites,
so the table groups them as HOMER's known results do (its similar-motif merging, Heinz et al.
2010): profiles are walked in order of enrichment p; the best not yet grouped becomes a row and
takes every ungrouped profile within SIMILAR_PVALUE of it by Tomtom (Gupta et al. 2007, Genome
Biol 8:R24; the larger p of the two query/target directions), listed in `similar` with its own p.
Members join the row's profile directly (no chaining), so a cluster is never wider than one
Tomtom step.
"""
from __future__ import annotations

from dataclasses import dataclass

import hashlib

import numpy as np

from attnbio.io.motif_formats import Motif, consensus
from attnbio.motifs import pwm as P

KNOWN_COLUMNS = ["rank", "motif_id", "name", "consensus", "p_value", "log10_p", "q_value", "n_targets",
                 "pct_targets", "n_background", "pct_background", "log2_enrichment", "similar"]
# Tomtom p (both directions) below which two profiles are one row. Checked on JASPAR 2024 CORE
# vertebrates: RELA-REL 1e-7, Arx-Alx4 1e-13, HEY2-HES2 6e-8 merge; RELA-NFKB2 (2.7e-4) does not;
# unrelated RELA-SOX14 and Arx-HEY2 are 0.85 and 0.99.
SIMILAR_PVALUE = 1e-4


@dataclass
class KnownResult:
    rows: list[dict]              # KNOWN_COLUMNS, sorted by p
    n_targets: int
    n_background: int
    site_pvalue: float
    n_profiles: int = 0           # profiles scanned (rows: one per group of near-identical ones)


def hit_matrix(motifs: list[Motif], x: np.ndarray, mask: np.ndarray, thresholds: np.ndarray,
               group: int = 128, batch: int = 64) -> np.ndarray:
    """(N, M) bool: sequence n has a site of motif m (best both-strand score >= thresholds[m]).

    x (N, L, 4) one-hot, mask (N, L). Motifs are scanned in width-sorted groups of `group`,
    left-aligned and zero-padded to the group's widest: every window of a batch of sequences is
    unfolded and multiplied with all the group's matrices (both strands) as one GEMM.
    """
    import torch
    import torch.nn.functional as F

    n, L = mask.shape
    lengths = mask.sum(axis=1).astype(np.int64)
    out = np.zeros((n, len(motifs)), bool)
    order = np.argsort([m.width for m in motifs], kind="stable")
    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    for g0 in range(0, len(order), group):
        idx = order[g0:g0 + group]
        wmax = max(motifs[i].width for i in idx)
        weight = np.zeros((wmax, 4, 2 * len(idx)), np.float32)       # (position, base, motif x strand)
        for k, i in enumerate(idx):
            lo = P.log_odds(motifs[i].probs)
            weight[:len(lo), :, 2 * k] = lo
            weight[:len(lo), :, 2 * k + 1] = lo[::-1, ::-1]            # reverse-complement strand
        wt = torch.from_numpy(weight.reshape(wmax * 4, -1))
        thr = torch.from_numpy(np.asarray(thresholds, np.float32)[idx])
        widths = torch.from_numpy(np.array([motifs[i].width for i in idx]))
        with torch.no_grad():
            for b0 in range(0, n, batch):
                xb = F.pad(xt[b0:b0 + batch], (0, 0, 0, wmax))             # windows may run into padding
                win = xb.unfold(1, wmax, 1)[:, :L + 1].transpose(2, 3)     # (B, L + 1, wmax, 4)
                nb = win.shape[0]
                s = (win.reshape(-1, wmax * 4) @ wt).view(nb, L + 1, len(idx), 2).amax(dim=3)
                lb = lengths[b0:b0 + batch]
                core = max(int(lb.min()) - wmax + 1, 0)                   # windows valid for every row and motif
                best = s[:, :core].amax(dim=1) if core else torch.full((nb, len(idx)), float("-inf"))
                tail = s[:, core:]
                pos = torch.arange(core, L + 1)
                valid = pos[None, :, None] <= (torch.from_numpy(lb)[:, None, None] - widths[None, None, :])
                best = torch.maximum(best, tail.masked_fill(~valid, float("-inf")).amax(dim=1))
                out[b0:b0 + batch, idx] = (best >= thr[None, :]).numpy()
    return out


_SIMILARITY_CACHE: dict[str, np.ndarray] = {}


def similarity_matrix(db: list[Motif]) -> np.ndarray:
    """(M, M) symmetric Tomtom p of the profiles of `db` (the larger of both directions), cached
    in memory per database digest (about 4 s for all of JASPAR CORE vertebrates)."""
    from attnbio.motifs.annotate import tomtom_pvalues

    h = hashlib.sha1()
    for m in db:
        h.update(m.id.encode())
        h.update(np.ascontiguousarray(m.probs, dtype=np.float64).tobytes())
    key = h.hexdigest()
    if key not in _SIMILARITY_CACHE:
        probs = [np.asarray(m.probs, dtype=np.float64) for m in db]
        p = tomtom_pvalues(probs, probs)
        _SIMILARITY_CACHE.clear()                     # one database per process is the usual case
        _SIMILARITY_CACHE[key] = np.maximum(p, p.T)
    return _SIMILARITY_CACHE[key]


def cluster_profiles(order: list[int], sim: np.ndarray, threshold: float = SIMILAR_PVALUE) -> list[list[int]]:
    """Greedy grouping in the given order (best p first): each ungrouped profile heads a group
    of the ungrouped profiles with sim < threshold to it; members in the same order."""
    taken = np.zeros(len(order), bool)
    pos = {i: k for k, i in enumerate(order)}
    groups = []
    for i in order:
        if taken[pos[i]]:
            continue
        taken[pos[i]] = True
        members = [i]
        for j in order:
            if not taken[pos[j]] and sim[i, j] < threshold:
                taken[pos[j]] = True
                members.append(j)
        groups.append(members)
    return groups


def known_enrichment(db: list[Motif], targets: list[str], background: list[str], site_pvalue: float = 1e-4,
                     max_length: int = 1000, similar_pvalue: float | None = SIMILAR_PVALUE) -> KnownResult:
    """Scan `db` over target and background sequences; rows of known_motifs.tsv sorted by p, one
    per group of near-identical profiles (`similar`: the others, "id name p" joined by "; ";
    similar_pvalue=None keeps one row per profile)."""
    from scipy.stats import hypergeom

    from attnbio.stats import bh_qvalues
    from attnbio.motifs.encode import one_hot

    x, mask, _ = one_hot(targets, max_length=max_length)
    xb, maskb, _ = one_hot(background, length=x.shape[1])
    thr = np.array([P.score_threshold(P.log_odds(m.probs), site_pvalue) for m in db])
    hits_t = hit_matrix(db, x, mask, thr).sum(axis=0)
    hits_b = hit_matrix(db, xb, maskb, thr).sum(axis=0)
    n_t, n_b = len(targets), len(background)
    # One-sided Fisher exact test = hypergeometric upper tail P(X >= a), X ~ H(n_t + n_b, a + b, n_t).
    logp = hypergeom.logsf(hits_t - 1, n_t + n_b, hits_t + hits_b, n_t)
    logp = np.minimum(logp, 0.0)
    p = np.exp(logp)
    q = bh_qvalues(p)
    pct_t, pct_b = 100 * hits_t / max(n_t, 1), 100 * hits_b / max(n_b, 1)
    ratio = ((hits_t + 1) / (n_t + 2)) / ((hits_b + 1) / (n_b + 2))
    order = sorted(range(len(db)), key=lambda i: (logp[i], -pct_t[i], db[i].id))
    groups = cluster_profiles(order, similarity_matrix(db), similar_pvalue) if similar_pvalue else [[i] for i in order]
    rows = [{"rank": r, "motif_id": db[i].id, "name": db[i].name, "consensus": consensus(db[i].probs),
             "p_value": float(p[i]), "log10_p": round(float(logp[i] / np.log(10)), 3), "q_value": float(q[i]),
             "n_targets": int(hits_t[i]), "pct_targets": round(float(pct_t[i]), 2),
             "n_background": int(hits_b[i]), "pct_background": round(float(pct_b[i]), 2),
             "log2_enrichment": round(float(np.log2(ratio[i])), 4),
             "similar": "; ".join(f"{db[j].id} {db[j].name} {float(p[j]):.3g}" for j in g[1:])}
            for r, g in enumerate(groups, 1) for i in g[:1]]
    return KnownResult(rows, n_t, n_b, site_pvalue, len(db))


def write_known(path, result: KnownResult) -> None:
    """known_motifs.tsv (KNOWN_COLUMNS)."""
    from attnbio.io.tables import write_tsv

    write_tsv(path, KNOWN_COLUMNS, result.rows)
