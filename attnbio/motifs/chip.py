"""The ChIP-seq route of `attnbio motifs`: peaks (BED/narrowPeak) + a genome in, genome coordinates out.

Input stage (chip_inputs): the peaks become the same in-memory sequence records the FASTA
route reads (re-centred on the summit to --size, minus strand reverse-complemented, N-heavy
regions dropped), each with its genomic region; the negatives are --negatives (BED or FASTA)
or a GC-matched genomic background (background.py). Output step (write_chip_outputs):
background.bed, peaks_used.bed, known_motifs.tsv (known.py), sites.bed and genomic columns
in sites.tsv, and n_peaks in interactions.tsv.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from attnbio.errors import InputError
from attnbio.io.bed import Region, is_bed, read_bed, write_bed
from attnbio.io.fasta import Record, read_all


@dataclass
class ChipInputs:
    positives: list[Record]
    negatives: list[Record]
    negatives_source: str
    regions: list[Region] | None          # genomic region of each positive (None: FASTA positives)
    neg_regions: list[Region] | None = None
    background: object | None = None      # background.Background when sampled from the genome
    genome: object | None = None
    n_dropped: int = 0
    inputs: dict = field(default_factory=dict)   # extra provenance: the genome's index digest


def uses_genome(req) -> bool:
    """Whether this request takes the ChIP-seq route (BED peaks or BED negatives)."""
    return is_bed(req.positives) or bool(req.negatives and is_bed(req.negatives))


def chip_inputs(req, log=lambda msg: None, min_count: int = 20) -> ChipInputs | None:
    """Records for a BED request (see module doc); None when positives and negatives are FASTA."""
    from attnbio.io.genome import Genome, genome_digest

    if not uses_genome(req):
        if getattr(req, "genome", None):
            raise InputError(f"--genome {req.genome}: only used with BED/narrowPeak peaks or negatives; "
                             f"{req.positives} is FASTA")
        return None
    bed = req.positives if is_bed(req.positives) else req.negatives
    if not getattr(req, "genome", None):
        raise InputError(f"{bed}: a BED file needs --genome GENOME.fa to read the region sequences")
    # Parse the BED files before the genome: a malformed line is reported without indexing anything.
    pos_bed = read_bed(req.positives) if is_bed(req.positives) else None
    neg_bed = read_bed(req.negatives) if req.negatives and is_bed(req.negatives) else None
    genome = Genome(req.genome)
    out = ChipInputs([], [], "", None, genome=genome, inputs=genome_digest(req.genome))
    if pos_bed is not None:
        ex = _extract(genome, pos_bed, req.positives, req, log, "peaks")
        out.positives, out.regions, out.n_dropped = ex.records, ex.regions, ex.n_dropped_n
    else:
        out.positives = read_all(req.positives, min_count=min_count, what="positive sequences")
    if len(out.positives) < min_count:
        raise InputError(f"{req.positives}: {len(out.positives)} usable peaks, too few to train "
                         f"(need at least {min_count})")
    if neg_bed is not None:
        ex = _extract(genome, neg_bed, req.negatives, req, log, "negative regions")
        out.negatives, out.neg_regions = ex.records, ex.regions
        out.negatives_source = str(req.negatives)
    elif req.negatives:
        out.negatives = read_all(req.negatives, min_count=min_count, what="negative sequences")
        out.negatives_source = str(req.negatives)
    else:
        out.background, out.negatives, out.neg_regions = _genomic_background(genome, out, req, log)
        out.negatives_source = (f"GC-matched genomic background ({len(out.negatives)} regions, "
                                f"seed {req.seed}; background.bed)")
    if len(out.negatives) < min_count:
        raise InputError(f"{req.negatives or req.genome}: {len(out.negatives)} negative sequences, too few "
                         f"to train (need at least {min_count})")
    return out


def _extract(genome, regions, path, req, log, what):
    from attnbio.io.genome import extract

    ex = extract(genome, regions, path, req.size, req.max_n_fraction, req.mask_repeats)
    if ex.n_dropped_n:
        log(f"warning: {path}: {ex.n_dropped_n} of {len(regions)} {what} dropped: more than "
            f"{req.max_n_fraction:g} of their bases are N{' (soft-masked repeats count as N)' if req.mask_repeats else ''}")
    if ex.n_clipped:
        log(f"{path}: {ex.n_clipped} {what} shorter than {req.size} bp (clipped at a chromosome end)")
    return ex


def _genomic_background(genome, chip: ChipInputs, req, log):
    from attnbio.io.fasta import Record
    from attnbio.io.genome import fetch_many, gc_fraction
    from attnbio.motifs.background import BackgroundConfig, sample_background

    cfg = BackgroundConfig(ratio=req.background_ratio, max_n_fraction=req.max_n_fraction,
                           mask_repeats=req.mask_repeats, seed=req.seed)
    gc = gc_fraction([r.sequence for r in chip.positives])
    log(f"sampling {int(round(cfg.ratio * len(chip.positives)))} GC-matched background regions from "
        f"{genome.path} (GC bins of {cfg.bin_width:g}, peaks +- {cfg.flank} bp excluded)")
    bg = sample_background(genome, chip.regions, gc, cfg)
    if bg.n_unmatched:
        log(f"warning: {bg.n_unmatched} background regions could not be matched to their peak's GC "
            f"(even in bins {8 * cfg.bin_width:g} wide)")
    regions = bg.regions
    seqs = fetch_many(genome, regions, req.mask_repeats)
    records = [Record(r.name, f"{r.chrom}:{r.start}-{r.end}(+)", q) for r, q in zip(regions, seqs)]
    return bg, records, regions


# --- outputs ---------------------------------------------------------------------------------


GENOMIC_SITE_COLUMNS = ["chrom", "genomic_start", "genomic_end", "genomic_strand", "p_value", "sequence"]


def genomic_site(region: Region, start: int, end: int, strand: str) -> tuple[int, int, str]:
    """Genome coordinates of [start, end) on `strand` of the record read from `region`."""
    if region.strand == "-":
        return region.end - end, region.end - start, "-" if strand == "+" else "+"
    return region.start + start, region.start + end, strand


def write_chip_outputs(outdir, chip: ChipInputs, motifs, db, pos_seqs, neg_seqs, req, log=lambda msg: None):
    """Everything the BED route adds to OUTDIR; returns the KnownResult for the report."""
    from attnbio.motifs.background import background_bed_rows
    from attnbio.motifs.known import known_enrichment, write_known

    outdir = Path(outdir)
    if chip.background is not None:
        write_bed(outdir / "background.bed", background_bed_rows(chip.background))
    if chip.regions is not None:
        ids = [r.id for r in chip.positives]
        write_bed(outdir / "peaks_used.bed",
                  [(r.chrom, r.start, r.end, i, 0, r.strand) for r, i in zip(chip.regions, ids)])
    log(f"known motifs: scanning {len(db)} profiles over {len(pos_seqs)} targets and {len(neg_seqs)} background")
    known = known_enrichment(db, pos_seqs, neg_seqs, req.discover.site_pvalue, req.max_length)
    write_known(outdir / "known_motifs.tsv", known)
    if chip.regions is not None:
        _genomic_sites(outdir, chip, motifs)
    _interaction_peaks(outdir, motifs, req)
    return known


def _genomic_sites(outdir: Path, chip: ChipInputs, motifs) -> None:
    """sites.tsv gains genome coordinates, a site p-value and the site sequence; sites.bed (BED6)."""
    from attnbio.io.genome import revcomp
    from attnbio.io.tables import read_tsv, write_tsv
    from attnbio.motifs.pwm import log_odds, score_pvalues

    path = outdir / "sites.tsv"
    with open(path) as fh:
        header = fh.readline().rstrip("\n").split("\t")
    rows = read_tsv(path)
    index = {r.id: k for k, r in enumerate(chip.positives)}
    lo = {m.id: log_odds(m.probs) for m in motifs}
    by_motif: dict[str, list[int]] = {}
    for k, row in enumerate(rows):
        by_motif.setdefault(row["motif_id"], []).append(k)
    pvals = np.ones(len(rows))
    for mid, ks in by_motif.items():
        pvals[ks] = score_pvalues(lo[mid], [float(rows[k]["score"]) for k in ks])
    bed = []
    order = {c: i for i, c in enumerate(chip.genome.lengths)}
    for row, p in zip(rows, pvals):
        k = index[row["seq_id"]]
        start, end, strand = int(row["start"]), int(row["end"]), row["strand"]
        seq = chip.positives[k].sequence[start:end]
        region = chip.regions[k]
        gs, ge, gstrand = genomic_site(region, start, end, strand)
        row.update(chrom=region.chrom, genomic_start=gs, genomic_end=ge, genomic_strand=gstrand,
                   p_value=float(p), sequence=revcomp(seq) if strand == "-" else seq)
        score = int(min(1000, round(-100 * np.log10(max(p, 1e-300)))))
        bed.append((order[region.chrom], gs, row["motif_id"], (region.chrom, gs, ge, row["motif_id"], score, gstrand)))
    write_tsv(path, header + GENOMIC_SITE_COLUMNS, rows)
    write_bed(outdir / "sites.bed", [b[3] for b in sorted(bed, key=lambda b: b[:3])])


def interaction_peaks(motifs, interactions: list[dict], window: int = 1) -> list[int]:
    """For each interactions.tsv row, the positives holding a site of A and a site of B at the
    row's distance (+- window bp; the grammar's canonical convention, any orientation, as n_obs
    counts them), linked by attention or not."""
    from attnbio.motifs.grammar import canonical, site_pairs

    index = {m.id: k for k, m in enumerate(motifs)}
    by_seq: dict[int, list[tuple]] = {}
    for k, m in enumerate(motifs):
        for s in m.sites:
            by_seq.setdefault(s.seq, []).append((s.start, s.end, s.strand, k))
    for v in by_seq.values():
        v.sort()
    max_d = max([int(r["distance"]) for r in interactions] + [0]) + window + 1
    pairs = site_pairs(by_seq, max_d)
    out = []
    for r in interactions:
        a, b = index.get(r["motif_a"]), index.get(r["motif_b"])
        if a is None or b is None or not len(pairs["seq"]):
            out.append(0)
            continue
        hit = ((pairs["a"] == a) & (pairs["b"] == b)
               & (np.abs(pairs["d2"] - 2 * int(r["distance"])) <= 2 * window))
        out.append(int(len(np.unique(pairs["seq"][hit]))))
    return out


def _interaction_peaks(outdir: Path, motifs, req) -> None:
    """interactions.tsv gains n_peaks (interaction_peaks)."""
    from attnbio.io.tables import read_tsv, write_tsv

    path = outdir / "interactions.tsv"
    if not path.exists():
        return
    with open(path) as fh:
        header = fh.readline().rstrip("\n").split("\t")
    rows = read_tsv(path)
    counts = interaction_peaks(motifs, rows, req.grammar.window)
    for row, n in zip(rows, counts):
        row["n_peaks"] = n
    write_tsv(path, header + ["n_peaks"], rows)


def report_section(known) -> dict:
    """What report.html shows of the known-motif table (the summary's 'known_motifs' entry)."""
    return {"known_motifs": {"n_targets": known.n_targets, "n_background": known.n_background,
                             "site_pvalue": known.site_pvalue, "n_profiles": known.n_profiles or len(known.rows),
                             "rows": known.rows[:25]}}
