"""Peak memory of `attnbio protein` and `attnbio refine` against input size, up to the limits.

    python benchmarks/memory_limits.py [--threads 1] [--protein 250,500,1000,1500,2000]
                                       [--refine 128,256,512,1000]

Each size runs as a fresh `attnbio` process on a synthetic input (protein: one random
FASTA record of L residues, --no-heatmaps; refine: one C-alpha random walk of L residues, 3.8 A
steps, --iterations 50) and the table prints wall time and the child's peak RSS (wait4
ru_maxrss). The limits in attnbio/limits.py (2,000 residues per protein, 1,000 for refine) are
set where this peak stays at a few GiB; one size above each limit checks the refusal (exit 2).
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

BIN = Path(sys.executable).parent / "attnbio"


def protein_input(folder: Path, n: int) -> Path:
    rng = np.random.default_rng(n)
    path = folder / f"p{n}.fa"
    path.write_text(">p\n" + "".join(rng.choice(list("ACDEFGHIKLMNPQRSTVWY"), size=n)) + "\n")
    return path


def refine_input(folder: Path, n: int) -> Path:
    rng = np.random.default_rng(n)
    steps = rng.normal(size=(n, 3))
    xyz = np.cumsum(3.8 * steps / np.linalg.norm(steps, axis=1, keepdims=True), axis=0)
    lines = [f"ATOM  {i + 1:5d}  CA  ALA A{i + 1:4d}    {x:8.3f}{y:8.3f}{z:8.3f}  1.00 20.00           C"
             for i, (x, y, z) in enumerate(xyz)]
    path = folder / f"r{n}.pdb"
    path.write_text("\n".join(lines) + "\nEND\n")
    return path


def run(args: list[str]) -> tuple[int, float, float]:
    """(exit status, wall seconds, peak RSS GiB) of one attnbio process."""
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(BIN), "-q", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, usage.ru_maxrss / 2**20


def main() -> None:
    from attnbio.limits import PROTEIN_MAX_RESIDUES, REFINE_MAX_RESIDUES

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--protein", default=f"250,500,1000,1500,{PROTEIN_MAX_RESIDUES}")
    ap.add_argument("--refine", default=f"128,256,512,{REFINE_MAX_RESIDUES}")
    a = ap.parse_args()
    sizes = {"protein": [int(x) for x in a.protein.split(",") if x] + [PROTEIN_MAX_RESIDUES + 1],
             "refine": [int(x) for x in a.refine.split(",") if x] + [REFINE_MAX_RESIDUES + 1]}
    print("| command | residues | exit | wall (s) | peak RSS (GiB) |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for command, lengths in sizes.items():
            for n in lengths:
                out = folder / f"out-{command}-{n}"
                if command == "protein":
                    args = ["protein", str(protein_input(folder, n)), "--no-heatmaps"]
                else:
                    args = ["refine", str(refine_input(folder, n)), "--iterations", "50"]
                code, wall, rss = run(args + ["--threads", str(a.threads), "-o", str(out)])
                print(f"| {command} | {n} | {code} | {wall:.1f} | {rss:.2f} |", flush=True)


if __name__ == "__main__":
    main()
