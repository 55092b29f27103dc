"""Benchmark of `attnbio protein`: held-out contact precision, head lenses, time vs length.

Prints markdown tables (quoted in docs/protein.md):
1. long- and medium-range P@L, P@L/2, P@L/5 on the validation proteins (whole dssp50 proteins
   never seen in training) for the model, the Kyte-Doolittle sum kd_i + kd_j and random
   ranking, all computed in this run (random: mean of 20 shuffles per protein; Kyte-Doolittle:
   mean over 20 random tie-breaks per protein, as kd_i + kd_j has many ties);
2. the per-head lens table on the same proteins (attention > 0.3, BH q < 0.01);
3. with --retrain-seed N: the lenses of a model retrained from scratch with seed N;
4. wall time of the whole command (`attnbio protein`, 2 threads) per protein vs length.

Usage: python benchmarks/protein_contacts.py [--retrain-seed 1] [--threads 2]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def lens_table(model, proteins, threshold=0.3):
    from attnbio.protein.analyze import analyze

    _, rows = analyze(model, proteins, threshold=threshold)
    return rows


def to_proteins(examples):
    from attnbio.protein.inputs import Protein

    return [Protein(id=e.id, sequence=e.sequence, source="data/protein/dssp50",
                    residue_names=list(e.sequence), residue_numbers=[], cb=e.cb, ss=e.ss)
            for e in examples]


def print_lenses(rows, title):
    print(f"\n### {title}\n")
    print("| layer | head | lens | enrichment | n pairs > 0.3 | q of lens | contact enrichment |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        if not r["lens"]:
            continue
        k = r["lens"]
        ce = r["contact_prop"] / r["contact_bg"] if r.get("contact_bg") else float("nan")
        print(f"| {r['layer']} | {r['head']} | {k} | {r['lens_enrichment']:.2f} | {r['n_pairs']} "
              f"| {r[k + '_q']:.1e} | {ce:.2f} |")
    lenses = sorted({r["lens"] for r in rows if r["lens"]})
    print(f"\ndistinct lenses: {len(lenses)} ({', '.join(lenses)})")
    return set(lenses)


def main(argv=None):
    import torch

    from attnbio.io.weights import load_weights
    from attnbio.protein.data import load_dssp50, split_ids
    from attnbio.protein.model import build_model
    from attnbio.protein.train import evaluate, train

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "attnbio/weights/protein.safetensors"))
    ap.add_argument("--retrain-seed", type=int, default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)

    tensors, card = load_weights(args.model, expect_kind="attnbio.protein")
    model = build_model(card)
    model.load_state_dict(tensors)
    _, val_ids = split_ids()
    val = load_dssp50(val_ids)
    print(f"## Held-out contacts ({len(val)} validation proteins, "
          f"{min(len(e.sequence) for e in val)}-{max(len(e.sequence) for e in val)} residues)\n")
    m = evaluate(model, val, seed=args.seed)
    keys = ["long_P@L", "long_P@L/2", "long_P@L/5", "medium_P@L", "medium_P@L/5"]
    print("| ranking | " + " | ".join(keys) + " |")
    print("|---|" + "---|" * len(keys))
    members = getattr(model, "members", [model])
    rows = [("model", "attnbio protein (bundled" + (f", {len(members)} members)" if len(members) > 1 else ")"), m)]
    if len(members) > 1:   # the ensemble against its first member alone, same proteins
        rows.append(("model", "first member alone (seed 0)", evaluate(members[0], val, seed=args.seed)))
    rows += [("kd_sum", "Kyte-Doolittle kd_i + kd_j", m), ("random", "random", m)]
    for name, label, mm in rows:
        print(f"| {label} | " + " | ".join(f"{100 * mm[name][k]:.1f}%" for k in keys) + " |")
    ratio = m["model"]["long_P@L/5"] / m["kd_sum"]["long_P@L/5"]
    print(f"\nlong-range P@L/5: model / Kyte-Doolittle = {ratio:.2f}x (goal >= 2x: "
          f"{'met' if ratio >= 2 else 'NOT met'}); model long P@L "
          f"{100 * m['model']['long_P@L']:.1f}% vs ESM-2 8M 15.9% (its own benchmark, "
          f"{15.9 - 100 * m['model']['long_P@L']:.1f} points higher)")

    lenses = print_lenses(lens_table(model, to_proteins(val)), "Head lenses, bundled model (seed "
                          f"{card.get('seed')})")
    if args.retrain_seed is not None:
        t0 = time.perf_counter()
        other, _ = train(seed=args.retrain_seed)
        print(f"\n(retrained with seed {args.retrain_seed} in {time.perf_counter() - t0:.0f} s)")
        m2 = evaluate(other, val, seed=args.seed)
        print(f"retrained model: long P@L/5 {100 * m2['model']['long_P@L/5']:.1f}% "
              f"(Kyte-Doolittle {100 * m2['kd_sum']['long_P@L/5']:.1f}%)")
        lenses2 = print_lenses(lens_table(other, to_proteins(val)),
                               f"Head lenses, retrained with seed {args.retrain_seed}")
        shared = sorted(lenses & lenses2)
        print(f"\nlenses found with both seeds: {len(shared)} ({', '.join(shared) or 'none'}); "
              f"goal >= 3: {'met' if len(shared) >= 3 else 'NOT met'}")

    print(f"\n## Time per protein (`attnbio protein`, {args.threads} threads, whole command)\n")
    print("| protein | length | wall s |")
    print("|---|---|---|")
    picks = [ROOT / "data/protein/dssp50" / f"{val_ids[0]}.pdb.gz",
             ROOT / "data/protein/families/trypsin/1A0J_A.pdb.gz",
             ROOT / "data/protein/families/ldh/1o6z_A.pdb.gz"]
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    for p in picks:
        from attnbio.io.structure import read_structure

        n = len(read_structure(p)[0])
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "attnbio.cli", "-q", "protein", str(p),
                                "--threads", str(args.threads), "-o", f"{tmp}/out"],
                               capture_output=True, text=True, env=env)
            wall = time.perf_counter() - t0
        if r.returncode != 0:
            raise SystemExit(f"attnbio protein failed on {p}: {r.stderr}")
        print(f"| {p.name.split('.')[0]} | {n} | {wall:.1f} |")


if __name__ == "__main__":
    main()
