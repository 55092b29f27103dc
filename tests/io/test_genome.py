"""The indexed genome (attnbio.io.genome): extraction, strands, soft-masking, N, bgzip, errors."""
import gzip

import numpy as np
import pytest

from attnbio.errors import InputError
from attnbio.io.bed import Region
from attnbio.io.genome import Genome, extract, fetch_many, revcomp


def write_genome(path, chroms, width=60):
    with open(path, "w") as fh:
        for name, seq in chroms.items():
            fh.write(f">{name}\n")
            for i in range(0, len(seq), width):
                fh.write(seq[i:i + width] + "\n")


@pytest.fixture
def genome(tmp_path):
    rng = np.random.default_rng(0)
    chroms = {"chr1": "".join(rng.choice(list("ACGTacgt"), 3000)), "chr2": "ACGT" * 250}
    write_genome(tmp_path / "g.fa", chroms)
    return tmp_path / "g.fa", chroms


def test_extract_strands_soft_masking_and_n(genome, tmp_path):
    path, chroms = genome
    g = Genome(path)
    assert g.lengths == {"chr1": 3000, "chr2": 1000}
    assert (tmp_path / "g.fa.fai").exists()
    regions = [Region("chr1", 10, 30, "a", "+", line=1), Region("chr1", 10, 30, "b", "-", line=2)]
    ex = extract(g, regions, "p.bed")
    assert ex.records[0].sequence == chroms["chr1"][10:30].upper()
    assert ex.records[1].sequence == revcomp(chroms["chr1"][10:30].upper())
    masked = g.fetch("chr1", 10, 30, mask_repeats=True)
    assert masked == "".join("N" if c.islower() else c for c in chroms["chr1"][10:30])
    ex = extract(g, regions, "p.bed", mask_repeats=True, max_n_fraction=0.0)
    assert ex.n_dropped_n == 2 and not ex.records                 # both regions hold soft-masked bases
    # Whole-chromosome reads (straight from the .fai layout) and the batched fetch agree with pyfaidx.
    assert g.chromosome_bytes("chr1").tobytes().decode() == chroms["chr1"]
    many = [Region("chr1", s, s + 37, strand="-" if s % 2 else "+") for s in range(0, 2900, 13)]
    want = [g.fetch(r.chrom, r.start, r.end, r.strand) for r in many]
    assert fetch_many(g, many, per_chrom=1) == want == fetch_many(g, many, per_chrom=10_000)
    # The same .fai is reused (not rebuilt) on the next open.
    mtime = (tmp_path / "g.fa.fai").stat().st_mtime_ns
    Genome(path)
    assert (tmp_path / "g.fa.fai").stat().st_mtime_ns == mtime


def test_bgzip_genome_reads_like_plain_and_plain_gzip_is_refused(genome, tmp_path):
    from Bio import bgzf

    path, chroms = genome
    with bgzf.BgzfWriter(tmp_path / "g.fa.bgz", "wb") as w:
        w.write(path.read_bytes())
    g = Genome(tmp_path / "g.fa.bgz")
    assert g.compression == "bgzf" and g.fetch("chr2", 3, 9) == "TACGTA"
    assert g.chromosome_bytes("chr1").tobytes().decode() == chroms["chr1"]
    (tmp_path / "plain.fa.gz").write_bytes(gzip.compress(path.read_bytes()))
    with pytest.raises(InputError, match="bgzip"):
        Genome(tmp_path / "plain.fa.gz")


def test_genome_errors_chr_prefix_and_past_end(genome):
    path, _ = genome
    g = Genome(path)
    with pytest.raises(InputError, match="'chr' prefixes differ"):
        g.check(Region("1", 0, 10, line=3), "p.bed")
    with pytest.raises(InputError, match=r"p.bed: line 4: .*runs past the end of chr2 \(1000 bp"):
        g.check(Region("chr2", 900, 1001, line=4), "p.bed")
    with pytest.raises(InputError, match="is not in the genome .*sequences: chr1, chr2"):
        g.check(Region("chrX", 0, 10, line=5), "p.bed")
