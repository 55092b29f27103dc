"""Motif grammar from attention: which motif pairs a head links, at which spacing and orientation.

Route (in the spirit of SATORI's attention-based interaction reading; Ullah & Ben-Hur 2021,
NAR 49:e46, "interactions between motifs from self-attention"): the sites of the discovered
motifs are placed on every head's attention map; two sites are *linked* by a head when the
attention between their centre tokens (either direction) exceeds `attention_factor` x uniform.
For each motif pair and head, the signed centre-to-centre distances of linked site pairs in
the positives are counted and compared, distance by distance, with a background that keeps
each sequence's motif content but breaks co-positioning: every positive is dinucleotide-
shuffled (Altschul & Erickson 1985) and its own sites (blocks of overlapping sites kept
together) are re-implanted at random non-overlapping positions, `n_background` times. The
count test is the conditional binomial test of two Poisson counts (Przyborowski & Wilenski
1940): given n_obs + n_bg linked pairs at a distance, n_obs ~ Binomial(n, 1 / (1 + K)) under
the null. q-values are Benjamini-Hochberg over every (pair, head, distance) tested.

Conventions. Distances are in bp between site centres, B minus A, and orientations are the
strands of A and B; because DNA has two strands, a configuration and its reverse complement
(distance -d, both strands flipped) are the same grammar, so every pair is stored with A the
motif listed first in motifs.tsv (for the same motif, the upstream site) and d >= 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnbio.motifs.encode import crop_offsets, one_hot

FLIP = {"+": "-", "-": "+"}
ORIENTATIONS = ("++", "+-", "-+", "--")


@dataclass
class PairConfig:
    """Knobs of find_pairs: which motif pairs attention links, at which spacings, tested how.
    (The simulator's knobs are attnbio.motifs.simulate.GrammarSimConfig.)"""
    attention_factor: float = 2.0   # linked: attention >= factor x uniform (1 / valid tokens); 0 = all pairs
    max_distance: int = 100         # bp, centre to centre
    window: int = 1                 # a distance d counts linked pairs at d +- window bp
    n_background: int = 2           # shuffled-and-reimplanted copies of each positive
    min_count: int = 10             # test a distance only when n_obs + n_bg (scaled to one copy) reach this
    min_sites: int = 20             # motifs with fewer sites take no part
    max_motifs: int = 16            # the best motifs by enrichment p-value
    q_threshold: float = 0.05
    max_pairs: int = 40             # rows kept (best p first)
    shadow_fraction: float = 0.5    # a call whose linked site pairs are mostly those of a stronger call is its shadow
    min_support: float = 0.01       # a claim needs linked site pairs in at least this fraction of the positives
    batch_size: int = 256
    seed: int = 0


@dataclass
class PairCall:
    """One reported pair: motif indices into the motif list, mode distance, heads, counts."""
    a: int
    b: int
    distance: int
    orientation: str
    orientation_fraction: float
    heads: list[str]
    n_obs: int
    n_background: float            # expected linked pairs at the distance in one background copy
    p_value: float
    q_value: float
    spread: float                  # SD (bp) of linked distances within +-3 bp of the mode
    hist_obs: np.ndarray           # (max_distance + 1,) linked pairs by |distance| (best head)
    hist_bg: np.ndarray            # same for the background, per copy
    effect: float = float("nan")   # filled by intervene
    effect_random: float = float("nan")
    effect_p: float = float("nan")
    status: str = ""               # "attention+effect", "attention_only", "low_support" or "shadow"
    supported: bool = True         # n_obs >= min_support x positives: enough sites to claim a grammar
    obs_index: np.ndarray = field(default_factory=lambda: np.zeros(0, int), repr=False)  # linked site pairs at the mode
    shadow_of: int | None = None   # index (in the call list) of a stronger call made of the same sites


@dataclass
class GrammarResult:
    pairs: list[PairCall]
    n_tested: int
    head_names: list[str]
    motif_indices: list[int]        # motifs that took part
    n_site_pairs: int               # co-occurring site pairs in the positives
    n_dropped_blocks: int           # site blocks that did not fit when re-implanting
    config: PairConfig = field(default_factory=PairConfig)


# --- sites and pairs ------------------------------------------------------------------------


def _site_table(motifs, keep: list[int]) -> dict[int, list[tuple]]:
    """seq -> sorted [(start, end, strand, motif_index)] for the motifs in `keep`."""
    by_seq: dict[int, list[tuple]] = {}
    for k in keep:
        for s in motifs[k].sites:
            by_seq.setdefault(s.seq, []).append((s.start, s.end, s.strand, k))
    for v in by_seq.values():
        v.sort()
    return by_seq


def _overlapping(s1, s2) -> bool:
    """Sites that share at least half of the shorter one: the same binding event, not a pair."""
    ov = min(s1[1], s2[1]) - max(s1[0], s2[0])
    return ov * 2 >= min(s1[1] - s1[0], s2[1] - s2[0])


def canonical(ka: int, sa: tuple, kb: int, sb: tuple) -> tuple[int, int, int, str]:
    """(a, b, 2 x distance, orientation) with a <= b, distance >= 0, for two sites.

    Site = (start, end, strand, ...); distance = centre(B) - centre(A), in half-bp units.
    """
    c2a, c2b = sa[0] + sa[1] - 1, sb[0] + sb[1] - 1        # twice the centre
    if (ka, c2a) > (kb, c2b):
        ka, sa, c2a, kb, sb, c2b = kb, sb, c2b, ka, sa, c2a
    d2, o = c2b - c2a, sa[2] + sb[2]
    if d2 < 0 or (d2 == 0 and o == "--"):
        d2, o = -d2, FLIP[o[0]] + FLIP[o[1]]
    if ka == kb and o == "--":                               # homotypic: ++ and -- are one grammar
        o = "++"
    return ka, kb, d2, o


def site_pairs(by_seq: dict[int, list[tuple]], max_distance: int):
    """Every co-occurring, non-overlapping site pair within max_distance in each sequence.

    -> dict of arrays: seq, tok_a/tok_b (centre base of each site), a, b, d2 (2 x distance), o.
    """
    cols = {k: [] for k in ("seq", "ca", "cb", "a", "b", "d2", "o")}
    for n, sites in by_seq.items():
        for i in range(len(sites)):
            for j in range(i + 1, len(sites)):
                s1, s2 = sites[i], sites[j]
                if _overlapping(s1, s2):
                    continue
                a, b, d2, o = canonical(s1[3], s1, s2[3], s2)
                if d2 > 2 * max_distance:
                    continue
                cols["seq"].append(n)
                cols["ca"].append((s1[0] + s1[1] - 1) // 2)
                cols["cb"].append((s2[0] + s2[1] - 1) // 2)
                cols["a"].append(a)
                cols["b"].append(b)
                cols["d2"].append(d2)
                cols["o"].append(ORIENTATIONS.index(o))
    return {k: np.array(v, dtype=int) for k, v in cols.items()}


def pair_attention(model, x, mask, pairs: dict, batch_size: int = 256, device="cpu") -> np.ndarray:
    """(n_pairs, n_layers * n_heads) attention between the two sites, x uniform.

    max(attn[q=A, k=B], attn[q=B, k=A]) at the sites' centre tokens, times the number of
    valid tokens (so 1.0 is uniform attention).
    """
    import torch

    from attnbio.motifs.model import token_mask

    pool = model.cfg.pool
    n_heads = model.cfg.n_layers * model.cfg.n_heads
    out = np.zeros((len(pairs["seq"]), n_heads), np.float32)
    if not len(pairs["seq"]):
        return out
    order = np.argsort(pairs["seq"], kind="stable")
    seqs = pairs["seq"][order]
    model.eval()
    with torch.no_grad():
        for i in range(0, len(x), batch_size):
            lo, hi = np.searchsorted(seqs, [i, i + batch_size])
            if lo == hi:
                continue
            rows = order[lo:hi]
            xb = torch.from_numpy(x[i:i + batch_size]).to(device)
            mb = torch.from_numpy(mask[i:i + batch_size]).to(device)
            _, maps = model(xb, mb, return_attention=True)
            ntok = token_mask(mb, pool).sum(dim=1).float().cpu().numpy()
            s = pairs["seq"][rows] - i
            ta, tb = pairs["ca"][rows] // pool, pairs["cb"][rows] // pool
            vals = []
            for a in maps:
                a = a.float().cpu().numpy()                              # (B, H, T, T)
                ab = a[s, :, ta, tb]
                ba = a[s, :, tb, ta]
                vals.append(np.maximum(ab, ba))
            out[rows] = np.concatenate(vals, axis=1) * ntok[s][:, None]
    return out


# --- background -----------------------------------------------------------------------------


def _blocks(sites: list[tuple]) -> list[tuple[int, int]]:
    """Merge sites that overlap (by the _overlapping rule, transitively) into (start, end) blocks."""
    blocks: list[list] = []
    for s in sites:
        for blk in blocks:
            if any(_overlapping(s, t) for t in blk):
                blk.append(s)
                break
        else:
            blocks.append([s])
    return [(min(t[0] for t in blk), max(t[1] for t in blk), blk) for blk in blocks]


def reimplant_background(seqs: list[str], by_seq: dict[int, list[tuple]], rng: np.random.Generator,
                         tries: int = 100):
    """One background copy: each sequence dinucleotide-shuffled, its site blocks re-implanted.

    Blocks (overlapping sites stay together, with their own bases and strands) go to random
    non-overlapping positions. -> (sequences, {seq: sites at their new positions}, n_dropped).
    """
    from attnbio.motifs.shuffle import dinucleotide_shuffle

    out, new_sites, dropped = [], {}, 0
    for n, seq in enumerate(seqs):
        sites = by_seq.get(n, [])
        shuffled = list(dinucleotide_shuffle(seq, rng))
        used = np.zeros(len(seq), bool)
        placed = []
        blocks = _blocks(sites)
        for bi in rng.permutation(len(blocks)):        # random order, so no block is always last
            start, end, members = blocks[bi]
            span = end - start
            for _ in range(tries):
                pos = int(rng.integers(0, len(seq) - span + 1))
                if not used[pos:pos + span].any():
                    break
            else:
                dropped += 1
                continue
            used[pos:pos + span] = True
            shuffled[pos:pos + span] = seq[start:end]
            placed += [(t[0] - start + pos, t[1] - start + pos, t[2], t[3]) for t in members]
        out.append("".join(shuffled))
        if placed:
            new_sites[n] = sorted(placed)
    return out, new_sites, dropped


# --- counting and testing -------------------------------------------------------------------


def _hist(d2: np.ndarray, max_distance: int) -> np.ndarray:
    """Counts by 2 x distance (half-bp bins), length 2 * max_distance + 1."""
    return np.bincount(d2, minlength=2 * max_distance + 1)[:2 * max_distance + 1].astype(float)


def _window_counts(h2: np.ndarray, window: int, max_distance: int) -> np.ndarray:
    """Counts at integer distances 0..max_distance within +-window bp, from half-bp bins."""
    k = np.ones(4 * window + 1)
    smooth = np.convolve(h2, k, mode="same")
    return smooth[::2][:max_distance + 1]


def find_pairs(model, seqs: list[str], motifs, head_names: list[str], cfg: PairConfig,
               max_length: int = 1000, device="cpu") -> GrammarResult:
    """Pairs of discovered motifs that attention heads link at an over-represented spacing.

    seqs: the positive sequences (sites in `motifs` are in their encoded, possibly cropped,
    coordinates); motifs: FoundMotif list (sites filled). Returns the significant pairs, one
    per (motif pair, spacing peak), best p first.
    """
    from scipy.stats import binom

    from attnbio.stats import bh_qvalues

    keep = [k for k in sorted(range(len(motifs)), key=lambda k: motifs[k].p_value)
            if len(motifs[k].sites) >= cfg.min_sites][:cfg.max_motifs]
    keep.sort()
    x, mask, _ = one_hot(seqs, max_length=max_length)
    L = x.shape[1]
    offs = crop_offsets([len(s) for s in seqs], L)
    cropped = [s[o:o + L] for s, o in zip(seqs, offs)]
    by_seq = _site_table(motifs, keep)
    md = cfg.max_distance
    obs = site_pairs(by_seq, md)
    att = pair_attention(model, x, mask, obs, cfg.batch_size, device)
    rng = np.random.default_rng(cfg.seed + 104729)
    bgs, dropped = [], 0
    for _ in range(cfg.n_background):
        bseqs, bsites, nd = reimplant_background(cropped, by_seq, rng)
        dropped += nd
        bx, bm, _ = one_hot(bseqs, length=L)
        bp = site_pairs(bsites, md)
        bgs.append((bp, pair_attention(model, bx, bm, bp, cfg.batch_size, device)))
    K = cfg.n_background
    tests = []   # (a, b, head, distance, n_obs, n_bg_total)
    hists = {}
    keys = sorted(set(zip(obs["a"].tolist(), obs["b"].tolist())))
    for a, b in keys:
        sel = (obs["a"] == a) & (obs["b"] == b)
        bsel = [(bp["a"] == a) & (bp["b"] == b) for bp, _ in bgs]
        for h in range(att.shape[1]):
            lo = sel & (att[:, h] >= cfg.attention_factor)
            h_obs = _hist(obs["d2"][lo], md)
            h_bg = sum(_hist(bp["d2"][bs & (ba[:, h] >= cfg.attention_factor)], md)
                       for (bp, ba), bs in zip(bgs, bsel))
            n_o = _window_counts(h_obs, cfg.window, md)
            n_b = _window_counts(h_bg, cfg.window, md)
            hists[(a, b, h)] = (h_obs, h_bg, lo)
            for d in range(1, md + 1):
                if n_o[d] + n_b[d] / K >= cfg.min_count:
                    tests.append((a, b, h, d, int(n_o[d]), int(n_b[d])))
    if not tests:
        return GrammarResult([], 0, head_names, keep, len(obs["seq"]), dropped, cfg)
    t = np.array(tests)
    p = binom.sf(t[:, 4] - 1, t[:, 4] + t[:, 5], 1.0 / (1 + K))
    p = np.where(t[:, 4] * K > t[:, 5], p, 1.0)     # only over-representation counts
    q = bh_qvalues(p)
    calls = []
    for a, b in keys:
        idx = np.flatnonzero((t[:, 0] == a) & (t[:, 1] == b) & (q < cfg.q_threshold))
        for cluster in _clusters(idx, t, p):
            best = min(cluster, key=lambda i: (p[i], -t[i, 4], t[i, 2], t[i, 3]))
            h, d = int(t[best, 2]), int(t[best, 3])
            heads = sorted({int(t[i, 2]) for i in cluster if abs(t[i, 3] - d) <= cfg.window},
                           key=lambda hh: min(p[i] for i in cluster if t[i, 2] == hh))
            calls.append(_call(a, b, h, d, heads, t[best], p[best], q[best], obs, hists, head_names, cfg))
    calls.sort(key=lambda c: (c.p_value, -c.n_obs, c.a, c.b, c.distance))
    calls = calls[:cfg.max_pairs]
    for c in calls:
        # A spacing seen in a handful of the positives may be significant against the background
        # and rewarded by the model, yet it explains almost none of the data: no grammar to claim.
        c.supported = c.n_obs >= cfg.min_support * len(seqs)
    widths = {k: motifs[k].probs.shape[0] for k in keep}
    mark_shadows(calls, obs, widths, cfg.shadow_fraction)
    return GrammarResult(calls, len(tests), head_names, keep, len(obs["seq"]), dropped, cfg)


def mark_shadows(calls: list[PairCall], obs: dict, widths: dict, fraction: float) -> None:
    """Set c.shadow_of where most of a call's linked site pairs are those of a stronger call.

    Two similar motifs (a C-rich zinc finger and GLIS2, a 7-mer fragment of an HSF site) call
    sites on the same bases, so the true pair (GLIS2, ZBED1) at 27 bp reappears as (Znf423,
    ZBED1) at 27 bp. Such a call adds no grammar: its observations are the stronger call's
    observations read through another matrix. A site pair is shared when, in the same sequence,
    both of its sites overlap (centres within half the wider site) the two sites of a site pair
    of the stronger call. Calls are visited best p first; a shadow never shadows others.
    """
    tol = max(widths.values(), default=0) / 2
    kept: list[int] = []
    for i, c in enumerate(calls):
        for j in kept:
            if _shared_fraction(c.obs_index, calls[j].obs_index, obs, tol) >= fraction:
                c.shadow_of = j
                break
        else:
            kept.append(i)


def _shared_fraction(idx: np.ndarray, ref: np.ndarray, obs: dict, tol: float) -> float:
    """Fraction of the site pairs `idx` whose two sites overlap the two sites of a pair in `ref`."""
    if not len(idx) or not len(ref):
        return 0.0
    by_seq: dict[int, list[tuple[int, int]]] = {}
    for r in ref:
        by_seq.setdefault(int(obs["seq"][r]), []).append((int(obs["ca"][r]), int(obs["cb"][r])))
    shared = 0
    for o in idx:
        ca, cb = int(obs["ca"][o]), int(obs["cb"][o])
        for ra, rb in by_seq.get(int(obs["seq"][o]), ()):
            if (abs(ca - ra) <= tol and abs(cb - rb) <= tol) or (abs(ca - rb) <= tol and abs(cb - ra) <= tol):
                shared += 1
                break
    return shared / len(idx)


def _clusters(idx: np.ndarray, t: np.ndarray, p: np.ndarray) -> list[list[int]]:
    """Group significant tests of one motif pair into spacing peaks (distances within 2 bp)."""
    if not len(idx):
        return []
    idx = sorted(idx.tolist(), key=lambda i: (t[i, 3], t[i, 2]))
    groups, cur = [], [idx[0]]
    for i in idx[1:]:
        if t[i, 3] - t[cur[-1], 3] <= 2:
            cur.append(i)
        else:
            groups.append(cur)
            cur = [i]
    groups.append(cur)
    return groups


def _call(a, b, h, d, heads, row, p, q, obs, hists, head_names, cfg) -> PairCall:
    h_obs, h_bg, linked = hists[(a, b, h)]
    d2 = obs["d2"]
    near = linked & (np.abs(d2 - 2 * d) <= 2 * cfg.window)
    o_counts = np.bincount(obs["o"][near], minlength=4)
    o = int(o_counts.argmax())
    spread_sel = linked & (np.abs(d2 - 2 * d) <= 6)
    spread = float(np.std(d2[spread_sel] / 2)) if spread_sel.any() else float("nan")
    md = cfg.max_distance
    # half-bp bins -> 1-bp bins for the histograms in the report
    hb_obs = h_obs[::2] + np.r_[h_obs[1::2], 0][:md + 1]
    hb_bg = (h_bg[::2] + np.r_[h_bg[1::2], 0][:md + 1]) / cfg.n_background
    return PairCall(a, b, d, ORIENTATIONS[o], float(o_counts[o] / max(o_counts.sum(), 1)),
                    [head_names[x] for x in heads], int(row[4]), round(float(row[5]) / cfg.n_background, 2),
                    float(p), float(q), spread, hb_obs, hb_bg, obs_index=np.flatnonzero(near))


def interaction_rows(result: GrammarResult, motifs) -> list[dict]:
    """Rows for interactions.tsv (columns in outputs.INTERACTION_COLUMNS)."""
    rows = []
    for c in result.pairs:
        rows.append({"motif_a": motifs[c.a].id, "motif_b": motifs[c.b].id, "distance": c.distance,
                     "orientation": c.orientation, "head": ",".join(c.heads), "n_obs": c.n_obs,
                     "n_background": c.n_background, "p_value": c.p_value, "q_value": c.q_value,
                     "effect": c.effect, "effect_p": c.effect_p, "distance_spread": round(c.spread, 2),
                     "status": c.status, "shadow_of": _shadow_label(result.pairs, c, motifs)})
    return rows


def _shadow_label(calls, c: PairCall, motifs) -> str | None:
    """'attnbio_m2:attnbio_m3:27' for the stronger call a shadow repeats, else None (empty field)."""
    if c.shadow_of is None:
        return None
    s = calls[c.shadow_of]
    return f"{motifs[s.a].id}:{motifs[s.b].id}:{s.distance}"
