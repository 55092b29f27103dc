"""Benchmark of `attnbio refine`: quality on held-out real proteins, then time and memory.

    python benchmarks/refine.py [--model attnbio/weights/refine.safetensors] [--threads 2]
                                [--quality-only | --speed-only] [--lengths 64,128,256,300,512]

Quality: the 10 held-out dssp50 proteins (never seen in training), each perturbed by i.i.d.
Gaussian noise N(0, sigma^2) per coordinate at sigma = 0, 1, 2, 3 A (2 noise draws per protein),
scored against the true structure: lDDT-Ca, RMSD, TM-score of the input, the refined model and
the non-learned baseline (smoothed distance matrix, re-embedded), in the same run. Also the
triangle-inequality violations of the pair representation before/after the triangle blocks, and
lDDT-Ca of the refined model to its own input at sigma = 0.

Short and long chains (do no harm): contiguous segments of 10-40 residues cut from the
held-out proteins (real coordinates; no whole real chain that short is in the data), and real
chains over 300 residues (1pwc chain A, data/refine/long, and the three longest LDH chains of
data/protein/families), at sigma = 0, 1, 2 A (1 draw each), with the do-no-harm guard and, for
comparison, without it (--no-guard-too). Goal: lDDT-Ca to the input >= 0.98 at sigma 0 on every
chain.

Speed: refine (network + embedding) of a synthetic chain of length L in a fresh process, wall
time and peak RSS; and the triangle blocks' FLOP rate as a fraction of this machine's
float32 matrix-multiply rate measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_MODEL = ROOT / "attnbio" / "weights" / "refine.safetensors"


def load(model_path):
    from attnbio.io.weights import load_weights
    from attnbio.structure.model import load_model

    tensors, card = load_weights(model_path, expect_kind="attnbio.refine")
    return load_model(tensors, card), card


def quality(model, sigmas=(0.0, 1.0, 2.0, 3.0), draws: int = 2, seed: int = 7, smooth: float = 1.0):
    """Per-sigma means over held-out proteins x draws; returns (rows, per-sample records)."""
    from attnbio.structure.data import load_proteins, split
    from attnbio.structure.evaluate import heldout_quality

    _, held = split(load_proteins())
    return heldout_quality(model, held, sigmas, draws, seed, smooth)


SHORT_LENGTHS = (10, 13, 16, 20, 24, 28, 32, 36, 40, 12)
LONG_CHAINS = ("data/refine/long/1pwc.pdb.gz", "data/protein/families/ldh/1i10_E.pdb.gz",
               "data/protein/families/ldh/1pzg_D.pdb.gz", "data/protein/families/ldh/3d5t_C.pdb.gz")


def short_and_long():
    """(short, long) Protein lists: one middle segment per held-out protein (SHORT_LENGTHS), and
    the real chains of LONG_CHAINS."""
    from attnbio.io.structure import read_structure
    from attnbio.structure.data import Protein, load_proteins, split

    _, held = split(load_proteins())
    short = []
    for p, n in zip(held, SHORT_LENGTHS):
        a = (len(p.ca) - n) // 2
        short.append(Protein(f"{p.name}[{a + 1}-{a + n}]", p.sequence[a:a + n], p.ca[a:a + n].copy(),
                             np.zeros(n, dtype=bool)))
    long = []
    for path in LONG_CHAINS:
        c = read_structure(ROOT / path)[0]
        ok = np.isfinite(c.ca).all(axis=1)
        long.append(Protein(Path(path).name.split(".")[0], "".join(np.array(list(c.sequence))[ok]),
                            c.ca[ok].copy(), c.breaks[ok].copy()))
    return short, long


def print_set(title, rows, records):
    print(f"\n### {title}\n")
    print("| sigma (A) | n | lDDT-Ca input | refined | baseline | refined to input (min) | refined fraction (mean) "
          "| kept / blend / refined |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        rs = [x for x in records if x["sigma"] == r["sigma"]]
        modes = [sum(x["mode"] == m for x in rs) for m in ("input_kept", "blend", "refined")]
        print(f"| {r['sigma']:.0f} | {r['n']} | {r['lddt_input']:.3f} | {r['lddt_refined']:.3f} | "
              f"{r['lddt_baseline']:.3f} | {r['lddt_refined_to_input']:.3f} "
              f"({min(x['lddt_refined_to_input'] for x in rs):.3f}) | {r['refined_fraction']:.2f} | "
              f"{modes[0]} / {modes[1]} / {modes[2]} |")


def print_quality(rows):
    print("\n## Quality: held-out proteins (10 dssp50 chains), i.i.d. noise N(0, sigma^2) per coordinate\n")
    print("| sigma (A) | n | lDDT-Ca input | refined | baseline | RMSD input | refined | baseline "
          "| TM input | refined | baseline | tri. violations before -> after (mean) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['sigma']:.0f} | {r['n']} | {r['lddt_input']:.3f} | {r['lddt_refined']:.3f} | "
              f"{r['lddt_baseline']:.3f} | {r['rmsd_input']:.2f} | {r['rmsd_refined']:.2f} | "
              f"{r['rmsd_baseline']:.2f} | {r['tm_input']:.3f} | {r['tm_refined']:.3f} | "
              f"{r['tm_baseline']:.3f} | {r['tri_before']:.0f} -> {r['tri_after']:.0f} "
              f"({100 * r['tri_reduction']:.1f}% fewer) |")
    noisy = [r for r in rows if r["sigma"] > 0]
    if noisy:
        before = sum(r["tri_before"] * r["n"] for r in noisy)
        after = sum(r["tri_after"] * r["n"] for r in noisy)
        print(f"\ntriangle-inequality violations of the pair representation, all noisy inputs "
              f"(sigma > 0, {sum(r['n'] for r in noisy)} structures): {before:.0f} before -> {after:.0f} after "
              f"the triangle blocks ({100 * (1 - after / max(before, 1)):.1f}% fewer)")
    zero = [r for r in rows if r["sigma"] == 0]
    if zero:
        print(f"\nsigma = 0: lDDT-Ca of the refined model to its input = {zero[0]['lddt_refined_to_input']:.3f}")


def synthetic_chain(n: int, seed: int = 0) -> np.ndarray:
    """A compact random C-alpha walk (3.8 A steps) for timing runs."""
    rng = np.random.default_rng(seed)
    steps = rng.normal(size=(n, 3))
    steps = 3.8 * steps / np.linalg.norm(steps, axis=1, keepdims=True)
    x = np.cumsum(steps, axis=0)
    return x * (1.0 + 0 * x)


def _speed_child(model_path: str, n: int, threads: int) -> None:
    """Run in a fresh process: refine one synthetic chain of length n, print JSON."""
    import torch

    from attnbio.structure.refine import auto_chunk, refine_ca

    torch.set_num_threads(threads)
    model, _ = load(model_path)
    ca = synthetic_chain(n)
    seq = "A" * n
    t0 = time.perf_counter()
    res = refine_ca(model, ca, seq, chunk_size=auto_chunk(n))
    total = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # KiB -> GiB
    print(json.dumps({"L": n, "seconds": total, "peak_gib": peak, "ok": bool(np.isfinite(res.ca_refined).all())}))


def matmul_rate(threads: int, size: int = 2048, reps: int = 5) -> float:
    """Measured float32 GEMM rate of this machine (FLOP/s) with `threads` threads."""
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.matmul(a, b)
    t0 = time.perf_counter()
    for _ in range(reps):
        torch.matmul(a, b)
    return 2.0 * size ** 3 * reps / (time.perf_counter() - t0)


def triangle_rate(model, n: int, threads: int) -> tuple[float, float]:
    """(seconds, FLOP/s) of the model's triangle blocks alone on an L=n pair map."""
    import torch

    from attnbio.structure.refine import auto_chunk
    from attnbio.nn.triangle import pair_block_flops

    torch.set_num_threads(threads)
    cfg = model.cfg
    z = torch.randn(1, n, n, cfg.c_z)
    with torch.no_grad():
        model.blocks[0](z, None, auto_chunk(n))
        t0 = time.perf_counter()
        for block in model.blocks:
            z = block(z, None, auto_chunk(n))
        sec = time.perf_counter() - t0
    flops = cfg.n_blocks * pair_block_flops(n, cfg.c_z, cfg.c_mul, cfg.c_att, cfg.n_heads)
    return sec, flops / sec


def speed(model_path, lengths, threads: int):
    rows = []
    for n in lengths:
        cmd = [sys.executable, __file__, "--child", str(n), "--model", str(model_path), "--threads", str(threads)]
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        out = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if out.returncode != 0:
            rows.append({"L": n, "error": out.stderr.strip().splitlines()[-1:]})
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(DEFAULT_MODEL))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lengths", default="64,128,256,300,512,1000")
    ap.add_argument("--quality-only", action="store_true")
    ap.add_argument("--speed-only", action="store_true")
    ap.add_argument("--smooth", type=float, default=1.0, help="baseline smoothing width (residues)")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--no-guard-too", action="store_true",
                    help="short/long chains: also run the raw model without the do-no-harm guard")
    ap.add_argument("--no-extra", action="store_true", help="skip the short and long chains")
    ap.add_argument("--sigmas", default="0,1,2,3", help="held-out noise levels (A)")
    ap.add_argument("--draws", type=int, default=2, help="held-out noise draws per protein and sigma")
    args = ap.parse_args(argv)
    if args.child:
        _speed_child(args.model, args.child, args.threads)
        return
    import torch

    torch.set_num_threads(args.threads)
    model, card = load(args.model)
    print(f"# attnbio refine benchmark  (model sha256 {card.get('sha256', '')[:12]}, "
          f"{args.threads} thread(s), {os.cpu_count()} CPUs visible)")
    if not args.speed_only:
        t0 = time.perf_counter()
        rows, records = quality(model, sigmas=tuple(float(x) for x in args.sigmas.split(",")),
                                draws=args.draws, smooth=args.smooth)
        print_quality(rows)
        zero = [r for r in records if r["sigma"] == 0]
        print(f"sigma = 0, every held-out chain: lDDT-Ca to input min {min(r['lddt_refined_to_input'] for r in zero):.3f}")
        two = [r for r in rows if r["sigma"] == 2]
        if two:
            gain = two[0]["lddt_refined"] - two[0]["lddt_input"]
            print(f"sigma = 2 held-out lDDT-Ca gain {gain:+.3f} (goal >= +0.15: {'met' if gain >= 0.15 else 'NOT met'})")
        if not args.no_extra:
            from attnbio.structure.evaluate import heldout_quality

            short, long = short_and_long()
            worst = []
            for title, chains in ((f"Short chains ({len(short)} segments, 10-40 residues)", short),
                                  (f"Long chains ({len(long)}, {min(len(p.ca) for p in long)}-"
                                   f"{max(len(p.ca) for p in long)} residues)", long)):
                r2, rec2 = heldout_quality(model, chains, sigmas=(0.0, 1.0, 2.0), draws=1, smooth=args.smooth)
                print_set(title + ", do-no-harm guard on", r2, rec2)
                worst += [r["lddt_refined_to_input"] for r in rec2 if r["sigma"] == 0]
                if args.no_guard_too:
                    r3, rec3 = heldout_quality(model, chains, sigmas=(0.0, 1.0, 2.0), draws=1,
                                               smooth=args.smooth, guard=False)
                    print_set(title + ", raw model (guard off)", r3, rec3)
            worst += [r["lddt_refined_to_input"] for r in zero]
            print(f"\nsigma = 0 on every benchmark chain (held-out, short, long): lDDT-Ca to input min "
                  f"{min(worst):.3f} (goal >= 0.98: {'met' if min(worst) >= 0.98 else 'NOT met'})")
        print(f"\n(quality part: {time.perf_counter() - t0:.0f} s)")
    if not args.quality_only:
        lengths = [int(x) for x in args.lengths.split(",") if x]
        peak = matmul_rate(args.threads)
        print(f"\n## Speed ({args.threads} threads): float32 matmul peak measured here: {peak / 1e9:.1f} GFLOP/s\n")
        print("| L | refine wall time (s) | peak RSS (GiB) | triangle blocks (s) | triangle GFLOP/s | fraction of matmul peak |")
        print("|---|---|---|---|---|---|")
        for r in speed(args.model, lengths, args.threads):
            if "error" in r:
                print(f"| {r['L']} | failed: {r['error']} | | | | |")
                continue
            if r["L"] <= 512:
                sec, rate = triangle_rate(model, r["L"], args.threads)
                tri = f"{sec:.2f} | {rate / 1e9:.1f} | {rate / peak:.2f}"
            else:
                tri = " | | "
            print(f"| {r['L']} | {r['seconds']:.1f} | {r['peak_gib']:.2f} | {tri} |")


if __name__ == "__main__":
    main()
