"""Motifs from attention heads: heads -> attended positions -> seqlets -> PWMs -> sites -> enrichment.

The route follows SATORI (Ullah & Ben-Hur 2021, NAR 49:e46) in reading motifs from the
positions attention heads attend to, and TF-MoDISco (Shrikumar et al. 2018) in cutting
seqlets around hot spots and clustering them into motifs; here the clustering is a
seed-and-extend on k-mers enriched in a head's seqlets over background windows, refined by
realigning with the PWM (the way STREME/DREME grow a seed into a matrix).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnbio.motifs import pwm as P
from attnbio.motifs.encode import one_hot
from attnbio.motifs.model import head_name
from attnbio.stats import bh_qvalues

SITE_FLANK = 6   # bp kept each side of a site for naming: JASPAR profiles run past trimmed cores


@dataclass
class DiscoverConfig:
    attention_factor: float = 2.0   # a token is "attended" above this multiple of uniform attention
    per_sequence: int = 2           # at most this many seqlets per sequence and head
    kmer: int = 6
    flank: int = 8                  # bases added on each side of the seed k-mer
    core_pad: int = 8               # bases added around an attended token when looking for seeds
    min_support: float = 0.01       # a motif needs this fraction of a head's seqlets (and >= 20)
    min_z: float = 6.0              # seed k-mer enrichment over background (binomial z)
    max_per_head: int = 6
    merge_similarity: float = 0.7
    site_pvalue: float = 1e-4
    min_sites: int = 10             # positives with a site; fewer cannot be tested for enrichment
    merge_site_overlap: float = 0.5 # near-duplicates must also share this fraction of their sites
    variant_similarity: float | None = 0.8  # rebuilt matrices this similar (widths within 2 bp) are one profile's variants; None: off
    second_pass: bool = True        # look again with the sites of the motifs found masked
    split_lookalikes: bool = True   # split a matrix whose sites are a mixture of two profiles
    conditional: bool = True        # score each motif again on the sites stronger motifs leave (q_conditional)
    extend_ic: float = 0.3          # bits (vs the positives' base composition) a flank column needs
    max_extend: int = 8             # bp a matrix may grow on each side from the sites' flanks
    batch_size: int = 256
    seed: int = 0                   # unused by discovery: the same model gives the same motifs


def user_config(site_pvalue: float = 1e-4, keep_variants: bool = False) -> DiscoverConfig:
    """The DiscoverConfig of the knobs `attnbio motifs` and attnbio.api.find_motifs expose."""
    return DiscoverConfig(site_pvalue=site_pvalue, **({"variant_similarity": None} if keep_variants else {}))


@dataclass
class Site:
    seq: int
    start: int
    end: int
    strand: str
    score: float
    attention: float


@dataclass
class FoundMotif:
    probs: np.ndarray
    heads: list[str]
    support: int
    seqlet_centres: list = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    # Site sequences in the positives with SITE_FLANK bp each side, motif strand, codes 0-3 (4 = N):
    # what annotate weighs candidate names on.
    site_windows: np.ndarray | None = field(default=None, repr=False)
    n_pos: int = 0
    n_neg: int = 0
    log2_enrichment: float = float("nan")
    p_value: float = float("nan")
    q_value: float = float("nan")
    # Enrichment of the sites no more significant motif's sites cover (conditional_enrichment):
    # a fragment or shifted copy of a stronger motif has none of its own.
    q_conditional: float = float("nan")
    explained_by: str = ""          # the motif whose sites cover most of this one's, when q_conditional >= 0.05
    id: str = ""


def attention_profiles(model, x: np.ndarray, mask: np.ndarray, batch_size: int = 256, device="cpu"):
    """Per head, how much each token is looked at (keys) and how much it looks at them (queries).

    -> (N, 2 * n_layers * n_heads, T) float32. Rows 0..H-1 (head index = layer * n_heads + head):
    incoming attention per token, averaged over valid queries. Rows H..2H-1: the same heads'
    query side, sum_j a_ij * incoming_j (normalised), high where a token attends to the tokens
    its head singles out; this finds the partner that looks at a motif (motif A of a pair whose
    head attends from A to B), which incoming attention alone misses.
    """
    import torch

    from attnbio.motifs.model import token_mask

    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch_size):
            xb = torch.from_numpy(x[i:i + batch_size]).to(device)
            mb = torch.from_numpy(mask[i:i + batch_size]).to(device)
            _, maps = model(xb, mb, return_attention=True)
            tm = token_mask(mb, model.cfg.pool).float()
            n_q = tm.sum(dim=1).clamp(min=1)[:, None, None]
            keys = [(a * tm[:, None, :, None]).sum(dim=2) / n_q for a in maps]          # (B, H, T)
            queries = []
            for a, k in zip(maps, keys):
                q = (a @ k.unsqueeze(-1)).squeeze(-1) * tm[:, None, :]
                queries.append(q / q.sum(dim=2, keepdim=True).clamp(min=1e-12))
            out.append(torch.cat(keys + queries, dim=1).float().cpu().numpy())
    return np.concatenate(out)


def profile_names(model) -> list[str]:
    """Names of attention_profiles rows: L1H1 ... for keys, L1H1q ... for the query side."""
    heads = [head_name(i // model.cfg.n_heads, i % model.cfg.n_heads)
             for i in range(model.cfg.n_layers * model.cfg.n_heads)]
    return heads + [h + "q" for h in heads]


def hot_tokens(profile: np.ndarray, valid_tokens: np.ndarray, factor: float, k: int):
    """(seq, token) pairs where one head's incoming attention peaks above factor x uniform.

    profile (N, T) for one head; at most k tokens per sequence, never two adjacent ones.
    """
    uniform = 1.0 / np.maximum(valid_tokens, 1)
    seqs, toks = [], []
    order = np.argsort(-profile, axis=1, kind="stable")[:, :4 * k]
    for n in range(profile.shape[0]):
        taken: list[int] = []
        for t in order[n]:
            if profile[n, t] < factor * uniform[n] or len(taken) == k:
                break
            if all(abs(t - u) > 1 for u in taken):
                taken.append(int(t))
        seqs += [n] * len(taken)
        toks += taken
    return np.array(seqs, dtype=int), np.array(toks, dtype=int)


def _codes(x: np.ndarray) -> np.ndarray:
    """One-hot (N, L, 4) -> base codes (N, L) in 0..3, 4 for N/ambiguous/padding."""
    codes = x.argmax(axis=-1)
    codes[x.max(axis=-1) < 0.99] = 4
    return codes


def _windows(codes: np.ndarray, seqs, starts, width: int) -> np.ndarray:
    """(n, width) code windows; positions outside the sequence are 4 (like N)."""
    padded = np.pad(codes, ((0, 0), (width, width)), constant_values=4)
    idx = starts[:, None] + width + np.arange(width)[None, :]
    return padded[seqs[:, None], idx]


def _oriented_windows(codes: np.ndarray, seqs, starts, minus, width: int) -> np.ndarray:
    """Like _windows, with the windows of minus-strand hits reverse-complemented."""
    win = _windows(codes, seqs, starts, width)
    return np.where(minus[:, None], np.where(win == 4, 4, 3 - win)[:, ::-1], win)


def _kmer_ids(windows: np.ndarray, k: int) -> np.ndarray:
    """(n, w - k + 1) canonical k-mer integer IDs of code windows; -1 where a k-mer holds an N."""
    n, w = windows.shape
    if w < k:
        return np.full((n, 0), -1, dtype=np.int64)
    powers = 4 ** np.arange(k - 1, -1, -1)
    grams = np.lib.stride_tricks.sliding_window_view(windows, k, axis=1)      # (n, w-k+1, k)
    bad = (grams == 4).any(axis=-1)
    fwd = (np.minimum(grams, 3) * powers).sum(-1)
    rev = ((3 - np.minimum(grams, 3))[..., ::-1] * powers).sum(-1)
    return np.where(bad, -1, np.minimum(fwd, rev)).astype(np.int64)


def _presence_counts(windows: np.ndarray, k: int) -> np.ndarray:
    """(4**k,) number of windows that contain each canonical k-mer (at least once)."""
    ids = np.sort(_kmer_ids(windows, k), axis=1)
    first = np.ones(ids.shape, bool)
    first[:, 1:] = ids[:, 1:] != ids[:, :-1]
    return np.bincount(ids[first & (ids >= 0)], minlength=4 ** k)


def background_counts(codes_n: np.ndarray, lengths: np.ndarray, width: int, k: int) -> tuple[np.ndarray, int]:
    """k-mer presence counts over every negative tiled into non-overlapping `width`-bp windows.

    All negatives, in a fixed tiling: the background no longer depends on a random draw, so
    the same model and data give the same motifs whatever --seed (issue 12; STREME, Bailey
    2021, is deterministic for the same reason). -> (counts (4**k,), number of windows).
    """
    seqs, starts = [], []
    for n, length in enumerate(np.asarray(lengths, int)):
        st = np.arange(0, max(length - width, 0) + 1, width)
        seqs.append(np.full(len(st), n))
        starts.append(st)
    seqs, starts = np.concatenate(seqs), np.concatenate(starts)
    counts = np.zeros(4 ** k, dtype=np.int64)
    for i in range(0, len(seqs), 50_000):          # bounded memory on large inputs
        counts += _presence_counts(_windows(codes_n, seqs[i:i + 50_000], starts[i:i + 50_000], width), k)
    return counts, len(seqs)


def _best_seed(fg: np.ndarray, n_f: int, bg: np.ndarray, n_b: int, cfg: DiscoverConfig):
    """The canonical k-mer most enriched in fg windows over bg windows (binomial z), or None.

    fg, bg: presence counts (4**k,) over n_f and n_b windows; ties go to the smaller k-mer ID.
    """
    n_f, n_b = max(n_f, 1), max(n_b, 1)
    need = max(20, cfg.min_support * n_f)
    p0 = (bg + 1) / (n_b + 2)
    z = (fg - n_f * p0) / np.sqrt(n_f * p0 * (1 - p0))
    z = np.where(fg >= need, z, -np.inf)
    best = int(np.argmax(z))
    if not z[best] > cfg.min_z:
        return None, cfg.min_z
    return best, float(z[best])


def _kmer_string(kmer: int, k: int) -> np.ndarray:
    return np.array([(kmer // 4 ** (k - 1 - i)) % 4 for i in range(k)])


def _seed_matrix(windows: np.ndarray, kmer: int, cfg: DiscoverConfig, codes, seqs, starts):
    """Count matrix of the seed's first occurrence (either strand) per window, extended by `flank`."""
    k, f = cfg.kmer, cfg.flank
    if windows.shape[1] < k:
        return None
    target = _kmer_string(kmer, k)
    grams = np.lib.stride_tricks.sliding_window_view(windows, k, axis=1)      # (n, w-k+1, k)
    fwd = (grams == target).all(axis=-1)
    rev = (grams == 3 - target[::-1]).all(axis=-1)
    either = fwd | rev
    rows = np.flatnonzero(either.any(axis=1))
    if not len(rows):
        return None
    first = either[rows].argmax(axis=1)
    minus = ~fwd[rows, first]
    return _counts_to_probs(_oriented_windows(codes, seqs[rows], starts[rows] + first - f, minus, k + 2 * f))


def _counts_to_probs(rows: np.ndarray) -> np.ndarray:
    counts = np.stack([(rows == b).sum(axis=0) for b in range(4)], axis=1).astype(float) + 0.5
    return counts / counts.sum(axis=1, keepdims=True)


def _refine(probs, codes, seqs, starts, width, x, pvalue, rounds: int = 2):
    """Realign seqlets with the current PWM and rebuild it (EM-like, hard assignments)."""
    hit = np.zeros(len(seqs), bool)
    for _ in range(rounds):
        a, b = P.trim(probs)
        if b - a < 5:
            return None, hit
        probs = probs[a:b]
        lo = P.log_odds(probs)
        thr = P.score_threshold(lo, pvalue * 10)  # within a seqlet a looser threshold is fair
        w = len(probs)
        wins = _windows(codes, seqs, starts, width)
        xw = np.eye(5, dtype=np.float32)[wins][..., :4]
        scores = P.scan(xw, wins < 4, lo)
        best = scores.reshape(len(seqs), -1).argmax(axis=1)
        best_score = scores.reshape(len(seqs), -1).max(axis=1)
        hit = best_score >= thr
        if hit.sum() < 10:
            return None, hit
        pos, strand = best[hit] // 2, best[hit] % 2
        pad = 4
        probs = _counts_to_probs(_oriented_windows(codes, seqs[hit], starts[hit] + pos - pad, strand == 1, w + 2 * pad))
    a, b = P.trim(probs)
    return (probs[a:b] if b - a >= 5 else None), hit


def motifs_from_head(codes, x, seqs, toks, bg, pool, cfg: DiscoverConfig, head: str):
    """Seed-and-extend motifs from one head's seqlets; returns a list of FoundMotif.

    bg: (presence counts, n windows) of the background (background_counts).
    """
    core = pool + 2 * cfg.core_pad
    starts = toks * pool - cfg.core_pad
    found = []
    remaining = np.ones(len(seqs), bool)
    bg_counts, n_bg = bg
    for _ in range(cfg.max_per_head):
        s_idx, s_st = seqs[remaining], starts[remaining]
        if len(s_idx) < 20:
            break
        wins = _windows(codes, s_idx, s_st, core)
        seed, z = _best_seed(_presence_counts(wins, cfg.kmer), len(wins), bg_counts, n_bg, cfg)
        if seed is None:
            break
        probs = _seed_matrix(wins, seed, cfg, codes, s_idx, s_st)
        if probs is None:
            break
        probs, hit = _refine(probs, codes, s_idx, s_st - cfg.flank, core + 2 * cfg.flank, x, cfg.site_pvalue)
        if probs is None:
            break
        found.append(FoundMotif(probs, [head], int(hit.sum())))
        idx = np.flatnonzero(remaining)
        remaining[idx[hit]] = False
    return found


def merge_motifs(motifs: list[FoundMotif], threshold: float, x=None, mask=None, pvalue: float = 1e-4,
                 site_overlap: float = 0.5, variant: float | None = None) -> list[FoundMotif]:
    """Greedy merge of near-duplicates across heads: the best-supported matrix represents each group.

    Two matrices are near-duplicates when they are similar (pwm.similarity >= threshold) and,
    where sequences are given, also call the same sites (at least `site_overlap` of the smaller
    site set within half a width of a site of the other): an AT-rich MEF2 and SRF matrix, or a
    short GATA matrix that aligns with part of a longer profile, look alike over five columns
    but sit on different bases, and are different motifs. With `variant`, matrices at least that
    similar and of about one width (2 bp apart at most) merge whatever their sites: one profile
    read as several matrices that each insist on one base of a degenerate column (NCTTGAAAC,
    NCTGGAAAC, CTAGAAAC) call disjoint sites. Look-alikes of different factors are far less
    similar (JASPAR MEF2A / SRF 0.50, MEF2D / SRF 0.36).
    """
    merged: list[FoundMotif] = []
    sites: list = []
    for m in sorted(motifs, key=lambda m: (-m.support, P_key(m))):
        ms = _site_keys(m, x, mask, pvalue) if x is not None else None
        for g, gs in zip(merged, sites):
            sim = P.similarity(m.probs, g.probs)
            if sim >= threshold and (
                    ms is None or _shared_sites(ms, gs, max(len(m.probs), len(g.probs)) / 2) >= site_overlap
                    or (variant is not None and sim >= variant and abs(len(m.probs) - len(g.probs)) <= 2)):
                g.heads = sorted(set(g.heads) | set(m.heads))
                g.support += m.support
                break
        else:
            merged.append(FoundMotif(m.probs.copy(), list(m.heads), m.support))
            sites.append(ms)
    return merged


def _site_keys(m: FoundMotif, x, mask, pvalue) -> np.ndarray:
    """Sorted site centres of a matrix in x as one integer key per site: seq * 2**20 + 2 * centre."""
    s, p, _, _ = find_sites(m, x, mask, pvalue)
    return np.sort(s.astype(np.int64) * 2 ** 20 + 2 * p + len(m.probs) - 1)


def _shared_sites(a: np.ndarray, b: np.ndarray, tol: float) -> float:
    """Fraction of the smaller of two site-key sets (_site_keys) with a site of the other within tol bp."""
    if not len(a) or not len(b):
        return 0.0

    def near(u, v):
        i = np.clip(np.searchsorted(v, u), 1, len(v) - 1) if len(v) > 1 else np.zeros(len(u), int)
        d = np.minimum(np.abs(v[i] - u), np.abs(v[i - 1] - u)) if len(v) > 1 else np.abs(v[0] - u)
        return d <= 2 * tol                      # keys hold twice the centre, seqs 2**20 apart

    return float(max(near(a, b).mean() if len(a) <= len(b) else near(b, a).mean(), 0.0))


def P_key(m: FoundMotif) -> str:
    from attnbio.io.motif_formats import consensus

    return consensus(m.probs)


_SITE_CACHE: dict | None = None    # find_sites results, kept only while discover_from_profiles runs


def find_sites(motif: FoundMotif, x, mask, pvalue: float):
    """Best-scoring non-overlapping hits (either strand) of a motif in each sequence.

    -> (seq, start, strand, score) arrays; overlapping hits keep the higher score.
    """
    if _SITE_CACHE is None:
        return _find_sites(motif, x, mask, pvalue)
    key = (motif.probs.tobytes(), motif.probs.shape, id(x), x.shape, pvalue)
    if key not in _SITE_CACHE:      # the merges, split and rebuild scan the same matrices again
        _SITE_CACHE[key] = _find_sites(motif, x, mask, pvalue)
    return _SITE_CACHE[key]


def _find_sites(motif: FoundMotif, x, mask, pvalue: float):
    lo = P.log_odds(motif.probs)
    thr = P.score_threshold(lo, pvalue)
    scores = P.scan(x, mask, lo)
    best, strand = scores.max(axis=2), scores.argmax(axis=2)
    seq_i, pos_i = np.nonzero(best >= thr)
    order = np.lexsort((-best[seq_i, pos_i], seq_i))
    keep, last_seq, taken = [], -1, []
    w = motif.probs.shape[0]
    for o in order:
        s, p = seq_i[o], pos_i[o]
        if s != last_seq:
            last_seq, taken = s, []
        if all(abs(p - t) >= w for t in taken):
            taken.append(p)
            keep.append(o)
    keep = np.array(sorted(keep, key=lambda o: (seq_i[o], pos_i[o])), dtype=int)
    s, p = seq_i[keep], pos_i[keep]
    return s, p, np.where(strand[s, p] == 0, "+", "-"), best[s, p]


def enrichment(n_pos_hit: int, n_pos: int, n_neg_hit: int, n_neg: int):
    """log2 ratio of hit rates (pseudocount 1) and one-sided Fisher exact p-value."""
    from scipy.stats import fisher_exact

    ratio = ((n_pos_hit + 1) / (n_pos + 2)) / ((n_neg_hit + 1) / (n_neg + 2))
    _, p = fisher_exact([[n_pos_hit, n_pos - n_pos_hit], [n_neg_hit, n_neg - n_neg_hit]], alternative="greater")
    return float(np.log2(ratio)), float(p)


@dataclass
class Discovery:
    motifs: list[FoundMotif]
    head_profiles: np.ndarray     # (N_pos, n_heads_total, T) incoming attention
    head_names: list[str]
    head_focus: np.ndarray        # (n_heads_total,) mean peak/uniform ratio: how focused each head is
    pool: int


def discover(model, pos: list[str], neg: list[str], cfg: DiscoverConfig, max_length: int = 1000,
             device="cpu") -> Discovery:
    """Run the whole route on positives (motifs) with negatives as the background."""
    x, mask, _ = one_hot(pos, max_length=max_length)
    xn, maskn, _ = one_hot(neg, length=x.shape[1])
    prof = attention_profiles(model, x, mask, cfg.batch_size, device)
    return discover_from_profiles(prof, profile_names(model), model.cfg.pool, x, mask, xn, maskn, cfg)


def random_profiles(mask: np.ndarray, n_heads: int, pool: int, seed: int) -> np.ndarray:
    """Attention-free control: per head, random incoming 'attention' (normalised exponentials).

    Same shape as attention_profiles, so the rest of the route runs unchanged; motifs found
    from it measure what seqlet clustering finds at random positions (the benchmark baseline).
    """
    from attnbio.motifs.model import token_mask
    import torch

    tm = token_mask(torch.from_numpy(mask), pool).numpy()
    rng = np.random.default_rng(seed)
    prof = rng.exponential(size=(len(mask), n_heads, tm.shape[1])) * tm[:, None, :]
    return (prof / prof.sum(axis=2, keepdims=True)).astype(np.float32)


def discover_from_profiles(prof, names, pool, x, mask, xn, maskn, cfg: DiscoverConfig) -> Discovery:
    """Seqlets at each head's attended tokens -> motifs -> sites and enrichment.

    Deterministic for a model and data (no random draw). Steps: candidates from every head
    against a background of all negatives (background_counts); near-duplicates merged
    (merge_motifs); a second pass with the sites of those motifs masked (second_pass); matrices
    whose sites mix two profiles split (split_mixtures); every matrix rebuilt from its sites with
    the flanks they support (matrix_from_sites); enrichment and BH q (_score_motifs).
    """
    global _SITE_CACHE
    _SITE_CACHE = {}
    try:
        return _discover(prof, names, pool, x, mask, xn, maskn, cfg)
    finally:
        _SITE_CACHE = None


def _discover(prof, names, pool, x, mask, xn, maskn, cfg: DiscoverConfig) -> Discovery:
    valid_tokens = np.ceil(mask.sum(axis=1) / pool)
    focus = (prof.max(axis=2) * valid_tokens[:, None]).mean(axis=0)
    codes, codes_n = _codes(x), _codes(xn)
    all_codes = np.concatenate([codes, codes_n])
    hot = [hot_tokens(prof[:, h], valid_tokens, cfg.attention_factor, cfg.per_sequence)
           for h in range(prof.shape[1])]
    motifs = merge_motifs(_candidates(all_codes, codes_n, maskn, x, hot, names, pool, cfg), cfg.merge_similarity,
                          x, mask, cfg.site_pvalue, cfg.merge_site_overlap)
    if cfg.second_pass and motifs:
        masked = mask_sites(all_codes, motifs, np.concatenate([x, xn]), np.concatenate([mask, maskn]),
                            cfg.site_pvalue)
        more = merge_motifs(_candidates(masked, masked[len(x):], maskn, x, hot, names, pool, cfg),
                            cfg.merge_similarity, x, mask, cfg.site_pvalue, cfg.merge_site_overlap)
        if more:
            motifs = merge_motifs(motifs + more, cfg.merge_similarity, x, mask, cfg.site_pvalue,
                                  cfg.merge_site_overlap)
    if cfg.split_lookalikes:
        motifs = split_mixtures(motifs, codes, x, mask, cfg)
    motifs = [m for m in (matrix_from_sites(m, codes, x, mask, cfg) for m in motifs) if m is not None]
    motifs = merge_motifs(motifs, cfg.merge_similarity, x, mask, cfg.site_pvalue, cfg.merge_site_overlap,
                          cfg.variant_similarity)
    motifs = _score_motifs(motifs, x, mask, xn, maskn, prof, names, pool, cfg, codes)
    return Discovery(motifs, prof, names, focus, pool)


def _candidates(all_codes, codes_n, maskn, x, hot, names, pool, cfg) -> list[FoundMotif]:
    """motifs_from_head for every head with enough attended tokens, against all negatives."""
    core = pool + 2 * cfg.core_pad
    bg = background_counts(codes_n, maskn.sum(axis=1), core, cfg.kmer)
    out = []
    for h, (seqs, toks) in enumerate(hot):
        if len(seqs) >= 20:
            out += motifs_from_head(all_codes, x, seqs, toks, bg, pool, cfg, names[h])
    return out


def mask_sites(codes: np.ndarray, motifs: list[FoundMotif], x, mask, pvalue: float) -> np.ndarray:
    """A copy of codes with every site of `motifs` (in x) set to 4 (N).

    The second pass looks again with what the found motifs explain taken out, as STREME
    (Bailey 2021) and DREME erase the sites of each motif before the next: a short, low-information
    profile (GATA) whose k-mers also occur inside stronger motifs' sites is otherwise shadowed.
    """
    out = codes.copy()
    for m in motifs:
        s, p, _, _ = find_sites(m, x, mask, pvalue)
        w = len(m.probs)
        for a, b in zip(s, p):
            out[a, max(b, 0):b + w] = 4
    return out


SPLIT_FLANK = 3   # bp each side of a site the mixture test also sees


def split_mixtures(motifs: list[FoundMotif], codes, x, mask, cfg: DiscoverConfig) -> list[FoundMotif]:
    """Replace each matrix whose sites are a two-profile mixture (pwm.two_component_split) by both parts.

    The parts are kept apart only when they are not one profile read on both strands or shifted
    (pwm.similarity of the parts < 0.9): a palindrome's sites, aligned on either strand at random,
    would otherwise split into a matrix and its reverse complement.
    """
    out = []
    for m in motifs:
        s, p, strand, _ = find_sites(m, x, mask, cfg.site_pvalue)
        w = len(m.probs)
        win = _oriented_windows(codes, s, p - SPLIT_FLANK, strand == "-", w + 2 * SPLIT_FLANK)
        split = P.two_component_split(win, min_sites=max(20, cfg.min_sites))
        if split is not None and P.similarity(split[0], split[1]) < 0.9:
            for part in split[:2]:
                a, b = P.trim(part)
                if b - a >= 5:
                    out.append(FoundMotif(part[a:b], list(m.heads), m.support))
            continue
        out.append(m)
    return out


def matrix_from_sites(m: FoundMotif, codes, x, mask, cfg: DiscoverConfig) -> FoundMotif | None:
    """The matrix rebuilt from its own sites in the positives, grown into the flanks they support.

    Sites (PWM p < site_pvalue) are cut with max_extend bp each side; a column joins when its
    information against the positives' base composition reaches extend_ic bits (or the next
    column does: one soft column inside a profile, as in JASPAR's CArG or E-box matrices), and
    soft end columns are trimmed. Seqlet matrices are soft at their edges and were trimmed to
    6-8 bp cores that Tomtom cannot name; the sites know the flanks (issue 12: BEAF-32, M1BP).
    """
    s, p, strand, _ = find_sites(m, x, mask, cfg.site_pvalue)
    if len(s) < cfg.min_sites:
        return m
    e, w = cfg.max_extend, len(m.probs)
    win = _oriented_windows(codes, s, p - e, strand == "-", w + 2 * e)
    probs = _counts_to_probs(win)
    valid = codes[codes < 4]
    comp = np.bincount(valid, minlength=4) + 1.0
    ic = P.information_content_vs(probs, comp / comp.sum())
    strong = ic >= cfg.extend_ic
    lo, hi = e, e + w
    while lo > 0 and (strong[lo - 1] or (lo > 1 and strong[lo - 2])):
        lo -= 2 if not strong[lo - 1] else 1
    while hi < len(probs) and (strong[hi] or (hi + 1 < len(probs) and strong[hi + 1])):
        hi += 2 if not strong[hi] else 1
    while hi - lo > 5 and not strong[lo]:
        lo += 1
    while hi - lo > 5 and not strong[hi - 1]:
        hi -= 1
    return FoundMotif(probs[lo:hi], list(m.heads), m.support)


def _score_motifs(motifs, x, mask, xn, maskn, prof, names, pool, cfg, codes) -> list[FoundMotif]:
    """Sites, enrichment and BH q for each motif; motifs with too few sites to test are dropped."""
    neg_sites = {}
    for m in motifs:
        s, p, strand, score = find_sites(m, x, mask, cfg.site_pvalue)
        m.site_windows = _oriented_windows(codes, s, p - SITE_FLANK, strand == "-",
                                           m.probs.shape[0] + 2 * SITE_FLANK).astype(np.uint8)
        heads = [names.index(h) for h in m.heads]
        w = m.probs.shape[0]
        tok = np.clip((p + w // 2) // pool, 0, prof.shape[2] - 1)
        att = prof[s][:, heads, :][np.arange(len(s)), :, tok].max(axis=1) if len(s) else np.zeros(0)
        m.sites = [Site(int(a), int(b), int(b) + w, c, float(d), float(e))
                   for a, b, c, d, e in zip(s, p, strand, score, att)]
        sn, pn, *_ = find_sites(m, xn, maskn, cfg.site_pvalue)
        neg_sites[id(m)] = (sn, pn)
        m.n_pos, m.n_neg = len(np.unique(s)), len(np.unique(sn))
        m.log2_enrichment, m.p_value = enrichment(m.n_pos, len(x), m.n_neg, len(xn))
    motifs = [m for m in motifs if m.n_pos >= cfg.min_sites]
    q = bh_qvalues(np.array([m.p_value for m in motifs]))
    for m, qq in zip(motifs, q):
        m.q_value = float(qq)
    motifs.sort(key=lambda m: (m.p_value, -m.log2_enrichment, P_key(m)))
    for i, m in enumerate(motifs, 1):
        m.id = f"attnbio_m{i}"
    if cfg.conditional:
        conditional_enrichment(motifs, [neg_sites[id(m)] for m in motifs], x.shape, xn.shape)
    return motifs


CONDITIONAL_ALPHA = 0.05   # a motif whose residual sites pass at raw p below this erases its sites for the next


def conditional_enrichment(motifs, neg_sites, pos_shape, neg_shape) -> None:
    """Fill q_conditional and explained_by: each motif's enrichment on the sites that no more
    significant motif's sites cover (at least half of the site's bases), in order of p-value.

    STREME (Bailey 2021) and DREME erase the sites of each reported motif before they score the
    next, so a fragment (CTAAAA inside GWGGCTAAAAGCA) or a shifted copy of a strong motif, which
    is enriched only because it sits in the stronger motif's sites, is not reported as a motif of
    its own. The motif of a cooperative pair keeps its sites: pair partners do not overlap. Only
    motifs that pass (raw p < CONDITIONAL_ALPHA on their residual sites) erase theirs; q is BH over
    all motifs.
    """
    cover_pos = np.zeros((pos_shape[0], pos_shape[1] + 1), bool)     # bool / int16: 50,000 x 1,000 bp
    cover_neg = np.zeros((neg_shape[0], neg_shape[1] + 1), bool)     # inputs stay at 50-100 MB each
    owner_pos = np.full(cover_pos.shape, -1, np.int16)
    p_cond = []
    for k, (m, (sn, pn)) in enumerate(zip(motifs, neg_sites)):
        w = m.probs.shape[0]
        s = np.array([t.seq for t in m.sites], int)
        p = np.array([t.start for t in m.sites], int)
        own_pos = ~_covered(cover_pos, s, p, w)
        own_neg = ~_covered(cover_neg, sn, pn, w)
        _, pc = enrichment(len(np.unique(s[own_pos])), pos_shape[0], len(np.unique(sn[own_neg])), neg_shape[0])
        p_cond.append(pc)
        if pc < CONDITIONAL_ALPHA and m.log2_enrichment > 0:
            _cover(cover_pos, s, p, w, owner_pos, k)
            _cover(cover_neg, sn, pn, w)
        elif len(s) and (~own_pos).any():
            owners = [int(np.bincount(owner_pos[a, b:b + w][owner_pos[a, b:b + w] >= 0]).argmax())
                      for a, b in zip(s[~own_pos], p[~own_pos])]
            m.explained_by = motifs[int(np.bincount(owners).argmax())].id
    for m, q in zip(motifs, bh_qvalues(np.array(p_cond))):
        m.q_conditional = float(q)
        if q < CONDITIONAL_ALPHA or not m.q_value < CONDITIONAL_ALPHA:   # named only where it explains a loss
            m.explained_by = ""


def _covered(cover: np.ndarray, s: np.ndarray, p: np.ndarray, w: int) -> np.ndarray:
    """Which sites (seq s, start p, width w) have at least half their bases covered."""
    if not len(s):
        return np.zeros(0, bool)
    cols = np.clip(p[:, None] + np.arange(w)[None, :], 0, cover.shape[1] - 1)   # last column: never covered
    return 2 * cover[s[:, None], cols].sum(axis=1) >= w


def _cover(cover, s, p, w, owner=None, k=-1) -> None:
    """Mark the bases of the sites as covered (and, where given, owned by motif k if not yet owned)."""
    if not len(s):
        return
    rows = np.asarray(s)[:, None]
    cols = np.clip(np.asarray(p)[:, None] + np.arange(w)[None, :], 0, cover.shape[1] - 1)
    keep = cols < cover.shape[1] - 1                   # the last column stays uncovered (clip target)
    rows, cols = np.broadcast_to(rows, cols.shape)[keep], cols[keep]
    cover[rows, cols] = True
    if owner is not None:
        free = owner[rows, cols] < 0
        owner[rows[free], cols[free]] = k
