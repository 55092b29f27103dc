"""Threads, devices and seeds: the run-time settings every command shares."""
from __future__ import annotations

import os
import random

from attnbio.errors import InputError


def default_threads() -> int:
    """CPUs this process may use: SLURM_CPUS_PER_TASK if set, else the CPU affinity mask."""
    slurm = os.environ.get("SLURM_CPUS_PER_TASK", "")
    if slurm.isdigit() and int(slurm) > 0:
        return int(slurm)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS has no affinity call
        return max(1, os.cpu_count() or 1)


def set_threads(threads: int | None) -> int:
    """Make torch use `threads` intra-op threads (default: default_threads()); returns it."""
    import torch

    n = threads or default_threads()
    if n < 1:
        raise InputError(f"--threads must be at least 1, got {n}")
    torch.set_num_threads(n)
    return n


def resolve_device(name: str):
    """'auto' -> cuda if available else cpu; 'cuda' without a GPU is a user error."""
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda was asked for, but no CUDA device is available here")
    return torch.device(name)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch so that a run on CPU repeats bit for bit."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
