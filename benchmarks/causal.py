"""Benchmark: AUROC against the true causal edges, attention weights (baseline) vs effects.

Five simulated systems (seeds); per seed the AUROC of every edge score, then the mean.
"""
import numpy as np
import torch

from attnbio.domains.causal import SCORES, run_causal


def main():
    torch.set_num_threads(1)
    table = {name: [] for name in SCORES}
    print("seed\t" + "\t".join(SCORES))
    for seed in range(5):
        res = run_causal(seed=seed)
        auroc = {row["score"]: row["auroc"] for row in res.auroc}
        for name in SCORES:
            table[name].append(auroc[name])
        print(f"{seed}\t" + "\t".join(f"{auroc[n]:.3f}" for n in SCORES))
    print("mean\t" + "\t".join(f"{np.mean(table[n]):.3f}" for n in SCORES))


if __name__ == "__main__":
    main()
