"""Indexed genome FASTA (pyfaidx): plain or bgzip, .fai built next to the file or reused.

A plain gzip genome cannot be read at random, so it is an error that says how to bgzip it.
Regions come out upper-case; with mask_repeats soft-masked (lower-case) bases become N.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from attnbio.errors import InputError
from attnbio.io.bed import Region, open_binary, recentre, region_ids
from attnbio.io.fasta import Record
from attnbio.io.source import GZIP_MAGIC, STDIN

_COMP = str.maketrans("ACGTNacgtn", "TGCANtgcan")
_MASK = str.maketrans("acgtnurykmswbdhv", "N" * 16)   # soft-masked (lower-case) bases -> N


def revcomp(seq: str) -> str:
    """Reverse complement (IUPAC letters other than ACGTN are kept as they are)."""
    return seq.translate(_COMP)[::-1]


def _compression(path) -> str:
    """'plain', 'bgzf' or 'gzip' from the first bytes (BGZF = gzip with a 'BC' extra subfield)."""
    if str(path) == STDIN:
        raise InputError(f"{path}: a genome is read at random through its .fai index, so from a file, "
                         f"not from stdin")
    with open_binary(path, "genome FASTA", "genome file not found") as fh:
        head = fh.read(18)
    if head[:2] != GZIP_MAGIC:
        return "plain"
    if len(head) >= 14 and head[3] & 4 and head[12:14] == b"BC":
        return "bgzf"
    return "gzip"


class Genome:
    """A genome FASTA opened through its .fai index: names, lengths and region sequences."""

    def __init__(self, path):
        import pyfaidx

        self.path = str(path)
        kind = _compression(path)
        if kind == "gzip":
            raise InputError(f"{path}: plain gzip cannot be indexed; compress the genome with bgzip "
                             f"instead (gunzip -c {path} | bgzip > genome.fa.gz) or gunzip it")
        fai = f"{self.path}.fai"
        if not os.path.exists(fai) and not os.access(os.path.dirname(os.path.abspath(self.path)), os.W_OK):
            raise InputError(f"{path}: no {os.path.basename(fai)} index and its folder is not writable "
                             f"(run `samtools faidx {path}` where you can write, or copy the genome)")
        try:
            self._fa = pyfaidx.Fasta(self.path, as_raw=True, sequence_always_upper=False,
                                     read_long_names=False, rebuild=True, build_index=True)
        except pyfaidx.FastaIndexingError as err:
            raise InputError(f"{path}: cannot index the genome FASTA ({str(err).splitlines()[0]})") from None
        except (ValueError, OSError) as err:
            raise InputError(f"{path}: cannot read the genome FASTA ({err})") from None
        self.lengths: dict[str, int] = {k: len(self._fa[k]) for k in self._fa.keys()}
        if not self.lengths:
            raise InputError(f"{path}: the genome FASTA holds no sequences")
        self.compression = kind

    def check(self, region: Region, bed_path) -> None:
        """InputError naming the BED file and line when `region` does not fit this genome."""
        where = f"{bed_path}: line {region.line}"
        n = self.lengths.get(region.chrom)
        if n is None:
            raise InputError(f"{where}: chromosome {region.chrom!r} is not in the genome {self.path}"
                             f"{self._prefix_hint(region.chrom)}")
        if region.end > n:
            raise InputError(f"{where}: region {region.chrom}:{region.start}-{region.end} runs past the "
                             f"end of {region.chrom} ({n} bp in {self.path}; is it the right genome build?)")

    def _prefix_hint(self, chrom: str) -> str:
        other = chrom[3:] if chrom.startswith("chr") else "chr" + chrom
        if other in self.lengths:
            return f" (the genome calls it {other!r}: the 'chr' prefixes differ)"
        bed_chr, genome_chr = chrom.startswith("chr"), any(k.startswith("chr") for k in self.lengths)
        if bed_chr != genome_chr:
            return (f" (the 'chr' prefixes differ: the BED {'has' if bed_chr else 'lacks'} them, "
                    f"the genome {'has' if genome_chr else 'lacks'} them)")
        names = list(self.lengths)
        return f" (it has {len(names)} sequences: {', '.join(names[:5])}{', ...' if len(names) > 5 else ''})"

    def fetch(self, chrom: str, start: int, end: int, strand: str = "+", mask_repeats: bool = False) -> str:
        """Upper-case sequence of [start, end) on `strand` (minus: reverse complement)."""
        return _finish(self._fa[chrom][start:end], strand, mask_repeats)

    def chromosome(self, chrom: str) -> str:
        """The whole chromosome as stored (case kept: soft-masking is information)."""
        return self._fa[chrom][:]

    def chromosome_bytes(self, chrom: str) -> np.ndarray:
        """The whole chromosome as uint8 ASCII codes, case kept. A plain FASTA is read straight
        from its .fai layout (offset, bases and bytes per line) in one read, newlines dropped by a
        reshape; bgzip goes through pyfaidx."""
        if self.compression != "plain":
            return np.frombuffer(self.chromosome(chrom).encode("ascii"), np.uint8)
        rec = self._fa.faidx.index[chrom]
        n_lines = -(-rec.rlen // rec.lenc) if rec.rlen else 0
        with open(self.path, "rb") as fh:
            fh.seek(rec.offset)
            raw = np.frombuffer(fh.read(n_lines * rec.lenb), np.uint8)
        full = rec.rlen // rec.lenc
        body = raw[:full * rec.lenb].reshape(full, rec.lenb)[:, :rec.lenc].ravel()
        if rec.rlen % rec.lenc:
            body = np.concatenate([body, raw[full * rec.lenb:full * rec.lenb + rec.rlen % rec.lenc]])
        return body


def _finish(seq: str, strand: str, mask_repeats: bool) -> str:
    if mask_repeats:
        seq = seq.translate(_MASK)
    seq = seq.upper()
    return revcomp(seq) if strand == "-" else seq


def fetch_many(genome: Genome, regions: list[Region], mask_repeats: bool = False, per_chrom: int = 200) -> list[str]:
    """Sequences of many regions (minus strand reverse-complemented), in order. Where a chromosome
    holds at least `per_chrom` of them it is read once and sliced (one read instead of thousands)."""
    out: list[str] = [""] * len(regions)
    by_chrom: dict[str, list[int]] = {}
    for i, r in enumerate(regions):
        by_chrom.setdefault(r.chrom, []).append(i)
    for chrom, idx in by_chrom.items():
        if len(idx) < per_chrom:
            for i in idx:
                r = regions[i]
                out[i] = genome.fetch(r.chrom, r.start, r.end, "-" if r.strand == "-" else "+", mask_repeats)
            continue
        seq = genome.chromosome_bytes(chrom).tobytes().decode("ascii")
        for i in idx:
            r = regions[i]
            out[i] = _finish(seq[r.start:r.end], "-" if r.strand == "-" else "+", mask_repeats)
        del seq
    return out


def genome_digest(path) -> dict:
    """{'<path> (.fai)': SHA-256 of the genome's .fai index} for provenance (empty if no index).
    The index pins names, lengths and layout; hashing gigabases would take longer than a run."""
    from pathlib import Path

    from attnbio.io.weights import sha256_file

    fai = Path(f"{path}.fai")
    return {f"{path} (.fai)": sha256_file(fai)} if fai.exists() else {}


def open_genome(path) -> Genome:
    """Genome(path), for symmetry with the other readers."""
    return Genome(path)


@dataclass
class Extracted:
    """Sequences read for BED regions: records (FASTA-route Records), the regions they came
    from (after re-centring, in record order) and how many regions were dropped for N."""
    records: list[Record]
    regions: list[Region]
    n_dropped_n: int = 0
    n_clipped: int = 0


def extract(genome: Genome, regions: list[Region], bed_path, size: int | None = None,
            max_n_fraction: float = 0.25, mask_repeats: bool = False) -> Extracted:
    """Check every region against the genome, re-centre it to `size` (None: as given), read it
    (reverse-complemented on '-') and drop those with more than `max_n_fraction` N."""
    windows, clipped = [], 0
    for r in regions:
        genome.check(r, bed_path)
        w = recentre(r, size, genome.lengths[r.chrom])
        clipped += size is not None and w.length < size
        windows.append(w)
    kept_regions, seqs, dropped = [], [], 0
    for w, seq in zip(windows, fetch_many(genome, windows, mask_repeats)):
        if seq.count("N") > max_n_fraction * len(seq):
            dropped += 1
            continue
        kept_regions.append(w)
        seqs.append(seq)
    ids = region_ids(kept_regions)
    records = [Record(i, f"{w.chrom}:{w.start}-{w.end}({w.strand})", s) for i, w, s in zip(ids, kept_regions, seqs)]
    return Extracted(records, kept_regions, dropped, clipped)


def gc_fraction(seqs: list[str]) -> np.ndarray:
    """GC fraction of each sequence among its A/C/G/T bases (N excluded; NaN if none)."""
    out = np.empty(len(seqs))
    for i, s in enumerate(seqs):
        gc = s.count("G") + s.count("C")
        at = s.count("A") + s.count("T")
        out[i] = gc / (gc + at) if gc + at else np.nan
    return out
