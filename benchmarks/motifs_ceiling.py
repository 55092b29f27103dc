"""How well could any model separate a suite configuration's classes? An oracle AUROC.

A model's held-out AUROC says little on its own: 0.73 can be a stalled training or the best
the data allow. This script reads each configuration's planted truth (no model involved) and
fits a logistic regression on what a perfect motif reader would know of each sequence:

    one count per planted profile (how many of its sites the sequence has), and
    one flag per cooperative pair (sites of A and B whose centres lie at the planted
    distance, +-1 bp, in either order; orientation is not checked).

Its AUROC on a held-out fifth is the ceiling of a reader of the planted sites; PWM-sampled
sites that look like background, and background that looks like a site, put real models
below it. Same simulation and seeds as benchmarks/motifs_suite.py.

    python benchmarks/motifs_ceiling.py                       # every configuration, seed 0
    python benchmarks/motifs_ceiling.py --configs factors10 independent --seeds 0 1
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def oracle_features(data) -> tuple[np.ndarray, np.ndarray]:
    """(n_sequences, n_profiles + n_pairs) truth features and labels (1 = positive)."""
    ids = [m.id for m in data.motifs]
    col = {mid: i for i, mid in enumerate(ids)}
    n_pos, n_neg = len(data.positives), len(data.negatives)
    feats = np.zeros((n_pos + n_neg, len(ids) + len(data.pairs)), np.float32)
    centres: dict[int, dict[str, list[float]]] = {}
    for offset, sites in ((0, data.sites_pos), (n_pos, data.sites_neg)):
        for s in sites:
            feats[offset + s.seq, col[s.motif_id]] += 1
            centres.setdefault(offset + s.seq, {}).setdefault(s.motif_id, []).append((s.start + s.end - 1) / 2)
    for j, p in enumerate(data.pairs):
        for row, by_motif in centres.items():
            ca, cb = by_motif.get(p["a"], []), by_motif.get(p["b"], [])
            if any(abs(abs(b - a) - p["distance"]) <= 1 for a in ca for b in cb):
                feats[row, len(ids) + j] = 1
    labels = np.r_[np.ones(n_pos), np.zeros(n_neg)]
    return feats, labels


def oracle_auroc(data, seed: int = 0) -> float:
    """AUROC of the truth-feature logistic regression on a stratified held-out fifth."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    from attnbio.stats import auroc

    x, y = oracle_features(data)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, stratify=y, random_state=seed)
    fit = LogisticRegression(max_iter=2000).fit(xtr, ytr)
    return float(auroc(yte, fit.decision_function(xte)))


def main(argv=None) -> int:
    from motifs_suite import BY_NAME, CONFIGS, simulate_to

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", nargs="+", choices=sorted(BY_NAME))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    args = ap.parse_args(argv)
    names = args.configs or [c["name"] for c in CONFIGS]
    print("| config | half | seed | oracle AUROC |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            for seed in args.seeds:
                data = simulate_to(BY_NAME[name], seed, Path(tmp) / name / str(seed))
                print(f"| {name} | {BY_NAME[name]['split']} | {seed} | {oracle_auroc(data, seed):.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
