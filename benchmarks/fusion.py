"""Fusion token vs non-attentive baselines over faults and seeds (RMSE while a sensor is faulty).

Baselines computed in the same run: plain mean of the three sensors, inverse-variance fusion
of all three (no attention), and the oracle that fuses only the healthy sensors.
Usage: python benchmarks/fusion.py [--seeds 5]
"""
import argparse

import numpy as np

from attnbio.domains import fusion


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    n_seeds = ap.parse_args().seeds
    cols = ["fault", "mean_all", "invvar_all", "attn_tau0.01", "attn_tau1", "attn_tau30",
            "attn_tau1e4", "healthy_oracle", "w_faulty_tau0.01", "w_faulty_tau1e4"]
    print("\t".join(cols))
    for fault in fusion.FAULTS:
        acc = []
        for seed in range(n_seeds):
            s = fusion.simulate(fault=fault, seed=seed)
            m = s.fault_mask
            mean_all = fusion.rmse(s.readings.mean(0)[m], s.truth[m])
            invvar = fusion.rmse(fusion._inverse_variance(s, [0, 1, 2])[m], s.truth[m])
            rows = fusion.sweep(s, [0.01, 1.0, 30.0, 1e4])
            acc.append([mean_all, invvar] + [r["fused_rmse"] for r in rows]
                       + [rows[0]["healthy_oracle_rmse"], rows[0]["faulty_weight"],
                          rows[-1]["faulty_weight"]])
        print("\t".join([fault] + [f"{v:.3f}" for v in np.mean(acc, axis=0)]))


if __name__ == "__main__":
    main()
