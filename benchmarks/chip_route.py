"""Benchmark: the ChIP-seq route of `attnbio motifs` (README.md, "ChIP-seq route").

(a) route: `attnbio simulate genome` (a GC-gradient genome with narrowPeak peaks over planted
    grammar), then `attnbio motifs peaks.narrowPeak --genome genome.fa` against (1) the
    GC-matched genomic background it samples and (2) the simulator's unbound regions
    (--negatives negatives.bed), each next to the FASTA route on the same sequences in the same
    order (peaks_used.bed / background.bed / negatives.bed read out as FASTA). Scored as in
    Benchmark 1 and 2: a planted enriched motif is recovered when a reported motif matches its
    JASPAR profile at Tomtom q < 0.05 against all of JASPAR CORE vertebrates; a pair is recovered
    when a reported `attention+effect` call joins motifs matching the two planted profiles
    within 3 bp of the planted distance; known = rank of each planted enriched profile in
    known_motifs.tsv (goal: top 10 by p): the row whose profile it is or whose `similar` lists it.
(b) background: GC-matched background for 50,000 peaks from a 100 Mb GC-gradient genome
    (made in the work folder), timed by stage, peak memory, and the KS test of GC against the
    peaks for the matched and a uniform background.

    python benchmarks/chip_route.py --part route --peaks 3000 --threads 1 [--fasta-model reuse]
    python benchmarks/chip_route.py --part background
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

Q = 0.05
ATTNBIO = [sys.executable, "-m", "attnbio.cli"]


def run(cmd: list[str], log: Path) -> subprocess.Popen:
    fh = open(log, "w")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    p = subprocess.Popen([str(c) for c in cmd], stdout=fh, stderr=subprocess.STDOUT, env=env)
    p.started = time.perf_counter()
    return p


def finish(p: subprocess.Popen) -> dict:
    """Wait for one child: wall seconds and its own peak RSS (os.wait4 gives the child's rusage)."""
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        raise SystemExit(f"{p.args} failed with {p.returncode}")
    return {"seconds": time.perf_counter() - p.started, "peak_mb": ru.ru_maxrss / 1024}


def fasta_from_bed(genome, bed: Path, out: Path) -> None:
    """The sequences of a BED file in its order and orientation, as FASTA."""
    from attnbio.io.bed import read_bed
    from attnbio.io.fasta import write_fasta

    rows = []
    for r in read_bed(bed):
        rows.append((r.name, genome.fetch(r.chrom, r.start, r.end, "-" if r.strand == "-" else "+")))
    write_fasta(out, rows)


def score(outdir: Path, truth: dict, db, tomtom_qvalues) -> dict:
    from attnbio.io.motif_formats import read_meme
    from attnbio.io.tables import read_tsv

    rows = read_tsv(outdir / "motifs.tsv")
    motifs = read_meme(outdir / "motifs.meme") if rows else []
    enriched_ids = {r["motif_id"] for r in rows if float(r["q_value"] or 1) < Q and float(r["log2_enrichment"] or 0) > 0}
    index = {m.id: i for i, m in enumerate(db)}
    q = tomtom_qvalues([m.probs for m in motifs], [m.probs for m in db]) if motifs else np.ones((0, len(db)))
    matches = {m.id: {p["id"] for p in truth["motifs"] if q[k, index[p["id"]]] < Q} for k, m in enumerate(motifs)}
    targets = truth["enriched"]
    recovered = [t for t in targets if any(t in v for v in matches.values())]
    false = [mid for mid in enriched_ids if not matches.get(mid)]
    decoy = any(truth["decoys"][0] in matches.get(mid, ()) for mid in enriched_ids)
    inter = read_tsv(outdir / "interactions.tsv")
    reported = [r for r in inter if r["status"] == "attention+effect"]

    def true_pair(r):
        ma, mb = matches.get(r["motif_a"], set()), matches.get(r["motif_b"], set())
        return next((p for p in truth["pairs"] if abs(int(r["distance"]) - p["distance"]) <= 3
                     and ((p["a"] in ma and p["b"] in mb) or (p["b"] in ma and p["a"] in mb))), None)

    found = {json.dumps(true_pair(r), sort_keys=True) for r in reported if true_pair(r)}
    known = {}                  # rank of the row a profile heads or is listed in (`similar`)
    for r in read_tsv(outdir / "known_motifs.tsv") if (outdir / "known_motifs.tsv").exists() else []:
        for m in [r["motif_id"]] + [x.split()[0] for x in str(r.get("similar") or "").split("; ") if x]:
            known.setdefault(m, int(r["rank"]))
    card = json.loads((outdir / "model.json").read_text())
    n_peaks = [int(r["n_peaks"]) for r in reported if true_pair(r)] if inter and "n_peaks" in inter[0] else []
    return {"auroc": card["metrics"]["test_auroc"], "recovered": f"{len(recovered)}/{len(targets)}",
            "false": len(false), "decoy": "yes" if decoy else "no",
            "pairs": f"{len(found)}/{len(truth['pairs'])}",
            "reported_true": f"{sum(bool(true_pair(r)) for r in reported)}/{len(reported)}",
            "known": known, "n_peaks_true_pairs": n_peaks}


def _same_results(a: Path, b: Path) -> str:
    """Whether two runs agree on motifs.meme, motifs.tsv, interactions and per-peak sites."""
    from attnbio.io.tables import read_tsv

    same = []
    for name in ("motifs.meme", "motifs.tsv"):
        same.append((a / name).read_bytes() == (b / name).read_bytes())
    cols = ["motif_a", "motif_b", "distance", "orientation", "status"]
    same.append([[r[c] for c in cols] for r in read_tsv(a / "interactions.tsv")] ==
                [[r[c] for c in cols] for r in read_tsv(b / "interactions.tsv")])
    cols = ["start", "end", "strand", "motif_id", "score"]
    same.append([[r[c] for c in cols] for r in read_tsv(a / "sites.tsv")] ==
                [[r[c] for c in cols] for r in read_tsv(b / "sites.tsv")])
    return "identical" if all(same) else "differ (" + ",".join(
        n for n, s in zip(["meme", "motifs.tsv", "interactions", "sites"], same) if not s) + ")"


def part_route(args) -> None:
    from attnbio.io.genome import Genome
    from attnbio.motifs.annotate import load_motif_db, tomtom_qvalues

    work = Path(args.workdir) / f"route_{args.peaks}_{args.seed}"
    sim = work / "sim"
    if not (sim / "truth.json").exists():
        subprocess.run(ATTNBIO + ["simulate", "genome", "--peaks", str(args.peaks), "--seed", str(args.seed),
                                  "-o", str(sim)], check=True)
    truth = json.loads((sim / "truth.json").read_text())
    common = ["--threads", str(args.threads), "--seed", str(args.seed)]
    runs, procs = {}, {}
    for bg in ("genomic", "negatives"):           # the two BED runs side by side, one thread each
        bed_out = work / f"bed_{bg}"
        extra = [] if bg == "genomic" else ["--negatives", sim / "negatives.bed"]
        if not (bed_out / "model.json").exists():
            procs[("BED + --genome", bg)] = run(ATTNBIO + ["motifs", sim / "peaks.narrowPeak", "--genome",
                                                          sim / "genome.fa", *extra, *common, "-o", bed_out],
                                                work / f"bed_{bg}.log")
    runs.update({k: finish(p) for k, p in procs.items()})
    g = Genome(sim / "genome.fa")
    procs = {}
    for bg in ("genomic", "negatives"):           # then the FASTA route on the same sequences, same order
        bed_out, fa_out = work / f"bed_{bg}", work / f"fasta_{bg}"
        fasta_from_bed(g, bed_out / "peaks_used.bed", work / "peaks.fa")
        neg_bed = bed_out / "background.bed" if bg == "genomic" else sim / "negatives.bed"
        fasta_from_bed(g, neg_bed, work / f"neg_{bg}.fa")
        if not (fa_out / "model.json").exists():
            reuse = ["--model", bed_out / "model.safetensors"] if args.fasta_model == "reuse" else []
            procs[("FASTA", bg)] = run(ATTNBIO + ["motifs", work / "peaks.fa", "--negatives", work / f"neg_{bg}.fa",
                                                 *reuse, *common, "-o", fa_out], work / f"fasta_{bg}.log")
    runs.update({k: finish(p) for k, p in procs.items()})
    # Timings of runs made by an earlier invocation (or recorded by a watcher) live in timings.json.
    saved = {}
    for f in sorted(work.glob("timings*.json")):
        saved.update(json.loads(f.read_text()))
    for (route, bg), t in runs.items():
        saved[f"{'bed' if route.startswith('BED') else 'fasta'}_{bg}"] = t
    (work / "timings.json").write_text(json.dumps(saved, indent=1))
    runs = {(route, bg): saved.get(f"{'bed' if route.startswith('BED') else 'fasta'}_{bg}", {})
            for route in ("BED + --genome", "FASTA") for bg in ("genomic", "negatives")}
    db = load_motif_db("vertebrates")
    names = {m["id"]: m["name"] for m in truth["motifs"]}
    print(f"\n{args.peaks} peaks, genome {sum(truth['genome']['chromosomes'].values()) / 1e6:.1f} Mb, seed {args.seed}; "
          f"planted enriched: {', '.join(names[t] for t in truth['enriched'])}; decoy {names[truth['decoys'][0]]}\n")
    print("| route | negatives | held-out AUROC | planted motifs recovered | false | decoy enriched | pairs recovered "
          "(attention+effect) | reported pairs true | planted profiles in known top 10 | known ranks | wall s | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for bg, label in (("genomic", "GC-matched genomic (background.bed)"), ("negatives", "negatives.bed (unbound regions)")):
        for route, d in (("BED + --genome", work / f"bed_{bg}"), ("FASTA", work / f"fasta_{bg}")):
            s = score(d, truth, db, tomtom_qvalues)
            ranks = [s["known"].get(t) for t in truth["enriched"]]
            top = sum(r is not None and r <= 10 for r in ranks)
            known = ", ".join(f"{names[t]} {r}" for t, r in zip(truth["enriched"], ranks)) if s["known"] else "(not run)"
            t = runs.get((route, bg), {})
            print(f"| {route} | {label} | {s['auroc']:.3f} | {s['recovered']} | {s['false']} | {s['decoy']} | "
                  f"{s['pairs']} | {s['reported_true']} | {f'{top}/{len(ranks)}' if s['known'] else ''} | {known} | "
                  f"{t.get('seconds', float('nan')):.0f} | {t.get('peak_mb', float('nan')):.0f} |")
        print(f"<!-- {bg}: BED vs FASTA route outputs {_same_results(work / f'bed_{bg}', work / f'fasta_{bg}')} -->")
    for bg in ("genomic", "negatives"):
        print(f"{bg}: BED route vs FASTA route on the same sequences: "
              f"{_same_results(work / f'bed_{bg}', work / f'fasta_{bg}')}; "
              f"n_peaks of true pairs {score(work / f'bed_{bg}', truth, db, tomtom_qvalues)['n_peaks_true_pairs']}")


def make_big_genome(path: Path, total: int, n_chroms: int, seed: int) -> dict:
    """A GC-gradient genome of `total` bp (0.30 -> 0.55 along each chromosome), 1 Mb at a time."""
    from attnbio.motifs.simulate_genome import _filler

    rng = np.random.default_rng(seed)
    lengths = {}
    with open(path, "wb") as fh:
        for c in range(n_chroms):
            n = total // n_chroms
            fh.write(f">chr{c + 1}\n".encode())
            step = 1_000_020                                # a multiple of the 60-bp line
            for j in range(0, n, step):
                m = min(step, n - j)
                lo, hi = 0.30 + 0.25 * j / n, 0.30 + 0.25 * (j + m) / n
                seq = _filler(m, lo, hi, rng)
                full = m // 60
                fh.write(np.concatenate([seq[:full * 60].reshape(full, 60), np.full((full, 1), 10, np.uint8)],
                                        axis=1).tobytes())
                if m % 60:
                    fh.write(seq[full * 60:].tobytes() + b"\n")
            lengths[f"chr{c + 1}"] = n
    return lengths


def part_background(args) -> None:
    work = Path(args.workdir) / "background"
    work.mkdir(parents=True, exist_ok=True)
    genome = work / "genome100.fa"
    if not genome.exists():
        t = time.perf_counter()
        lengths = make_big_genome(genome, 100_000_000, 5, 0)
        rng = np.random.default_rng(1)
        rows = []
        for k in range(args.n_peaks):                       # peaks in the GC-richer half of each chromosome
            c = int(rng.integers(len(lengths)))
            n = lengths[f"chr{c + 1}"]
            s = int(rng.integers(n // 2, n - 1000))
            w = int(rng.integers(150, 600))
            rows.append(f"chr{c + 1}\t{s}\t{s + w}\tpeak{k}\t0\t.\t1\t1\t1\t{w // 2}\n")
        (work / "peaks.narrowPeak").write_text("".join(rows))
        print(f"made a 100 Mb genome and {args.n_peaks} peaks in {time.perf_counter() - t:.0f} s")
    code = f"""
import resource, time, numpy as np
from scipy.stats import ks_2samp
from attnbio.io.bed import read_bed
from attnbio.io.genome import Genome, extract, gc_fraction
from attnbio.motifs.background import BackgroundConfig, GenomeCounts, sample_background, uniform_background
t0 = time.perf_counter(); g = Genome({str(genome)!r}); t_index = time.perf_counter() - t0
t0 = time.perf_counter(); ex = extract(g, read_bed({str(work / 'peaks.narrowPeak')!r}), 'peaks', size=200)
gc = gc_fraction([r.sequence for r in ex.records]); t_peaks = time.perf_counter() - t0
t0 = time.perf_counter(); cfg = BackgroundConfig(seed=0); counts = GenomeCounts(g)
bg = sample_background(g, ex.regions, gc, cfg, counts); t_sample = time.perf_counter() - t0
t0 = time.perf_counter(); seqs = [g.fetch(r.chrom, r.start, r.end) for r in bg.regions]; t_fetch = time.perf_counter() - t0
uni = uniform_background(g, ex.regions, cfg, counts)
useqs = [g.fetch(r.chrom, r.start, r.end) for r in uni.regions]
p_m, p_u = ks_2samp(gc, gc_fraction(seqs)).pvalue, ks_2samp(gc, gc_fraction(useqs)).pvalue
mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("| peaks | genome | .fai (build or reuse) s | read + re-centre peaks s | GenomeCounts + GC-matched sampling s | fetch background s | regions | unmatched | KS p matched | KS p uniform | peak MB |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
print(f"| {{len(ex.records)}} | 100 Mb | {{t_index:.1f}} | {{t_peaks:.1f}} | {{t_sample:.1f}} | {{t_fetch:.1f}} | {{len(bg.regions)}} | {{bg.n_unmatched}} | {{p_m:.3g}} | {{p_u:.3g}} | {{mb:.0f}} |")
"""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["route", "background", "all"], default="all")
    ap.add_argument("--peaks", type=int, default=3000)
    ap.add_argument("--n-peaks", type=int, default=50_000, help="peaks for --part background")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--workdir", default="/tmp/attnbio_chip_bench")
    ap.add_argument("--fasta-model", choices=["train", "reuse"], default="train",
                    help="FASTA-route runs train their own model (default) or reuse the BED run's")
    args = ap.parse_args()
    if args.part in ("background", "all"):
        part_background(args)
    if args.part in ("route", "all"):
        part_route(args)


if __name__ == "__main__":
    main()
