"""Odd-one-out accuracy: attention in one attribute's subspace vs whole-token attention vs chance.

All other attributes randomised per object; 5000 fresh scenes per cell, computed in this run.
Usage: python benchmarks/oddoneout.py
"""
from attnbio.domains import oddoneout as od


def main():
    print("objects\tattribute\tnoise\tsubspace\twhole_token\tchance")
    for n in (6, 10):
        for r in od.noise_table(noises=(0, 0.3, 0.5, 1.0), n_scenes=5000, n_objects=n, seed=11):
            print(f"{n}\t{r['attribute']}\t{r['noise']:g}\t{r['accuracy_subspace']:.3f}\t"
                  f"{r['accuracy_whole_token']:.3f}\t{r['chance']:.3f}")


if __name__ == "__main__":
    main()
