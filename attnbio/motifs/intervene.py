"""Interventional check of attention-supported motif pairs: does the model reward the spacing?

Attention is correlation; a pair claim has to survive an intervention on the model (the in
silico "motif embedding" experiments of Koo et al. 2021, PLoS Comput Biol 17:e1008925, and
the epistasis tests of Avsec et al. 2021, Nat Genet 53:354, BPNet). For each pair (A, B,
distance d, orientation) and each of n background sequences (dinucleotide-shuffled negatives):

    f0          the background alone
    fA, fB      A alone, B alone (B at the position it has in the pair)
    fAB         A and B at distance d (with the pair's orientation)
    fBr, fABr   the same with B at a random distance d' (|d' - d| > min_offset, no overlap)

with f the model's both-strand logit. The interaction at d is e = fAB - fA - fB + f0 (gain
beyond the additive expectation); at the random distance e' = fABr - fA - fBr + f0.
effect = mean(e); effect_p = one-sided Wilcoxon signed-rank p of e > e' (paired by
background sequence): the spacing, not mere co-presence, is what the model rewards. A pair is
confirmed when effect >= min_effect (0.25 logit) and its effect_p, Benjamini-Hochberg adjusted
over the pairs checked, is below alpha (set_status).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnbio.motifs.encode import one_hot
from attnbio.motifs.simulate import _revcomp


@dataclass
class InterveneConfig:
    n_background: int = 200
    min_offset: int = 6           # random distances differ from the reported one by more than this
    alpha: float = 0.05           # BH-adjusted effect_p below this (and effect >= min_effect): confirmed
    min_effect: float = 0.25      # logit gain beyond additive (odds x1.28) that counts as cooperation
    batch_size: int = 512
    seed: int = 0


@dataclass
class Intervention:
    effect: float                 # mean interaction at the reported distance (logit units)
    effect_random: float          # mean interaction at random distances
    effect_p: float
    n: int                        # background sequences used
    e_distance: np.ndarray        # (n,) per-sequence interactions at d
    e_random: np.ndarray          # (n,) at the random distances


def site_instances(seqs: list[str], motif, max_length: int = 1000, flank: int = 3) -> list[str]:
    """The bases of a motif's sites in the (cropped) sequences, in the motif's own orientation.

    Each instance keeps `flank` bases of its own sequence on both sides (the centre stays the
    site's centre): a trimmed matrix may leave out bases the model reads, and planting a bare
    7-mer core of a 9-bp site would test a weaker motif than the one the model saw. Sites too
    close to an end for their flanks are left out, unless no site has room.
    """
    from attnbio.motifs.encode import crop_offsets

    L = min(max(len(s) for s in seqs), max_length)
    offs = crop_offsets([len(s) for s in seqs], L)
    out, bare = [], []
    for s in motif.sites:
        seq, o = seqs[s.seq], offs[s.seq]
        lo, hi = o + s.start - flank, o + s.end + flank
        bare.append(_oriented(seq[o + s.start:o + s.end].upper(), s.strand))
        if lo >= o and hi <= min(len(seq), o + L):
            out.append(_oriented(seq[lo:hi].upper(), s.strand))
    return out or bare


def _oriented(site: str, strand: str) -> str:
    return site if strand == "+" else _revcomp(site)


def _start_of_b(start_a: int, wa: int, wb: int, d: int) -> int:
    """Start of B whose centre lies d bp after A's centre (centres at start + (w - 1) / 2)."""
    return int(np.floor(start_a + (wa - 1) / 2 + d - (wb - 1) / 2 + 0.5))


def _plant(seq: list[str], start: int, site: str) -> None:
    seq[start:start + len(site)] = list(site)


def plant_pair_sets(background: list[str], sites_a: list[str], sites_b: list[str], distance: int,
                    orientation: str, rng: np.random.Generator, min_offset: int = 6):
    """The six intervention sequences for each background sequence that has room for the pair.

    -> dict name -> list of sequences, names f0, fA, fB, fAB, fBr, fABr; plus 'd_random'.
    """
    out = {k: [] for k in ("f0", "fA", "fB", "fAB", "fBr", "fABr")}
    d_random = []
    for bg in background:
        sa = sites_a[int(rng.integers(len(sites_a)))]
        sb = sites_b[int(rng.integers(len(sites_b)))]
        sa = sa if orientation[0] == "+" else _revcomp(sa)
        sb = sb if orientation[1] == "+" else _revcomp(sb)
        wa, wb, L = len(sa), len(sb), len(bg)
        min_d = (wa + wb) / 2 + 1                          # no overlap between A and B
        placed = False
        for _ in range(50):
            start_a = int(rng.integers(0, L - wa + 1))
            start_b = _start_of_b(start_a, wa, wb, distance)
            if start_b < 0 or start_b + wb > L:
                continue
            options = [dr for dr in range(-L, L) if abs(dr) >= min_d and abs(dr - distance) > min_offset
                       and 0 <= _start_of_b(start_a, wa, wb, dr) <= L - wb]
            if not options:
                continue
            dr = int(options[int(rng.integers(len(options)))])
            start_br = _start_of_b(start_a, wa, wb, dr)
            placed = True
            break
        if not placed:
            continue
        base = list(bg)
        seqs = {k: list(base) for k in out}
        for k in ("fA", "fAB", "fABr"):
            _plant(seqs[k], start_a, sa)
        for k in ("fB", "fAB"):
            _plant(seqs[k], start_b, sb)
        for k in ("fBr", "fABr"):
            _plant(seqs[k], start_br, sb)
        for k in out:
            out[k].append("".join(seqs[k]))
        d_random.append(dr)
    out["d_random"] = d_random
    return out


def test_pair(model, background: list[str], sites_a: list[str], sites_b: list[str], distance: int,
              orientation: str, cfg: InterveneConfig, rng: np.random.Generator, device="cpu") -> Intervention:
    """Plant the pair into background sequences and measure the interaction (see module doc)."""
    from scipy.stats import wilcoxon

    from attnbio.motifs.train import predict

    sets = plant_pair_sets(background, sites_a, sites_b, distance, orientation, rng, cfg.min_offset)
    n = len(sets["f0"])
    if n < 10:
        return Intervention(float("nan"), float("nan"), float("nan"), n, np.zeros(0), np.zeros(0))
    names = ("f0", "fA", "fB", "fAB", "fBr", "fABr")
    allseq = [s for k in names for s in sets[k]]
    x, mask, _ = one_hot(allseq)
    f = dict(zip(names, predict(model, x, mask, cfg.batch_size, device).astype(np.float64).reshape(6, n)))
    e_d = f["fAB"] - f["fA"] - f["fB"] + f["f0"]
    e_r = f["fABr"] - f["fA"] - f["fBr"] + f["f0"]
    diff = e_d - e_r
    p = float(wilcoxon(diff, alternative="greater").pvalue) if np.any(diff != 0) else 1.0
    return Intervention(float(e_d.mean()), float(e_r.mean()), p, n, e_d, e_r)


def background_sequences(seqs: list[str], n: int, seed: int, max_length: int = 1000) -> list[str]:
    """n dinucleotide-shuffled sequences (cropped to max_length) drawn from `seqs`, seeded."""
    from attnbio.motifs.encode import crop_offsets
    from attnbio.motifs.shuffle import dinucleotide_shuffle

    rng = np.random.default_rng(seed + 7)
    pick = rng.choice(len(seqs), size=n, replace=len(seqs) < n)
    out = []
    for i in pick:
        s = seqs[i].upper()
        o = int(crop_offsets([len(s)], max_length)[0])
        out.append(dinucleotide_shuffle(s[o:o + max_length], rng))
    return out


def check_pairs(model, pairs, motifs, pos_seqs: list[str], background: list[str], cfg: InterveneConfig,
                max_length: int = 1000, device="cpu") -> list[Intervention]:
    """Run test_pair for every PairCall and fill its effect, effect_random, effect_p and status."""
    rng = np.random.default_rng(cfg.seed + 2003)
    inst = {}
    out = []
    for c in pairs:
        for k in (c.a, c.b):
            if k not in inst:
                inst[k] = site_instances(pos_seqs, motifs[k], max_length)
        r = test_pair(model, background, inst[c.a], inst[c.b], c.distance, c.orientation, cfg, rng, device)
        c.effect, c.effect_random, c.effect_p = r.effect, r.effect_random, r.effect_p
        out.append(r)
    set_status(pairs, cfg)
    return out


def set_status(pairs, cfg: InterveneConfig) -> None:
    """attention+effect / attention_only / low_support / shadow for each checked pair.

    Confirmed: effect >= min_effect and effect_p, Benjamini-Hochberg adjusted over the pairs
    that are claims of their own, below alpha. With 200 paired backgrounds a gain of a few
    hundredths of a logit can reach p < 0.05; such a gain is no cooperation worth reporting,
    and one test per pair needs a correction. A shadow (grammar.mark_shadows) repeats a stronger
    call's site pairs: its effect is measured and shown but is not a claim of its own. A call
    with too few linked site pairs (grammar's min_support) is `low_support` whatever its effect.
    """
    from attnbio.stats import bh_qvalues

    own = [c for c in pairs if c.shadow_of is None]
    q = bh_qvalues(np.array([1.0 if np.isnan(c.effect_p) else c.effect_p for c in own]))
    for c, qq in zip(own, q):
        confirmed = qq < cfg.alpha and c.effect >= cfg.min_effect
        c.status = ("low_support" if not c.supported else "attention+effect") if confirmed else "attention_only"
    for c in pairs:
        if c.shadow_of is not None:
            c.status = "shadow"
