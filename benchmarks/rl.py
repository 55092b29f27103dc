"""Benchmark: attention over the replay buffer without a remedy (baseline) vs three remedies.

Prints, per start (optimistic / random) and remedy over 10 seeds: runs that diverged
(max|Q-Q*| > 1e6), runs that reached Q* (final max|Q-Q*| < 1e-6), median and worst final
max|Q - Q*|, and the mean attention mass on old-policy memories.
"""
import numpy as np

from attnbio.domains.rl import run_rl


def main():
    print("init\tremedy\tdiverged\treached_q_star\tmedian_final_err\tworst_final_err\tattention_on_old")
    for init in ("optimistic", "random"):
        rows, _ = run_rl(seeds=range(10), steps=3000, init=init)
        for name in ("none", "recency", "importance", "temperature"):
            sub = [r for r in rows if r["remedy"] == name]
            final = [r["final_q_error"] for r in sub]
            print(f"{init}\t{name}\t{sum(r['diverged'] for r in sub)}/{len(sub)}\t"
                  f"{sum(f < 1e-6 for f in final)}/{len(sub)}\t{np.median(final):.3g}\t"
                  f"{max(final):.3g}\t{np.mean([r['mean_attention_on_old'] for r in sub]):.3f}")


if __name__ == "__main__":
    main()
