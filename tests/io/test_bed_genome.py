"""BED/narrowPeak reading and the indexed genome: parsing, re-centring, strands, compression, N."""
import gzip

import numpy as np
import pytest

from attnbio.errors import InputError
from attnbio.io.bed import Region, is_bed, read_bed, recentre, region_ids
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


def test_narrowpeak_summit_bed6_strand_and_headers(tmp_path):
    p = tmp_path / "p.narrowPeak"
    p.write_text("track name=x\n#comment\n\nchr1\t100\t400\tpk1\t50\t.\t1\t2\t3\t120\n"
                 "chr1\t500\t700\tpk2\t0\t-\t1\t2\t3\t-1\n")
    a, b = read_bed(p)
    assert (a.chrom, a.start, a.end, a.name, a.summit, a.line) == ("chr1", 100, 400, "pk1", 220, 4)
    assert b.summit is None and b.strand == "-"
    assert recentre(a, 200) == Region("chr1", 120, 320, "pk1", ".", 220, 4)     # on the summit
    assert (recentre(b, 100).start, recentre(b, 100).end) == (550, 650)       # on the midpoint
    assert recentre(a, None) == a
    assert recentre(Region("chr1", 0, 50), 200, chrom_length=120).end == 120  # clipped at the ends
    assert recentre(Region("chr1", 0, 50), 200).start == 0


def test_gzip_bed_and_detection_by_content(tmp_path):
    p = tmp_path / "peaks.txt.gz"
    with gzip.open(p, "wt") as fh:
        fh.write("chr2 10 20\n")                         # white-space separated, no tab
    assert is_bed(p) and read_bed(p)[0].end == 20
    fa = tmp_path / "x.txt"
    fa.write_text(">a\nACGT\n")
    assert not is_bed(fa) and not is_bed("-")
    assert is_bed(tmp_path / "missing.narrowPeak")       # by name


def test_region_ids_use_unique_names_else_coordinates():
    named = [Region("c", 0, 5, "a"), Region("c", 5, 9, "b")]
    assert region_ids(named) == ["a", "b"]
    dup = [Region("c", 0, 5, "a"), Region("c", 0, 5, "a")]
    assert region_ids(dup) == ["c:0-5", "c:0-5_2"]


@pytest.mark.parametrize("line, message", [
    ("chr1\t5", "2 column(s)"),
    ("chr1\tfive\t10", "must be integers"),
    ("chr1\t10\t10", "is not after start"),
    ("chr1\t-5\t10", "negative start"),
    ("chr1\t1\t10\tn\t0\tx", "strand (column 6)"),
    ("chr1\t1\t10\tn\t0\t.\t1\t2\t3\t50", "summit offset 50"),
])
def test_malformed_lines_name_file_and_line(tmp_path, line, message):
    p = tmp_path / "bad.bed"
    p.write_text("chr1\t0\t10\n" + line + "\n")
    with pytest.raises(InputError) as e:
        read_bed(p)
    assert f"{p}: line 2: " in str(e.value) and message in str(e.value)


def test_empty_bed(tmp_path):
    p = tmp_path / "e.bed"
    p.write_text("track name=empty\n")
    with pytest.raises(InputError, match="no intervals"):
        read_bed(p)


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
