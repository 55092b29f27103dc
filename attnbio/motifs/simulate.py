"""`simulate grammar`: benchmark sequences with real JASPAR motifs planted under known rules.

Positives carry one cooperative pair (motif A and motif B at a fixed centre-to-centre spacing
and relative orientation) and, often, enriched single motifs. Negatives carry the same pair
motifs alone or at a random spacing, so that only the spacing separates the classes for them.
Decoy motifs are planted at the same rate in both classes. Which JASPAR profiles play which
role, and the spacings, are drawn from the seed, so the generator is not tuned to any model.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnbio.errors import InputError
from attnbio.io.motif_formats import Motif
from attnbio.motifs.jaspar import load_jaspar
from attnbio.motifs.pwm import information_content, similarity

BASES = np.array(list("ACGT"))


@dataclass
class GrammarConfig:
    """Knobs of the generator; defaults are the benchmark defaults of the P1/P2 issues."""
    n_sequences: int = 10_000
    length: int = 200
    n_pairs: int = 3
    n_singles: int = 1
    n_decoys: int = 1
    gc: float = 0.41
    pair_rate_pos: float = 0.8      # positives with their cooperative pair at the fixed spacing
    pair_random_neg: float = 0.25   # negatives with a pair at a random spacing
    pair_alone_neg: float = 0.25    # negatives with one motif of a pair alone
    single_rate_pos: float = 0.5
    single_rate_neg: float = 0.1
    decoy_rate: float = 0.3         # both classes
    min_spacing: int = 4            # bp of background between the two sites, at least
    max_distance: int = 40          # centre-to-centre, at most
    seed: int = 0
    taxon: str = "vertebrates"


@dataclass
class Planted:
    """One planted site: sequence index, 0-based start, end (exclusive), strand, motif id."""
    seq: int
    start: int
    end: int
    strand: str
    motif_id: str


@dataclass
class GrammarData:
    positives: list[str]
    negatives: list[str]
    motifs: list[Motif]              # every planted profile, meta['role'] in pair/single/decoy
    pairs: list[dict]                # a, b, distance (B centre minus A centre), orientation
    sites_pos: list[Planted] = field(default_factory=list)
    sites_neg: list[Planted] = field(default_factory=list)


def choose_motifs(cfg: GrammarConfig, rng: np.random.Generator) -> list[Motif]:
    """Draw distinct, informative JASPAR profiles: different TF families, dissimilar matrices."""
    pool = [m for m in load_jaspar(cfg.taxon)
            if 8 <= m.width <= 16 and information_content(m.probs).sum() >= 11
            and information_content(m.probs).mean() >= 0.9 and "::" not in m.name]
    rng.shuffle(pool)
    need = 2 * cfg.n_pairs + cfg.n_singles + cfg.n_decoys
    chosen: list[Motif] = []
    for m in pool:
        if any(m.meta["family"] == c.meta["family"] for c in chosen):
            continue
        if any(similarity(m.probs, c.probs) > 0.45 for c in chosen):
            continue
        chosen.append(m)
        if len(chosen) == need:
            return chosen
    raise InputError(f"only {len(chosen)} distinct JASPAR {cfg.taxon} motifs available, need {need}")


def _sample_site(m: Motif, strand: str, rng: np.random.Generator) -> str:
    cum = np.cumsum(m.probs, axis=1)
    idx = (rng.random((m.width, 1)) > cum).sum(axis=1).clip(max=3)
    site = "".join(BASES[idx])
    return _revcomp(site) if strand == "-" else site


def _revcomp(s: str) -> str:
    return s.translate(str.maketrans("ACGTN", "TGCAN"))[::-1]


class _Canvas:
    """A background sequence with an occupancy mask so planted sites never overlap."""

    def __init__(self, length: int, gc: float, rng: np.random.Generator):
        p = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]
        self.seq = list(BASES[rng.choice(4, size=length, p=p)])
        self.used = np.zeros(length, bool)
        self.rng = rng

    def free_start(self, span: int, tries: int = 50) -> int | None:
        n = len(self.seq)
        for _ in range(tries):
            s = int(self.rng.integers(0, n - span + 1))
            if not self.used[s:s + span].any():
                return s
        return None

    def put(self, start: int, site: str) -> None:
        self.seq[start:start + len(site)] = list(site)
        self.used[start:start + len(site)] = True


def _plant_single(canvas: _Canvas, m: Motif, k: int, out: list, rng) -> None:
    start = canvas.free_start(m.width)
    if start is None:
        return
    strand = "+" if rng.random() < 0.5 else "-"
    canvas.put(start, _sample_site(m, strand, rng))
    out.append(Planted(k, start, start + m.width, strand, m.id))


def _plant_pair(canvas: _Canvas, a: Motif, b: Motif, distance: int, orientation: str,
                k: int, out: list, rng) -> None:
    """Plant A then B with B's centre `distance` bp after A's; the whole composite may be flipped."""
    a_start = 0
    b_start = int(round(a_start + (a.width - 1) / 2 + distance - (b.width - 1) / 2))
    lo, hi = min(a_start, b_start), max(a_start + a.width, b_start + b.width)
    start = canvas.free_start(hi - lo)
    if start is None:
        return
    sa, sb = orientation[0], orientation[1]
    pieces = [(a, a_start - lo, sa), (b, b_start - lo, sb)]
    if rng.random() < 0.5:  # the composite on the other strand: same grammar, mirrored coordinates
        span = hi - lo
        flip = {"+": "-", "-": "+"}
        pieces = [(m, span - off - m.width, flip[s]) for m, off, s in pieces]
    for m, off, s in pieces:
        canvas.put(start + off, _sample_site(m, s, rng))
        out.append(Planted(k, start + off, start + off + m.width, s, m.id))


def _random_distance(a: Motif, b: Motif, cfg: GrammarConfig, avoid: int, rng) -> int:
    lo = (a.width + b.width) // 2 + cfg.min_spacing
    options = [d for d in range(lo, cfg.length // 2) if abs(d - avoid) > 5]
    return int(rng.choice(options))


def simulate_grammar(cfg: GrammarConfig) -> GrammarData:
    """Generate positives and negatives (n_sequences / 2 each) with a truth record."""
    if cfg.n_sequences < 20 or cfg.length < 2 * cfg.max_distance:
        raise InputError("simulate grammar needs at least 20 sequences and length >= 2 x max distance")
    rng = np.random.default_rng(cfg.seed)
    motifs = choose_motifs(cfg, rng)
    pair_m = motifs[:2 * cfg.n_pairs]
    singles = motifs[2 * cfg.n_pairs:2 * cfg.n_pairs + cfg.n_singles]
    decoys = motifs[2 * cfg.n_pairs + cfg.n_singles:]
    for m, role in [(m, "pair") for m in pair_m] + [(m, "single") for m in singles] + [(m, "decoy") for m in decoys]:
        m.meta["role"] = role
    pairs = []
    for i in range(cfg.n_pairs):
        a, b = pair_m[2 * i], pair_m[2 * i + 1]
        lo = (a.width + b.width) // 2 + cfg.min_spacing
        pairs.append({"a": a.id, "b": b.id, "distance": int(rng.integers(lo, cfg.max_distance + 1)),
                      "orientation": str(rng.choice(["++", "+-", "-+"]))})
    data = GrammarData([], [], motifs, pairs)
    n_half = cfg.n_sequences // 2
    by_id = {m.id: m for m in motifs}
    for k in range(n_half):
        data.positives.append(_positive(k, cfg, rng, by_id, pairs, singles, decoys, data.sites_pos))
    for k in range(n_half):
        data.negatives.append(_negative(k, cfg, rng, by_id, pairs, singles, decoys, data.sites_neg))
    return data


def _positive(k, cfg, rng, by_id, pairs, singles, decoys, sites) -> str:
    canvas = _Canvas(cfg.length, cfg.gc, rng)
    if rng.random() < cfg.pair_rate_pos:
        p = pairs[int(rng.integers(len(pairs)))]
        _plant_pair(canvas, by_id[p["a"]], by_id[p["b"]], p["distance"], p["orientation"], k, sites, rng)
    _plant_extras(canvas, cfg.single_rate_pos, singles, decoys, cfg, k, sites, rng)
    return "".join(canvas.seq)


def _negative(k, cfg, rng, by_id, pairs, singles, decoys, sites) -> str:
    canvas = _Canvas(cfg.length, cfg.gc, rng)
    u = rng.random()
    p = pairs[int(rng.integers(len(pairs)))]
    a, b = by_id[p["a"]], by_id[p["b"]]
    if u < cfg.pair_random_neg:
        d = _random_distance(a, b, cfg, p["distance"], rng)
        _plant_pair(canvas, a, b, d, p["orientation"], k, sites, rng)
    elif u < cfg.pair_random_neg + cfg.pair_alone_neg:
        _plant_single(canvas, a if rng.random() < 0.5 else b, k, sites, rng)
    _plant_extras(canvas, cfg.single_rate_neg, singles, decoys, cfg, k, sites, rng)
    return "".join(canvas.seq)


def _plant_extras(canvas, single_rate, singles, decoys, cfg, k, sites, rng) -> None:
    for m in singles:
        if rng.random() < single_rate:
            _plant_single(canvas, m, k, sites, rng)
    for m in decoys:
        if rng.random() < cfg.decoy_rate:
            _plant_single(canvas, m, k, sites, rng)


def truth_record(data: GrammarData, cfg: GrammarConfig) -> dict:
    """JSON-ready description of what was planted (the benchmark's answer key)."""
    from dataclasses import asdict

    from attnbio.motifs.jaspar import JASPAR_RELEASE

    return {
        "generator": "attnbio simulate grammar",
        "jaspar_release": JASPAR_RELEASE,
        "config": asdict(cfg),
        "motifs": [{"id": m.id, "name": m.name, "role": m.meta["role"], "family": m.meta["family"],
                    "width": m.width} for m in data.motifs],
        "enriched": [m.id for m in data.motifs if m.meta["role"] in ("pair", "single")],
        "decoys": [m.id for m in data.motifs if m.meta["role"] == "decoy"],
        "pairs": data.pairs,
        "rates": {"pair_pos": cfg.pair_rate_pos, "pair_random_neg": cfg.pair_random_neg,
                  "pair_alone_neg": cfg.pair_alone_neg, "single_pos": cfg.single_rate_pos,
                  "single_neg": cfg.single_rate_neg, "decoy": cfg.decoy_rate},
    }


def write_grammar(cfg: GrammarConfig, outdir) -> dict:
    """Simulate and write positives.fa, negatives.fa, truth.json, truth.meme, truth_sites.tsv."""
    import json
    from pathlib import Path

    from attnbio.io.fasta import write_fasta
    from attnbio.io.motif_formats import write_meme
    from attnbio.io.tables import write_tsv

    outdir = Path(outdir)
    data = simulate_grammar(cfg)
    write_fasta(outdir / "positives.fa", [(f"pos{i}", s) for i, s in enumerate(data.positives)])
    write_fasta(outdir / "negatives.fa", [(f"neg{i}", s) for i, s in enumerate(data.negatives)])
    truth = truth_record(data, cfg)
    (outdir / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    write_meme(outdir / "truth.meme", data.motifs)
    rows = [(f"pos{s.seq}", s.start, s.end, s.strand, s.motif_id) for s in data.sites_pos]
    rows += [(f"neg{s.seq}", s.start, s.end, s.strand, s.motif_id) for s in data.sites_neg]
    write_tsv(outdir / "truth_sites.tsv", ["seq_id", "start", "end", "strand", "motif_id"], rows)
    return truth
