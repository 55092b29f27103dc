"""MASE of phase-encoded attention vs seasonal naive vs Holt-Winters on real statsmodels series.

Rolling origins: for each of several forecast origins (one period apart, the latest last) the
series is cut there, the horizon after it is held out, and all three methods are fitted on the
part before it in this same run. Usage: python benchmarks/forecast.py [--origins 5]
"""
import argparse

import numpy as np

from attnbio.domains import forecast as fc


def load(name):
    from statsmodels.datasets import co2, sunspots
    if name == "co2":
        return co2.load_pandas().data["co2"].interpolate().to_numpy(), [52]
    return sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(), [11]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--origins", type=int, default=5)
    k = ap.parse_args().origins
    print("series\thorizon\torigins\tattention\tseasonal_naive\tholt_winters\tattention_wins_vs_hw")
    for name, horizons in (("co2", (52, 104)), ("sunspots", (11, 22))):
        y, _ = load(name)
        for h in horizons:
            step = int(round(fc.estimate_periods(y)[0]))
            scores = []
            for i in range(k):
                end = len(y) - i * step
                res = fc.evaluate(y[:end], h)
                scores.append([r["mase"] for r in res["metrics"]])
            s = np.array(scores)
            wins = int((s[:, 0] < s[:, 2]).sum())
            means = "\t".join(f"{v:.3f}" for v in s.mean(axis=0))
            print(f"{name}\t{h}\t{k}\t{means}\t{wins}/{k}")


if __name__ == "__main__":
    main()
