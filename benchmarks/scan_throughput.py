"""Throughput and peak memory of `attnbio scan` (streaming) against reading everything at once.

For each sequence length and count, a random ACGT FASTA is written to --tmp (kept for reruns),
then each mode runs in its own process and its peak resident memory (ru_maxrss) and wall time
are measured:

  stream    `attnbio scan --model M FASTA -o OUT` (fixed batches, results written as they come)
  in-memory the way `attnbio motifs` reads its input: every record in a list, one one-hot array
            of all of them, both-strand logits and per-head attention profiles for all of them,
            then the same per-head peaks; it writes nothing

Wall time includes starting Python and loading the model (a few seconds). Runs whose in-memory
arrays would not fit in --mem-limit-gb are skipped and reported as such; nothing is extrapolated.

    python benchmarks/scan_throughput.py                        # full grid (slow: hours on 1 core)
    python benchmarks/scan_throughput.py --lengths 200 --counts 10000,100000 --threads 1
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()


def write_fasta(path: Path, n: int, length: int, seed: int = 0) -> None:
    """n random ACGT sequences of `length` bp, written in blocks (memory flat in n)."""
    if path.is_file():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"ACGT", np.uint8)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        for a in range(0, n, 10_000):
            k = min(10_000, n - a)
            seqs = letters[rng.integers(0, 4, size=(k, length))]
            fh.write(b"".join(b">s%d\n%s\n" % (a + i, seqs[i].tobytes()) for i in range(k)))
    tmp.replace(path)


SMALL = {"d_model": 16, "n_heads": 2, "n_layers": 1}


def make_model(path: Path, small: bool = False) -> Path:
    """The default `attnbio motifs` architecture (or SMALL) with seeded random weights (speed
    does not depend on the weights); used when no trained model is given."""
    if not path.is_file():
        import torch

        from attnbio.motifs.model import ModelConfig, MotifAttentionModel, save_model

        path.parent.mkdir(parents=True, exist_ok=True)
        torch.manual_seed(0)
        cfg = ModelConfig(**SMALL) if small else ModelConfig()
        save_model(path, MotifAttentionModel(cfg).eval(), {"note": "random weights, benchmark only"})
    return path


def measure(cmd: list[str], env: dict) -> tuple[float, float, int]:
    """Run cmd -> (wall seconds, peak RSS in MB, exit status)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.stderr.write(proc.stderr.read().decode()[-2000:])
    return wall, usage.ru_maxrss / 1024, proc.returncode


def in_memory(fasta: str, model_path: str, threads: int) -> None:
    """The baseline: everything in memory at once (attnbio.motifs.pipeline style)."""
    import torch

    from attnbio.io.fasta import read_all
    from attnbio.motifs.discover import attention_profiles
    from attnbio.motifs.encode import one_hot
    from attnbio.motifs.model import load_model
    from attnbio.motifs.train import predict

    torch.set_num_threads(threads)
    model, _ = load_model(model_path)
    records = read_all(fasta)
    x, mask, _ = one_hot([r.sequence for r in records], max_length=1000)
    logits = predict(model, x, mask, batch_size=64)
    prof = attention_profiles(model, x, mask, batch_size=64)
    peak = prof.max(axis=2)
    assert len(logits) == len(peak) == len(records)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lengths", default="200,1000")
    ap.add_argument("--counts", default="10000,100000,1000000")
    ap.add_argument("--model", default=None, help="trained model (default: random weights, default architecture)")
    ap.add_argument("--small", action="store_true",
                    help=f"random model of a small architecture {SMALL}: memory runs to 1M sequences in minutes")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--tmp", default="/tmp/attnbio_scan_bench")
    ap.add_argument("--mem-limit-gb", type=float, default=8.0,
                    help="skip in-memory runs whose arrays alone would need more than this")
    ap.add_argument("--modes", default="stream,in-memory")
    ap.add_argument("--in-memory-run", nargs=2, metavar=("FASTA", "MODEL"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.in_memory_run:
        in_memory(*args.in_memory_run, args.threads)
        return
    tmp = Path(args.tmp)
    model = (Path(args.model) if args.model else
             make_model(tmp / ("small_model.safetensors" if args.small else "default_model.safetensors"), args.small))
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    attnbio = str(Path(sys.executable).parent / "attnbio")
    from attnbio.io.weights import load_weights

    arch = load_weights(model)[1].get("architecture", {})
    print(f"# model {model.name} (d_model {arch.get('d_model')}, {arch.get('n_layers')} layers x "
          f"{arch.get('n_heads')} heads), {args.threads} thread(s), batch 64; wall time includes start-up")
    print("length_bp\tsequences\tmode\twall_s\tseq_per_s\tpeak_rss_mb")
    for length in map(int, args.lengths.split(",")):
        for n in map(int, args.counts.split(",")):
            fasta = tmp / f"random_{length}bp_{n}.fa"
            write_fasta(fasta, n, length)
            for mode in args.modes.split(","):
                if mode == "stream":
                    out = tmp / f"out_{model.stem}_{length}_{n}"
                    cmd = [attnbio, "-q", "scan", "--model", str(model), str(fasta), "-o", str(out),
                           "--threads", str(args.threads)]
                else:
                    # one-hot float32 (N, L, 4) plus profiles (N, heads, L/4) float32
                    need_gb = n * length * 4 * 4 / 1e9 + n * 8 * (length // 4) * 4 / 1e9
                    if need_gb > args.mem_limit_gb:
                        print(f"{length}\t{n}\t{mode}\tnot run: needs > {need_gb:.1f} GB\t\t", flush=True)
                        continue
                    cmd = [sys.executable, str(HERE), "--threads", str(args.threads), "--in-memory-run",
                           str(fasta), str(model)]
                wall, rss, code = measure(cmd, env)
                status = "" if code == 0 else f" (exit {code})"
                print(f"{length}\t{n}\t{mode}{status}\t{wall:.1f}\t{n / wall:.0f}\t{rss:.0f}", flush=True)


if __name__ == "__main__":
    main()
