"""The ChIP-seq route: peaks + genome in, GC-matched background, known motifs, genome coordinates out."""
import gzip
import shutil
import subprocess

import numpy as np
import pytest
from scipy.stats import ks_2samp

from attnbio.cli import main
from attnbio.io.bed import Region, read_bed, write_bed
from attnbio.io.genome import Genome, extract, gc_fraction
from attnbio.io.motif_formats import read_meme
from attnbio.io.tables import read_tsv
from attnbio.motifs.background import BackgroundConfig, sample_background, uniform_background
from attnbio.motifs.simulate_genome import GenomeSimConfig, simulate_genome

N_PEAKS = 300


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    d = tmp_path_factory.mktemp("genome")
    truth = simulate_genome(GenomeSimConfig(n_peaks=N_PEAKS, seed=2), d)
    return d, truth


def run_cli(args, capsys):
    """attnbio in this process: (exit status, stderr lines)."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as e:
        main([str(a) for a in args])
    err = capsys.readouterr().err
    return e.value.code, [line for line in err.splitlines() if line.strip()]


def test_peak_records_are_the_simulated_sequences(sim):
    """--size on the summit gives back exactly the sequences the FASTA route would read."""
    from attnbio.io.fasta import read_all

    d, _ = sim
    g = Genome(d / "genome.fa")
    for bed, fasta in (("peaks.narrowPeak", "positives.fa"), ("negatives.bed", "negatives.fa")):
        ex = extract(g, read_bed(d / bed), bed, size=200)
        want = {r.id: r.sequence for r in read_all(d / fasta)}
        assert len(ex.records) == N_PEAKS and all(r.sequence == want[r.id] for r in ex.records)


def test_gc_matched_background_passes_ks_where_uniform_fails(sim):
    d, _ = sim
    g = Genome(d / "genome.fa")
    ex = extract(g, read_bed(d / "peaks.narrowPeak"), "peaks", size=200)
    gc = gc_fraction([r.sequence for r in ex.records])
    cfg = BackgroundConfig(ratio=1.5, seed=4)
    bg = sample_background(g, ex.regions, gc, cfg)
    uni = uniform_background(g, ex.regions, cfg)
    bg_gc = gc_fraction([g.fetch(r.chrom, r.start, r.end) for r in bg.regions])
    uni_gc = gc_fraction([g.fetch(r.chrom, r.start, r.end) for r in uni.regions])
    p_matched, p_uniform = ks_2samp(gc, bg_gc).pvalue, ks_2samp(gc, uni_gc).pvalue
    assert p_matched > 0.01 and p_uniform < 0.01, (p_matched, p_uniform)
    assert np.allclose(bg_gc, bg.gc) and bg.n_unmatched == 0
    assert len(bg.regions) == int(1.5 * N_PEAKS) and all(r.length == 200 for r in bg.regions)
    # No background region within 200 bp of a peak, none in the N gaps, same seed -> same regions.
    peaks = {}
    for r in ex.regions:
        peaks.setdefault(r.chrom, []).append((r.start - 200, r.end + 200))
    for r in bg.regions:
        assert all(r.end <= s or r.start >= e for s, e in peaks.get(r.chrom, []))
        assert r.start >= 2000
    again = sample_background(g, ex.regions, gc, cfg)
    assert [(r.chrom, r.start) for r in again.regions] == [(r.chrom, r.start) for r in bg.regions]


def test_known_enrichment_ranks_planted_profiles_first_and_scan_is_exact(sim):
    from attnbio.motifs import pwm as P
    from attnbio.motifs.encode import one_hot
    from attnbio.motifs.known import hit_matrix, known_enrichment

    d, truth = sim
    g = Genome(d / "genome.fa")
    ex = extract(g, read_bed(d / "peaks.narrowPeak"), "peaks", size=200)
    pos = [r.sequence for r in ex.records]
    # Against the simulator's unbound regions (the same motifs unpaired, the decoy at the peaks'
    # rate) the enriched profiles must come out and the decoy must not; against random genome
    # the decoy is enriched too, rightly.
    neg = [r.sequence for r in extract(g, read_bed(d / "negatives.bed"), "negatives").records]
    db = read_meme(d / "truth.meme")
    res = known_enrichment(db, pos, neg)
    rank = {r["motif_id"]: r for r in res.rows}
    assert [r["rank"] for r in res.rows] == list(range(1, len(db) + 1))
    assert all(a["p_value"] <= b["p_value"] for a, b in zip(res.rows, res.rows[1:]))
    for mid in truth["enriched"]:
        assert rank[mid]["q_value"] < 0.05 and rank[mid]["pct_targets"] > rank[mid]["pct_background"], mid
    decoy = rank[truth["decoys"][0]]
    assert decoy["p_value"] > 0.01 and decoy["rank"] > max(rank[m]["rank"] for m in truth["enriched"])
    # The batched scan finds the same sites as the reference one-motif scan (variable lengths, N).
    seqs = pos[:40] + [s[:150] + "N" * 5 for s in neg[:40]]
    x, mask, _ = one_hot(seqs)
    thr = np.array([P.score_threshold(P.log_odds(m.probs), 1e-3) for m in db])
    ref = np.stack([P.scan(x, mask, P.log_odds(m.probs)).reshape(len(x), -1).max(axis=1) >= t
                    for m, t in zip(db, thr)], axis=1)
    assert (hit_matrix(db, x, mask, thr) == ref).all()


def _bed_with_strands(d, n=60):
    """BED6 peaks from the simulated narrowPeak, every other one on the minus strand."""
    rows = []
    for k, r in enumerate(read_bed(d / "peaks.narrowPeak")[:n]):
        rows.append((r.chrom, r.summit - 100, r.summit + 100, r.name, 0, "-" if k % 2 else "+"))
    write_bed(d / "stranded.bed", rows)
    return d / "stranded.bed"


def test_sites_bed_round_trips_through_bedtools_getfasta(sim, tmp_path):
    from attnbio.motifs.chip import ChipInputs, _genomic_sites
    from attnbio.motifs.discover import FoundMotif, Site, find_sites
    from attnbio.motifs.encode import one_hot
    from attnbio.io.tables import write_tsv
    from attnbio.motifs.outputs import SITE_COLUMNS

    if shutil.which("bedtools") is None:
        pytest.skip("bedtools not installed (Debian: apt-get install bedtools)")
    d, _ = sim
    g = Genome(d / "genome.fa")
    bed = _bed_with_strands(d)
    ex = extract(g, read_bed(bed), bed, size=None)
    x, mask, _ = one_hot([r.sequence for r in ex.records])
    motifs = []
    for k, m in enumerate(read_meme(d / "truth.meme")):
        fm = FoundMotif(m.probs, ["L1H1"], 0)
        s, p, strand, score = find_sites(fm, x, mask, 1e-4)
        fm.sites = [Site(int(a), int(b), int(b) + m.width, c, float(e), 0.0) for a, b, c, e in zip(s, p, strand, score)]
        fm.id = f"attnbio_m{k + 1}"
        motifs.append(fm)
    assert sum(len(m.sites) for m in motifs) > 50
    rows = [(ex.records[s.seq].id, s.start, s.end, s.strand, m.id, round(s.score, 3), 0.0) for m in motifs for s in m.sites]
    write_tsv(tmp_path / "sites.tsv", SITE_COLUMNS, rows)
    chip = ChipInputs(ex.records, [], "", ex.regions, genome=g)
    _genomic_sites(tmp_path, chip, motifs)
    rows = read_tsv(tmp_path / "sites.tsv")
    assert {r["genomic_strand"] for r in rows} == {"+", "-"}
    out = subprocess.run(["bedtools", "getfasta", "-fi", str(d / "genome.fa"), "-bed", str(tmp_path / "sites.bed"),
                          "-s", "-tab"], capture_output=True, text=True, check=True).stdout
    got = {}
    for line in out.splitlines():
        key, seq = line.split("\t")
        got[key] = seq.upper()
    assert len(got) >= len({(r["chrom"], r["genomic_start"], r["genomic_end"], r["genomic_strand"]) for r in rows})
    for r in rows:
        assert got[f'{r["chrom"]}:{r["genomic_start"]}-{r["genomic_end"]}({r["genomic_strand"]})'] == r["sequence"]
        assert 0 < float(r["p_value"]) <= 1.2e-4          # sites were called at p < 1e-4 (0.05-bit grid)
    bed_rows = [line.split("\t") for line in (tmp_path / "sites.bed").read_text().splitlines()]
    assert len(bed_rows) == len(rows) and all(len(b) == 6 and 0 <= int(b[4]) <= 1000 for b in bed_rows)


# --- command-line errors: exit 2, one line, no output folder -------------------------------------


@pytest.fixture
def small(tmp_path):
    rng = np.random.default_rng(1)
    seq = "N" * 600 + "".join(rng.choice(list("ACGT"), 9400))
    with open(tmp_path / "g.fa", "w") as fh:
        fh.write(">chr1\n" + "\n".join(seq[i:i + 60] for i in range(0, len(seq), 60)) + "\n")
    (tmp_path / "db.meme").write_text("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m1\nletter-probability matrix: "
                                      "alength= 4 w= 3\n1 0 0 0\n0 1 0 0\n0 0 1 0\n")
    return tmp_path


def _peaks(path, lines):
    path.write_text("".join(line + "\n" for line in lines))
    return path


@pytest.mark.parametrize("make, genome, message, names", [
    (lambda d: _peaks(d / "p.bed", ["1\t1000\t1200"]), "g.fa",
     "line 1: chromosome '1' is not in the genome", "bed"),
    (lambda d: _peaks(d / "p.bed", ["chr1\t1000\t1200", "chr1\t9900\t10100"]), "g.fa",
     "line 2: region chr1:9900-10100 runs past the end of chr1 (10000 bp", "bed"),
    (lambda d: _peaks(d / "p.bed", ["chr1\t1000\t1200", "chr1\t1300"]), "g.fa", "line 2: 2 column(s)", "bed"),
    (lambda d: _peaks(d / "p.bed", ["chr1\t1000\t1200", "chr1\t1300\tx"]), "g.fa",
     "line 2: start and end must be integers", "bed"),
    (lambda d: _peaks(d / "p.bed", ["track name=nothing"]), "g.fa", "no intervals (empty BED file)", "bed"),
    (lambda d: _peaks(d / "p.bed", ["chr1\t1000\t1200"]), None, "needs --genome", "bed"),
    (lambda d: _peaks(d / "p.bed", ["chr1\t1000\t1200"]), "g.fa.gz", "plain gzip cannot be indexed", "genome"),
    (lambda d: _peaks(d / "p.bed", ["chr1\t1000\t1200"]), "missing.fa", "genome file not found", "genome"),
])
def test_input_errors_are_one_line_exit_2_no_output(small, capsys, make, genome, message, names):
    peaks = make(small)
    (small / "g.fa.gz").write_bytes(gzip.compress((small / "g.fa").read_bytes()))
    out = small / "out"
    args = ["motifs", peaks, "--motif-db", small / "db.meme", "-o", out]
    if genome:
        args += ["--genome", small / genome]
    code, lines = run_cli(args, capsys)
    assert code == 2, lines
    assert len(lines) == 1 and message in lines[0], lines
    assert str(peaks if names == "bed" else small / genome) in lines[0]
    assert not out.exists() and not list(small.glob(".out*"))


def test_n_heavy_peaks_are_dropped_with_one_warning_line(small, capsys):
    lines_in = [f"chr1\t{i * 20}\t{i * 20 + 200}" for i in range(30)]    # the first 20 overlap the N gap
    peaks = _peaks(small / "p.bed", lines_in)
    out = small / "out"
    code, lines = run_cli(["motifs", peaks, "--genome", small / "g.fa", "--motif-db", small / "db.meme",
                           "--max-n-fraction", 0.3, "-o", out], capsys)
    assert code == 2
    warnings = [line for line in lines if "warning" in line]
    # Windows [20i, 20i + 200) hold > 60 N for i < 27 (the gap is [0, 600)): 27 dropped, 3 left.
    assert len(warnings) == 1 and "27 of 30 peaks dropped: more than 0.3 of their bases are N" in warnings[0]
    assert "3 usable peaks, too few to train" in lines[-1] and not out.exists()


def test_site_pvalues_agree_with_the_threshold_and_report_section_renders():
    from attnbio.motifs import pwm as P
    from attnbio.motifs.report import render_report

    rng = np.random.default_rng(0)
    probs = np.full((10, 4), 0.1)
    probs[np.arange(10), rng.integers(0, 4, 10)] = 0.7                # one clear best base per column
    lo = P.log_odds(probs)
    thr = P.score_threshold(lo, 1e-4)
    p_at, p_below = P.score_pvalues(lo, [thr, thr - 0.05])
    assert p_at <= 1e-4 < p_below
    assert P.score_pvalues(lo, [lo.max(axis=1).sum()])[0] == pytest.approx(0.25 ** 10)
    row = {"rank": 1, "motif_id": "MA0001.1", "name": "AGL3", "consensus": "CCWWAWWWGG", "p_value": 1e-9,
           "q_value": 1e-7, "pct_targets": 40.0, "pct_background": 5.0}
    page = render_report({"known_motifs": {"n_targets": 10, "n_background": 20, "site_pvalue": 1e-4,
                                           "n_profiles": 1, "rows": [row]}}, [], [], 200)
    assert "Known motifs (1 profiles" in page and "AGL3" in page and "40.0%" in page


def test_bed_route_end_to_end_writes_genome_outputs(sim, tmp_path, capsys):
    from attnbio.motifs.chip import GENOMIC_SITE_COLUMNS
    from attnbio.motifs.known import KNOWN_COLUMNS
    from attnbio.motifs.outputs import SITE_COLUMNS

    d, truth = sim
    out = tmp_path / "out"
    code, lines = run_cli(["motifs", d / "peaks.narrowPeak", "--genome", d / "genome.fa", "--epochs", 1,
                           "--threads", 1, "--motif-db", d / "truth.meme", "--intervention-seqs", 100, "-o", out], capsys)
    assert code == 0, lines
    for name in ("background.bed", "peaks_used.bed", "known_motifs.tsv", "sites.bed", "sites.tsv", "report.html"):
        assert (out / name).is_file(), name
    bg = [line.split("\t") for line in (out / "background.bed").read_text().splitlines()]
    assert len(bg) == N_PEAKS and all(int(b[2]) - int(b[1]) == 200 and b[5] == "+" for b in bg)
    used = [line.split("\t") for line in (out / "peaks_used.bed").read_text().splitlines()]
    assert len(used) == N_PEAKS and all(int(u[2]) - int(u[1]) == 200 for u in used)
    known = read_tsv(out / "known_motifs.tsv")
    assert list(known[0]) == KNOWN_COLUMNS and len(known) == len(truth["motifs"])
    with open(out / "sites.tsv") as fh:
        head = fh.readline().rstrip("\n").split("\t")
    assert head[:len(SITE_COLUMNS)] == SITE_COLUMNS and head[-len(GENOMIC_SITE_COLUMNS):] == GENOMIC_SITE_COLUMNS
    with open(out / "interactions.tsv") as fh:
        assert fh.readline().rstrip("\n").split("\t")[-1] == "n_peaks"
    assert "Known motifs (8 profiles" in (out / "report.html").read_text()


def test_n_peaks_counts_peaks_with_both_sites_at_the_distance():
    from attnbio.motifs.chip import interaction_peaks
    from attnbio.motifs.discover import FoundMotif, Site

    a, b = FoundMotif(np.full((6, 4), 0.25), [], 0), FoundMotif(np.full((8, 4), 0.25), [], 0)
    a.id, b.id = "attnbio_m1", "attnbio_m2"
    # Centres: A at start + 2.5, B at start + 3.5; B - A = 20 in peaks 0 and 1, 21 in 2, 30 in 3, and
    # in peak 1 also A(60)-B(29) = -30, which the grammar's convention (d >= 0, strands flipped) counts as 30.
    for seq, sa, sb in [(0, 10, 29), (1, 10, 29), (1, 60, 79), (2, 10, 30), (3, 10, 39)]:
        a.sites.append(Site(seq, sa, sa + 6, "+", 5.0, 0.0))
        b.sites.append(Site(seq, sb, sb + 8, "-", 5.0, 0.0))
    rows = [{"motif_a": "attnbio_m1", "motif_b": "attnbio_m2", "distance": "20", "orientation": "+-"},
            {"motif_a": "attnbio_m1", "motif_b": "attnbio_m2", "distance": "30", "orientation": "+-"},
            {"motif_a": "attnbio_m1", "motif_b": "attnbio_m2", "distance": "45", "orientation": "+-"}]
    assert interaction_peaks([a, b], rows, window=1) == [3, 2, 0]
    assert interaction_peaks([a, b], rows, window=0) == [2, 2, 0]


def test_known_table_groups_near_identical_profiles_into_one_row():
    from attnbio.io.motif_formats import Motif
    from attnbio.motifs.known import known_enrichment, similarity_matrix

    rng = np.random.default_rng(0)

    def pwm(cons, sharp=0.85):
        m = np.full((len(cons), 4), (1 - sharp) / 3)
        m[np.arange(len(cons)), ["ACGT".index(c) for c in cons]] = sharp
        return m

    site = "TGACGTCATG"
    paralog = pwm(site, 0.8)
    paralog[4] = [0.1, 0.5, 0.3, 0.1]                 # one softer column: a paralog, not a copy
    db = [Motif("A", "planted", pwm(site)), Motif("A2", "paralog", paralog),
          Motif("B", "other", pwm("GGGAATTCCC"))]
    # Random fillers give Tomtom a null over more than three matrices.
    db += [Motif(f"R{k}", f"random{k}", rng.dirichlet(np.ones(4), size=8)) for k in range(20)]

    def seqs(n, plant):
        out = []
        for k in range(n):
            s = "".join(rng.choice(list("ACGT"), 200))
            if plant(k):
                s = s[:90] + site + s[100:]
            out.append(s)
        return out

    targets = seqs(150, lambda k: k % 2 == 0)
    background = seqs(150, lambda k: False)
    sim = similarity_matrix(db)
    assert sim[0, 1] < 1e-4 and sim[0, 2] > 1e-2 and (sim == sim.T).all()
    flat = known_enrichment(db, targets, background, similar_pvalue=None)
    assert len(flat.rows) == len(db) and [r["motif_id"] for r in flat.rows[:2]] == ["A", "A2"]
    res = known_enrichment(db, targets, background)
    ids = [r["motif_id"] for r in res.rows]
    assert len(res.rows) == len(db) - 1 and ids[0] == "A" and "A2" not in ids and "B" in ids
    p_a2 = next(r["p_value"] for r in flat.rows if r["motif_id"] == "A2")
    assert res.rows[0]["similar"] == f"A2 paralog {p_a2:.3g}"
    assert res.rows[ids.index("B")]["similar"] == ""
    assert [r["rank"] for r in res.rows] == list(range(1, len(res.rows) + 1))
