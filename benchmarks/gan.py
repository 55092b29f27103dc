"""GAN on real 8x8 digits: self-attention discriminator vs plain (both spectrally normalised).

Every seed trains both variants in this run; a logistic-regression judge trained on real digits
scores 1000 samples each. References: held-out real digits and uniform noise.
Usage: python benchmarks/gan.py [--seeds 5] [--steps 1000]
"""
import argparse

import numpy as np
import torch

from attnbio.domains import gan

KEYS = ["digit_score", "coverage", "confidence", "effective_classes", "d_loss", "g_loss",
        "d_grad_norm", "g_grad_norm", "max_d_grad_norm"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=1000)
    a = ap.parse_args()
    torch.set_num_threads(1)
    xtr, ytr, xte, yte = gan.load_digits_split()
    clf = gan.train_classifier(xtr, ytr)
    refs = {"real_heldout": gan.sample_quality(clf, xte),
            "uniform_noise": gan.sample_quality(clf, np.random.default_rng(0).uniform(-1, 1, (1000, 64)))}
    rows, _ = gan.compare(xtr, clf, range(a.seeds), a.steps)
    print(f"judge held-out accuracy {clf.score(xte, yte):.3f}; {a.seeds} seeds x {a.steps} steps")
    print("seed\tdiscriminator\t" + "\t".join(KEYS))
    for r in rows:
        print(f"{r['seed']}\t{r['discriminator']}\t" + "\t".join(f"{r[k]:.3f}" for k in KEYS))
    print("group\t" + "\t".join(f"{k}_mean\t{k}_sd" for k in KEYS[:4]))
    for s in gan.summary_rows(rows, refs, KEYS):
        print(s["group"] + "\t" + "\t".join(_fmt(s.get(f"{k}_mean")) + "\t" + _fmt(s.get(f"{k}_sd"))
                                            for k in KEYS[:4]))
    plain = np.array([r["digit_score"] for r in rows if r["discriminator"] == "plain"])
    attn = np.array([r["digit_score"] for r in rows if r["discriminator"] == "attention"])
    print(f"attention beats plain on digit score in {(attn > plain).sum()}/{len(plain)} seeds")


def _fmt(v):
    return "" if v is None else f"{v:.3f}"


if __name__ == "__main__":
    main()
