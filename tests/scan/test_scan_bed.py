"""attnbio scan on BED + --genome: the numbers of scanning the equivalent FASTA; BED shards; errors."""
import numpy as np
import pytest

from attnbio.io.fasta import write_fasta
from attnbio.io.tables import read_tsv
from attnbio.scan.inputs import RegionSettings, split_regions
from h5compare import datasets
from test_scan import run, scan          # the CLI helpers of the FASTA scan tests (max length 256)

SIZE = 120
COMP = str.maketrans("ACGTN", "TGCAN")


@pytest.fixture(scope="module")
def genome(tiny, tmp_path_factory):
    import scan_fixtures

    return scan_fixtures.build_genome(tmp_path_factory.mktemp("bedscan"), tiny["records"])


def windows(genome, size):
    """The equivalent FASTA, computed here from the BED text alone (not through attnbio.io)."""
    out = []
    for line in genome["lines"]:
        chrom, start, end, name, _, strand, *_, summit = line.split("\t")
        start, end, summit = int(start), int(end), int(summit)
        centre = start + summit if summit >= 0 else (start + end) // 2
        s = centre - size // 2
        e = min(s + size, len(genome["chroms"][chrom]))
        seq = genome["chroms"][chrom][max(s, 0):e].upper()
        out.append((name, seq.translate(COMP)[::-1] if strand == "-" else seq))
    return out


def test_bed_scan_equals_scan_of_the_equivalent_fasta(tiny, genome, tmp_path, capsys):
    fasta = tmp_path / "equivalent.fa"
    write_fasta(fasta, windows(genome, SIZE))
    ref = scan(tiny, fasta, tmp_path / "fa", capsys)
    out = scan(tiny, genome["bed"], tmp_path / "bed", capsys, "--genome", genome["fa"], "--size", SIZE)
    for name in ("scores.tsv", "sites.tsv"):
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    rows = read_tsv(out / "scores.tsv")
    assert [(r["seq_id"], int(r["length"])) for r in rows] == [(i, len(s)) for i, s in windows(genome, SIZE)]
    assert min(int(r["length"]) for r in rows) < SIZE                 # clipped at a chromosome end
    assert len(read_tsv(out / "sites.tsv")) > 0                       # the planted sites are found
    a, b = datasets(out / "scan.h5"), datasets(ref / "scan.h5")
    assert sorted(a) == sorted(b) and all(np.array_equal(a[k], b[k]) for k in a)


def test_bed_shards_merge_into_the_unsharded_bed_scan(tiny, genome, tmp_path, capsys):
    # BED6 without names: IDs are chrom:start-end, and a repeated region gets _2; the repeat
    # straddles a shard boundary, where per-shard IDs would clash.
    lines = ["\t".join(line.split("\t")[:3] + [".", "0", line.split("\t")[5]]) for line in genome["lines"][:30]]
    lines.insert(11, lines[10])                    # shards [0, 11), [11, 21), [21, 31)
    bed = tmp_path / "peaks.bed"
    bed.write_text("\n".join(lines) + "\n")
    shards = [tmp_path / "shards" / f"{k}.bed" for k in range(3)]
    sizes, dropped = split_regions(bed, shards, RegionSettings(str(genome["fa"]), None))
    assert sizes == [11, 10, 10] and dropped == 0
    whole = scan(tiny, bed, tmp_path / "whole", capsys, "--genome", genome["fa"], "--size", "given")
    outs = [scan(tiny, s, tmp_path / f"s{k}", capsys, "--genome", genome["fa"], "--size", "given")
            for k, s in enumerate(shards)]
    code, err = run(["merge", *outs, "-o", tmp_path / "merged"], capsys)
    assert code == 0, err
    for name in ("scores.tsv", "sites.tsv"):
        assert (tmp_path / "merged" / name).read_bytes() == (whole / name).read_bytes(), name
    ids = [r["seq_id"] for r in read_tsv(whole / "scores.tsv")]
    assert ids[11] == ids[10] + "_2" and len(set(ids)) == 31
    # shards read with other region settings do not merge
    other = scan(tiny, shards[0], tmp_path / "other", capsys, "--genome", genome["fa"], "--size", 100)
    code, err = run(["merge", other, outs[1], "-o", tmp_path / "bad"], capsys)
    assert code == 2 and "genome_regions" in err and not (tmp_path / "bad").exists()


@pytest.mark.parametrize("case", ["no_genome", "fasta_with_genome", "unknown_chrom", "past_end"])
def test_bed_input_errors_are_one_line_exit_2(tiny, genome, tmp_path, capsys, case):
    bed = tmp_path / "x.bed"
    args = ["--genome", genome["fa"]]
    if case == "no_genome":
        bed, args, expect = genome["bed"], [], "needs --genome"
    elif case == "fasta_with_genome":
        bed, expect = tiny["fasta"], "only used with BED"
    elif case == "unknown_chrom":
        bed.write_text("chr1\t10\t100\n1\t10\t100\n")
        expect = "x.bed: line 2: chromosome '1' is not in the genome"
    else:
        bed.write_text(f"chr3\t10\t100\nchr3\t250\t{len(genome['chroms']['chr3']) + 1}\n")
        expect = "x.bed: line 2: region chr3:250-301 runs past the end of chr3"
    code, err = run(["scan", "--model", tiny["model"], bed, "-o", tmp_path / "out", *args], capsys)
    assert code == 2 and expect in err, err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "out").exists()
