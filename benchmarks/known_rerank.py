"""Re-score only the known-motif enrichment of benchmarks/chip_route.py on its saved sequences.

The known-motif scan needs no model: this reruns known_enrichment (JASPAR 2024 CORE vertebrates,
site p < 1e-4, the `attnbio motifs` defaults) on the peak and background FASTA files that
`chip_route.py --part route` wrote (peaks.fa, neg_genomic.fa, neg_negatives.fa), writes
known_motifs.tsv per background, and prints the rank of each planted enriched profile: the rank
of the row whose profile it is or whose `similar` column lists it.

    python benchmarks/known_rerank.py --route /tmp/attnbio_team/chip/bench/route_3000_0 --out OUT
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def planted_ranks(rows: list[dict], planted: list[str]) -> dict[str, int | None]:
    """Rank of the row holding each planted id, as the row's profile or in `similar`."""
    where = {}
    for r in rows:
        ids = [r["motif_id"]] + [s.split()[0] for s in str(r.get("similar") or "").split("; ") if s]
        for i in ids:
            where.setdefault(i, int(r["rank"]))
    return {t: where.get(t) for t in planted}


def main() -> None:
    from attnbio.io.fasta import read_fasta
    from attnbio.io.motif_formats import read_meme
    from attnbio.motifs.annotate import load_motif_db
    from attnbio.motifs.known import known_enrichment, write_known

    ap = argparse.ArgumentParser()
    ap.add_argument("--route", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--similar-pvalue", type=float, default=None, help="default: known.SIMILAR_PVALUE; 0 = no merging")
    a = ap.parse_args()
    from attnbio.motifs.known import SIMILAR_PVALUE
    thr = SIMILAR_PVALUE if a.similar_pvalue is None else (a.similar_pvalue or None)
    truth = json.loads((a.route / "sim" / "truth.json").read_text())
    names = {m.id: m.name for m in read_meme(a.route / "sim" / "truth.meme")}
    db = load_motif_db("vertebrates")
    pos = [r.sequence for r in read_fasta(a.route / "peaks.fa")]
    a.out.mkdir(parents=True, exist_ok=True)
    for bg in ("genomic", "negatives"):
        neg = [r.sequence for r in read_fasta(a.route / f"neg_{bg}.fa")]
        t = time.perf_counter()
        res = known_enrichment(db, pos, neg, 1e-4, 1000, similar_pvalue=thr)
        write_known(a.out / f"known_{bg}.tsv", res)
        ranks = planted_ranks(res.rows, truth["enriched"])
        top = sum(r is not None and r <= 10 for r in ranks.values())
        print(f"{bg}: {len(res.rows)} rows, {top}/{len(ranks)} planted in top 10: "
              + ", ".join(f"{names.get(k, k)} {v}" for k, v in ranks.items())
              + f" ({time.perf_counter() - t:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
