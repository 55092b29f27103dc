"""`simulate genome`: a small synthetic genome with ChIP-seq-like peaks over planted motif grammar.

The sequences come from `simulate grammar` (simulate.py, unchanged): its positives become peak
regions and its negatives become unbound regions carrying the same motifs alone or at random
spacings. They are placed, one per slot, into chromosomes of random DNA whose GC content rises
linearly along each chromosome (gc_low at the start to gc_high at the end), so a uniform random
background differs from the peaks in GC and a GC-matched one does not. Each chromosome starts
with an N gap, and a fraction of the filler is soft-masked (lower case) like RepeatMasker
output. Peaks are written as narrowPeak with the planted region extended by random flanks and
the summit at the region's centre, so `--size LENGTH` re-centring recovers the planted region.

Writes genome.fa, peaks.narrowPeak, negatives.bed, positives.fa and negatives.fa (the same
sequences as FASTA, for the FASTA route), truth.json, truth.meme and truth_sites.bed (planted
sites in the peaks, genome coordinates).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from attnbio.errors import InputError


@dataclass
class GenomeSimConfig:
    n_peaks: int = 4000
    length: int = 200               # planted region (and the simulated sequences), bp
    n_chroms: int = 4
    density: float = 0.2            # fraction of the genome covered by planted regions
    gc_low: float = 0.30            # filler GC at the start of each chromosome
    gc_high: float = 0.55           # ... and at its end
    peak_gc: float = 0.50           # GC of the simulated peak/negative sequences
    repeat_fraction: float = 0.05   # filler soft-masked in 300-bp blocks
    n_gap: int = 2000               # N run at the start of each chromosome
    max_flank: int = 100            # peaks extend the planted region by U(0, max_flank) bp each side
    seed: int = 0


def _filler(n: int, gc_low: float, gc_high: float, rng) -> np.ndarray:
    """n bases (uint8 ASCII) with P(G or C) rising linearly from gc_low to gc_high."""
    p = gc_low + (gc_high - gc_low) * (np.arange(n) + 0.5) / n
    is_gc = rng.random(n) < p
    pick = rng.random(n) < 0.5
    return np.where(is_gc, np.where(pick, ord("G"), ord("C")), np.where(pick, ord("A"), ord("T"))).astype(np.uint8)


def _write_fasta(path: Path, chroms: list[tuple[str, np.ndarray]], width: int = 60) -> None:
    with open(path, "wb") as fh:
        for name, seq in chroms:
            fh.write(f">{name}\n".encode())
            n_full = len(seq) // width
            body = np.concatenate([seq[:n_full * width].reshape(n_full, width),
                                   np.full((n_full, 1), ord("\n"), np.uint8)], axis=1).tobytes()
            fh.write(body)
            if len(seq) % width:
                fh.write(seq[n_full * width:].tobytes() + b"\n")


def simulate_genome(cfg: GenomeSimConfig, outdir) -> dict:
    """Simulate and write the files of the module doc into `outdir`; returns truth.json's dict."""
    from attnbio.io.bed import write_bed
    from attnbio.io.fasta import write_fasta
    from attnbio.io.motif_formats import write_meme
    from attnbio.motifs.simulate import GrammarSimConfig, simulate_grammar, truth_record

    if cfg.n_peaks < 20:
        raise InputError("simulate genome needs at least 20 peaks")
    outdir = Path(outdir)
    gcfg = GrammarSimConfig(n_sequences=2 * cfg.n_peaks, length=cfg.length, gc=cfg.peak_gc, seed=cfg.seed)
    data = simulate_grammar(gcfg)
    rng = np.random.default_rng([cfg.seed, 7])
    slot = int(np.ceil(cfg.length / cfg.density))
    slot = max(slot, cfg.length + 2 * cfg.max_flank + 2)
    n_regions = 2 * cfg.n_peaks
    weights = np.linspace(1.0, 0.7, cfg.n_chroms)
    per_chrom = np.floor(n_regions * weights / weights.sum()).astype(int)
    per_chrom[0] += n_regions - per_chrom.sum()
    kinds = rng.permutation(np.r_[np.zeros(cfg.n_peaks, int), np.ones(cfg.n_peaks, int)])
    seq_index = {0: iter(range(cfg.n_peaks)), 1: iter(range(cfg.n_peaks))}
    chroms, peaks, negs, sites = [], [], [], []
    sites_of: dict[int, list] = {}
    for s in data.sites_pos:
        sites_of.setdefault(s.seq, []).append(s)
    k = 0
    for c, n_slots in enumerate(per_chrom):
        name = f"chr{c + 1}"
        n = cfg.n_gap + n_slots * slot + slot
        seq = _filler(n, cfg.gc_low, cfg.gc_high, rng)
        seq[:cfg.n_gap] = ord("N")
        n_rep = int(cfg.repeat_fraction * n / 300)
        for s in rng.integers(cfg.n_gap, n - 300, n_rep):
            seq[s:s + 300] |= 0x20                      # ASCII upper -> lower case: soft-masked
        for j in range(n_slots):
            kind = int(kinds[k])
            k += 1
            i = next(seq_index[kind])
            lo = cfg.n_gap + j * slot + cfg.max_flank + 1
            start = int(rng.integers(lo, lo + slot - cfg.length - 2 * cfg.max_flank - 1))
            planted = data.positives[i] if kind == 0 else data.negatives[i]
            seq[start:start + cfg.length] = np.frombuffer(planted.encode("ascii"), np.uint8)
            if kind == 0:
                a, b = (int(x) for x in rng.integers(0, cfg.max_flank + 1, 2))
                p0, p1 = start - a, start + cfg.length + b
                summit = start + cfg.length // 2 - p0
                score = int(rng.integers(100, 1001))
                peaks.append((name, p0, p1, f"peak{i}", score, ".", round(score / 50, 2), round(score / 40, 2),
                              round(score / 45, 2), summit))
                sites += [(name, start + s.start, start + s.end, s.motif_id, 0, s.strand)
                          for s in sites_of.get(i, ())]
            else:
                negs.append((name, start, start + cfg.length, f"neg{i}", 0, "+"))
        chroms.append((name, seq))
    _write_fasta(outdir / "genome.fa", chroms)
    write_fasta(outdir / "positives.fa", [(f"peak{i}", q) for i, q in enumerate(data.positives)])
    write_fasta(outdir / "negatives.fa", [(f"neg{i}", q) for i, q in enumerate(data.negatives)])
    write_bed(outdir / "peaks.narrowPeak", peaks)
    write_bed(outdir / "negatives.bed", negs)
    write_bed(outdir / "truth_sites.bed", sorted(sites, key=lambda r: (int(r[0][3:]), r[1], r[3])))
    write_meme(outdir / "truth.meme", data.motifs)
    truth = truth_record(data, gcfg)
    truth["generator"] = "attnbio simulate genome"
    truth["genome"] = {**asdict(cfg), "chromosomes": {n: int(len(s)) for n, s in chroms}}
    (outdir / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    return truth
