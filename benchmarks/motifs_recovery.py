"""Benchmark: planted motifs recovered by `attnbio motifs` on `simulate grammar` data.

For each seed: simulate (defaults: 10,000 x 200 bp), train the attention model, read motifs
out of its heads, and score them against the truth with Tomtom (memelite) against the whole
JASPAR CORE vertebrates release (which contains every planted profile, so q-values are those
of a real database search). In the same process, on the same data and encoding, the baseline
runs the identical seqlet -> PWM route from random positions instead of attended ones.

A planted enriched motif (pair members and enriched singles) counts as recovered when some
reported motif matches its JASPAR profile at Tomtom q < 0.05. A false motif is a reported,
enriched motif (q < 0.05) that matches no planted profile. The decoy (same rate in both
classes) must not be reported as enriched.

    python benchmarks/motifs_recovery.py --seeds 0 1 2 --threads 2
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing as mp
import resource
import time

import numpy as np

Q = 0.05


def run_seed(seed: int, n: int, epochs: int, threads: int) -> list[dict]:
    """One seed in a fresh process (so peak memory is this seed's): rows for attnbio and baseline."""
    import torch

    from attnbio.motifs.annotate import load_motif_db, tomtom_qvalues
    from attnbio.motifs.discover import DiscoverConfig, attention_profiles, discover_from_profiles, profile_names
    from attnbio.motifs.encode import one_hot
    from attnbio.motifs.simulate import GrammarSimConfig, simulate_grammar
    from attnbio.motifs.train import TrainConfig, train_model

    torch.set_num_threads(threads)
    data = simulate_grammar(GrammarSimConfig(n_sequences=n, seed=seed))
    db = load_motif_db("vertebrates")
    t0 = time.perf_counter()
    result = train_model(data.positives, data.negatives, TrainConfig(epochs=epochs, seed=seed))
    t_train = time.perf_counter() - t0
    model, cfg = result.model, DiscoverConfig(seed=seed)
    x, mask, _ = one_hot(data.positives)
    xn, maskn, _ = one_hot(data.negatives, length=x.shape[1])
    t1 = time.perf_counter()
    prof = attention_profiles(model, x, mask)
    names = profile_names(model)
    found = discover_from_profiles(prof, names, model.cfg.pool, x, mask, xn, maskn, cfg).motifs
    t_disc = time.perf_counter() - t1
    t2 = time.perf_counter()
    base = random_seqlet_control(model, x, mask, xn, maskn, cfg, seed)
    t_base = time.perf_counter() - t2
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    auroc = result.metrics["test_auroc"]
    rows = []
    for method, motifs, secs in [("attnbio (attention)", found, t_train + t_disc),
                                 ("random seqlets", base, t_train + t_base)]:
        score = score_against_truth(motifs, data.motifs, db, tomtom_qvalues)
        rows.append(dict(seed=seed, method=method, auroc=auroc, seconds=secs, peak_mb=peak_mb,
                         train_s=t_train, discover_s=t_disc if method.startswith("attnbio") else t_base,
                         **score))
    return rows


def random_seqlet_control(model, x, mask, xn, maskn, cfg, seed: int) -> list:
    """The baseline: the same seqlet -> PWM route from random positions instead of attended ones."""
    from attnbio.motifs.discover import discover_from_profiles, profile_names, random_profiles

    names = profile_names(model)  # one random profile per attention profile (key and query sides)
    control = random_profiles(mask, len(names), model.cfg.pool, seed)
    return discover_from_profiles(control, names, model.cfg.pool, x, mask, xn, maskn, cfg).motifs


def score_against_truth(motifs, planted, db, tomtom_qvalues) -> dict:
    """Recovery of planted enriched motifs, false enriched motifs, and the decoy's fate."""
    index = {m.id: i for i, m in enumerate(db)}
    q = tomtom_qvalues([m.probs for m in motifs], [m.probs for m in db]) if motifs else np.ones((0, len(db)))
    enriched = np.array([m.q_value < Q and m.log2_enrichment > 0 for m in motifs], bool)
    hits = {p.id: np.flatnonzero(q[:, index[p.id]] < Q) for p in planted}
    targets = [p for p in planted if p.meta["role"] in ("pair", "single")]
    decoys = [p for p in planted if p.meta["role"] == "decoy"]
    matched_any = np.zeros(len(motifs), bool)
    for idx in hits.values():
        matched_any[idx] = True
    decoy_enriched = any(enriched[i] for d in decoys for i in hits[d.id])
    return {"recovered": sum(len(hits[p.id]) > 0 for p in targets), "planted": len(targets),
            "missed": ",".join(p.name for p in targets if not len(hits[p.id])),
            "recovered_ids": [p.id for p in targets if len(hits[p.id])],
            "reported": len(motifs), "enriched": int(enriched.sum()),
            "false": int((enriched & ~matched_any).sum()),
            "decoy_found": sum(len(hits[d.id]) > 0 for d in decoys),
            "decoy_enriched": decoy_enriched}


def print_table(rows: list[dict]) -> None:
    head = ["seed", "method", "recovered", "false", "decoy_enriched", "reported", "auroc",
            "train_s", "discover_s", "peak_mb", "missed"]
    print("\t".join(head))
    for r in rows:
        rec = f"{r['recovered']}/{r['planted']}"
        print("\t".join([str(r["seed"]), r["method"], rec, str(r["false"]), str(r["decoy_enriched"]),
                         str(r["reported"]), f"{r['auroc']:.3f}", f"{r['train_s']:.0f}",
                         f"{r['discover_s']:.0f}", f"{r['peak_mb']:.0f}", r["missed"] or "-"]))
    for method in dict.fromkeys(r["method"] for r in rows):
        sub = [r for r in rows if r["method"] == method]
        frac = np.mean([r["recovered"] / r["planted"] for r in sub])
        ok = sum(r["recovered"] / r["planted"] >= 0.9 and not r["decoy_enriched"] for r in sub)
        print(f"# {method}: mean recovery {frac:.0%}, seeds meeting >= 90% with decoy not enriched: "
              f"{ok}/{len(sub)}, mean train+discover {np.mean([r['seconds'] for r in sub]):.0f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--n", type=int, default=10_000, help="sequences per simulation")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--threads", type=int, default=2, help="torch threads per seed")
    ap.add_argument("--jobs", type=int, default=1, help="seeds run at once (timings then share the CPUs)")
    args = ap.parse_args()
    ctx = mp.get_context("spawn")
    # One fresh process per seed (max_tasks_per_child=1) so each peak-memory figure is its own.
    with cf.ProcessPoolExecutor(args.jobs, mp_context=ctx, max_tasks_per_child=1) as pool:
        futures = [pool.submit(run_seed, s, args.n, args.epochs, args.threads) for s in args.seeds]
        rows = [row for f in futures for row in f.result()]
    print_table(rows)


if __name__ == "__main__":
    main()
