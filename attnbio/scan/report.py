"""A short summary of a (merged) scan: counts, score distribution, sites per motif, shard timings."""
from __future__ import annotations

import numpy as np

from attnbio.scan.store import BLOCK


def summarize(h5_path, benchmark_files=()) -> list[tuple[str, object]]:
    """(metric, value) rows from scan.h5 (read in blocks) and Snakemake benchmark TSV files.

    Benchmarks give the summed wall time (s) and the largest peak RSS (MB) over the shard jobs.
    """
    import h5py

    rows: list[tuple[str, object]] = []
    with h5py.File(h5_path, "r") as h5:
        prob = h5["sequences/prob"]
        n = prob.shape[0]
        n_pos = 0
        total = 0.0
        for a in range(0, n, BLOCK):
            p = prob[a:a + BLOCK].astype(np.float64)
            n_pos += int((p >= 0.5).sum())
            total += float(p.sum())
        rows += [("n_sequences", n), ("n_prob_ge_0.5", n_pos), ("mean_prob", total / n if n else float("nan"))]
        motif_ids = h5["sites/motif_id"]
        seq_ids = h5["sites/seq_id"]
        counts: dict[str, int] = {mid: 0 for mid in h5["motifs"]}
        n_with_site, last = 0, None
        for a in range(0, motif_ids.shape[0], BLOCK):
            for mid in motif_ids.asstr()[a:a + BLOCK]:
                counts[mid] = counts.get(mid, 0) + 1
            for sid in seq_ids.asstr()[a:a + BLOCK]:     # sites are grouped by sequence
                n_with_site += sid != last
                last = sid
        rows += [("n_sites", int(motif_ids.shape[0])), ("n_sequences_with_site", n_with_site)]
        rows += [(f"sites_{mid}", c) for mid, c in counts.items()]
    if benchmark_files:
        seconds, rss = 0.0, 0.0
        for f in benchmark_files:
            with open(f) as fh:
                header = fh.readline().rstrip("\n").split("\t")
                for line in fh:
                    rec = dict(zip(header, line.rstrip("\n").split("\t")))
                    seconds += float(rec.get("s", "nan"))
                    rss = max(rss, _float(rec.get("max_rss")))
        rows += [("scan_jobs", len(benchmark_files)), ("scan_seconds_total", round(seconds, 2)),
                 ("scan_max_rss_mb", round(rss, 1))]
    return rows


def _float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0
