"""BED/narrowPeak reading (attnbio.io.bed): parsing, re-centring, strands, compression, errors."""
import gzip

import pytest

from attnbio.errors import InputError
from attnbio.io.bed import Region, is_bed, read_bed, recentre, region_ids


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
