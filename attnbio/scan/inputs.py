"""What `attnbio scan` reads: a FASTA stream, or BED/narrowPeak regions read out of a genome.

BED input goes through the readers of the ChIP-seq route (attnbio.io.bed, attnbio.io.genome):
the same validation, re-centring on the summit (or midpoint) to `size` bp, minus-strand regions
reverse-complemented, N-heavy regions dropped, and the same record IDs (attnbio.io.bed.region_ids).
A BED shard's regions are read into memory first (about 1.1 kB per 200-bp region, measured in
docs/workflows.md); the FASTA route streams.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from attnbio.errors import InputError


@dataclass
class RegionSettings:
    """How BED regions become sequences (the options of `attnbio motifs`' BED route)."""
    genome: str | None = None
    size: int | None = 200             # bp centred on the summit/midpoint; None = regions as given
    mask_repeats: bool = False
    max_n_fraction: float = 0.25

    def describe(self) -> str:
        """The settings as one string, stored in scan.h5: BED shards merge only when it matches."""
        return (f"size={'given' if self.size is None else self.size} mask_repeats={int(self.mask_repeats)} "
                f"max_n_fraction={self.max_n_fraction:g}")


@dataclass
class ScanInput:
    records: Iterable                  # attnbio.io.fasta.Record, in input order
    inputs: dict = field(default_factory=dict)      # provenance beyond the input file: the genome index
    attrs: dict = field(default_factory=dict)       # scan.h5 settings that shards must share
    n_regions: int = 0
    n_dropped: int = 0                 # BED regions dropped for N
    n_clipped: int = 0                 # BED regions shorter than `size` at a chromosome end


def open_scan_input(path, regions: RegionSettings) -> ScanInput:
    """FASTA (streamed) or, for a BED/narrowPeak file, its regions read from `regions.genome`."""
    from attnbio.io.bed import is_bed
    from attnbio.io.genome import genome_digest

    if not is_bed(path):
        if regions.genome:
            raise InputError(f"--genome {regions.genome}: only used with BED/narrowPeak input; {path} is FASTA")
        from attnbio.io.fasta import read_fasta

        return ScanInput(read_fasta(path))
    if not regions.genome:
        raise InputError(f"{path}: a BED file needs --genome GENOME.fa to read the region sequences")
    bed, genome = read_regions(path, regions)
    ex = _extract(genome, bed, path, regions)
    return ScanInput(iter(ex.records), genome_digest(regions.genome),
                     {"genome_regions": regions.describe()}, len(bed), ex.n_dropped_n, ex.n_clipped)


def read_regions(path, regions: RegionSettings):
    """(regions of the BED file, opened genome); the BED is parsed first so a malformed line is
    reported before any genome is indexed."""
    from attnbio.io.bed import read_bed
    from attnbio.io.genome import Genome

    bed = read_bed(path)
    return bed, Genome(regions.genome)


def _extract(genome, bed, path, regions: RegionSettings):
    from attnbio.io.genome import extract

    return extract(genome, bed, path, regions.size, regions.max_n_fraction, regions.mask_repeats)


def split_regions(path, outputs: list, regions: RegionSettings) -> tuple[list[int], int]:
    """Cut a BED file into contiguous BED shards for `attnbio scan --genome`; -> (sizes, n dropped).

    Every line is validated against the genome once, here. Regions dropped for N are left out,
    and each shard line carries its record ID (the one an unsharded scan would give) as its
    name, so shard IDs do not depend on where the shards start. Lines are written as
    narrowPeak (BED6+4, the original coordinates and summit), which the scan re-centres
    exactly as it would the original file.
    """
    from attnbio.io.bed import write_bed
    from attnbio.scan.split import shard_sizes

    if not outputs:
        raise InputError("no shard files to split into")
    bed, genome = read_regions(path, regions)
    ex = _extract(genome, bed, path, regions)
    n = len(ex.records)
    if n < len(outputs):
        raise InputError(f"{path}: {n} usable regions cannot fill {len(outputs)} shards (use at most {n} shards)")
    original = {r.line: r for r in bed}
    rows = []
    for rec, window in zip(ex.records, ex.regions):
        r = original[window.line]
        rows.append((r.chrom, r.start, r.end, rec.id, 0, r.strand, -1, -1, -1,
                     -1 if r.summit is None else r.summit - r.start))
    sizes = shard_sizes(n, len(outputs))
    start = 0
    for out, size in zip(outputs, sizes):
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        write_bed(out, rows[start:start + size])
        start += size
    return sizes, ex.n_dropped_n
