"""GC-matched genomic background: random regions of the peaks' sizes, away from the peaks.

HOMER's findMotifsGenome.pl (Heinz et al. 2010, Mol Cell 38:576) picks random genomic
regions of the peaks' sizes and matches their GC distribution to the peaks' by GC bins. Here
each peak asks for `ratio` background regions of its own size and GC bin (GC among A/C/G/T,
bins of `bin_width`); candidates are drawn uniformly over the genome in vectorised rounds,
rejected when they overlap a peak or its flanks or hold more than `max_n_fraction` N, and
given to the unfilled requests of their (size, bin). Requests still open after `rounds`
rounds are retried with bins twice as wide, then four and eight times; what is left takes
any admissible region (counted in `n_unmatched`). Seeded: same inputs and seed, same regions.

Memory: one uint32 per genome base (a running count of GC + 65536 x N per chromosome), so a
100 Mb genome needs ~400 MB while sampling.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnbio.io.bed import Region

_SHIFT = 16                       # window counts: GC in the low 16 bits, N above (windows < 65536 bp)


@dataclass
class BackgroundConfig:
    ratio: float = 1.0            # background regions per peak
    flank: int = 200              # bp each side of a peak also excluded
    bin_width: float = 0.01       # GC bin (fraction of A/C/G/T bases)
    max_n_fraction: float = 0.25
    mask_repeats: bool = False    # soft-masked bases count as N
    rounds: int = 25              # sampling rounds per bin width
    oversample: int = 4           # candidates per open request per round
    seed: int = 0


@dataclass
class Background:
    """Sampled regions as arrays, sorted by genome order: chromosome names[chrom[i]], [start, end)
    on '+', GC fraction gc[i]; n_unmatched requests were filled outside their GC bin."""
    names: list[str]
    chrom: np.ndarray
    start: np.ndarray
    end: np.ndarray
    gc: np.ndarray
    n_unmatched: int

    def __len__(self) -> int:
        return len(self.start)

    def region_names(self) -> list[str]:
        return [f"bg{k + 1}" for k in range(len(self))]

    def tuples(self) -> list[tuple[str, int, int]]:
        """(chrom, start, end) of every region, cheaply (no Region objects)."""
        return list(zip([self.names[c] for c in self.chrom], self.start.tolist(), self.end.tolist()))

    @property
    def regions(self) -> list[Region]:
        return [Region(c, s, e, n, "+") for (c, s, e), n in zip(self.tuples(), self.region_names())]


class GenomeCounts:
    """Running GC/N counts over all chromosomes of a genome, for O(1) window composition."""

    def __init__(self, genome, mask_repeats: bool = False, chunk: int = 1 << 22):
        lut = np.zeros(256, np.uint32)
        for c in b"GCSgcs":
            lut[c] = 1
        n_letters = b"ACGTSWacgtsw"                       # definite GC/AT calls; anything else is N
        lut_n = np.ones(256, np.uint32)
        for c in n_letters:
            lut_n[c] = 0
        if mask_repeats:
            lut[np.frombuffer(b"acgtsw", np.uint8)] = 0
            lut_n[np.frombuffer(b"acgtsw", np.uint8)] = 1
        lut = lut + (lut_n << _SHIFT)
        self.names = list(genome.lengths)
        self.lengths = np.array([genome.lengths[k] for k in self.names], np.int64)
        self.base = np.concatenate([[0], np.cumsum(self.lengths + 1)[:-1]])   # each chrom: length + 1 entries
        self.cum = np.zeros(int((self.lengths + 1).sum()), np.uint32)
        buf = np.empty(chunk, np.uint32)
        for i, name in enumerate(self.names):
            seq = genome.chromosome_bytes(name)
            out = self.cum[self.base[i] + 1:self.base[i] + 1 + len(seq)]
            run = np.uint32(0)
            for j in range(0, len(seq), chunk):               # chunks keep the uint32 temporary small
                part = out[j:j + chunk]
                np.take(lut, seq[j:j + chunk], out=buf[:len(part)])
                np.cumsum(buf[:len(part)], dtype=np.uint32, out=part)
                part += run                                    # wraps mod 2^32; differences stay exact
                run = part[-1]
            del seq

    def window(self, chrom_idx: np.ndarray, start: np.ndarray, size: np.ndarray):
        """(GC count, N count) of windows [start, start + size) on chromosomes chrom_idx."""
        g = self.base[chrom_idx] + start
        v = self.cum[g + size] - self.cum[g]                   # uint32 modular difference
        return (v & 0xFFFF).astype(np.int64), (v >> _SHIFT).astype(np.int64)


def _excluded(counts: GenomeCounts, peaks: list[Region], flank: int):
    """Sorted disjoint (start, end) of peaks +- flank in global coordinates (chrom base offsets)."""
    if not peaks:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    index = {n: i for i, n in enumerate(counts.names)}
    c = np.array([index[p.chrom] for p in peaks], np.int64)
    s = np.maximum(np.array([p.start for p in peaks], np.int64) - flank, 0)
    e = np.minimum(np.array([p.end for p in peaks], np.int64) + flank, counts.lengths[c])
    s, e = s + counts.base[c], e + counts.base[c]
    order = np.argsort(s, kind="stable")
    s, e = s[order], np.maximum.accumulate(e[order])
    new = np.r_[True, s[1:] > e[:-1]]                   # an interval starting after all before it end
    starts = s[new]
    ends = np.r_[e[np.flatnonzero(new)[1:] - 1], e[-1:]]
    return starts, ends


def _group_rank(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stable order by key and each element's rank among equal keys (0, 1, ...)."""
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    first = np.r_[0, np.flatnonzero(k[1:] != k[:-1]) + 1]
    starts = np.repeat(first, np.diff(np.r_[first, len(k)]))
    rank = np.empty(len(k), np.int64)
    rank[order] = np.arange(len(k)) - starts
    return order, rank


def sample_background(genome, peaks: list[Region], peak_gc: np.ndarray, cfg: BackgroundConfig,
                      counts: GenomeCounts | None = None) -> Background:
    """Background regions for `peaks` (their sizes; GC of each in `peak_gc`), see module doc."""
    rng = np.random.default_rng(cfg.seed)
    counts = counts or GenomeCounts(genome, cfg.mask_repeats)
    ex_s, ex_e = _excluded(counts, peaks, cfg.flank)
    n_req = int(round(cfg.ratio * len(peaks)))
    src = np.arange(n_req) % max(len(peaks), 1)
    sizes = np.array([peaks[i].length for i in src], np.int64)
    gc_req = np.nan_to_num(np.asarray(peak_gc, float)[src], nan=0.5)
    cum_len = np.cumsum(counts.lengths)
    total = int(cum_len[-1])
    got_c = np.full(n_req, -1, np.int64)
    got_s = np.zeros(n_req, np.int64)
    got_gc = np.zeros(n_req)
    levels = [1, 2, 4, 8, None]                    # bin width multipliers; None = any GC
    n_unmatched = 0
    for level in levels:
        width = cfg.bin_width * level if level else None
        for _ in range(cfg.rounds if level else 4 * cfg.rounds):
            open_ = np.flatnonzero(got_c < 0)
            if not len(open_):
                break
            m = min(max(cfg.oversample * len(open_), 1000), 1 << 20)   # ranks fit in 20 bits
            c_size = sizes[rng.choice(open_, m)]
            u = rng.integers(0, total, m)
            chrom = np.searchsorted(cum_len, u, side="right")
            start = u - (cum_len[chrom] - counts.lengths[chrom])
            ok = start + c_size <= counts.lengths[chrom]
            chrom, start, c_size = chrom[ok], start[ok], c_size[ok]
            g = counts.base[chrom] + start
            j = np.searchsorted(ex_s, g + c_size, side="left") - 1
            ok = (j < 0) | (ex_e[np.maximum(j, 0)] <= g) if len(ex_s) else np.ones(len(g), bool)
            chrom, start, c_size = chrom[ok], start[ok], c_size[ok]
            gc, nn = counts.window(chrom, start, c_size)
            acgt = c_size - nn
            ok = (nn <= cfg.max_n_fraction * c_size) & (acgt > 0)
            chrom, start, c_size, frac = chrom[ok], start[ok], c_size[ok], gc[ok] / np.maximum(acgt[ok], 1)
            if width:
                key_c = c_size * 100_000 + np.floor(frac / width).astype(np.int64)
                key_r = sizes[open_] * 100_000 + np.floor(gc_req[open_] / width).astype(np.int64)
            else:
                key_c, key_r = c_size, sizes[open_]
            _, rank_c = _group_rank(key_c)
            _, rank_r = _group_rank(key_r)
            code_c = key_c * (1 << 20) + rank_c
            code_r = key_r * (1 << 20) + rank_r
            _, ir, ic = np.intersect1d(code_r, code_c, assume_unique=True, return_indices=True)
            t = open_[ir]
            got_c[t], got_s[t], got_gc[t] = chrom[ic], start[ic], frac[ic]
            if level is None:
                n_unmatched += len(t)
    order = np.lexsort((got_s, got_c))
    order = order[got_c[order] >= 0]
    return Background(counts.names, got_c[order], got_s[order], got_s[order] + sizes[order], got_gc[order],
                      n_unmatched + int((got_c < 0).sum()))


def uniform_background(genome, peaks: list[Region], cfg: BackgroundConfig,
                       counts: GenomeCounts | None = None) -> Background:
    """The same draw without GC matching (bins of any GC): the control the GC test compares with."""
    from dataclasses import replace

    return sample_background(genome, peaks, np.zeros(len(peaks)), replace(cfg, bin_width=10.0), counts)


def background_bed_rows(bg: Background) -> list[tuple]:
    """BED6 rows for background.bed: score = GC in per mille."""
    gc = np.round(1000 * bg.gc).astype(int).tolist()
    return [(c, s, e, n, g, "+") for (c, s, e), n, g in zip(bg.tuples(), bg.region_names(), gc)]
