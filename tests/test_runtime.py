"""attnbio.runtime: threads (SLURM, affinity), device resolution and seeding, directly."""
import os
import random

import numpy as np
import pytest
import torch

from attnbio import runtime
from attnbio.errors import InputError


@pytest.fixture
def keep_threads():
    n = torch.get_num_threads()
    yield
    torch.set_num_threads(n)


def test_default_threads_honours_slurm_then_the_affinity_mask(monkeypatch):
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "7")
    assert runtime.default_threads() == 7
    mask = len(os.sched_getaffinity(0))
    for bad in ("0", "", "two", "-3"):             # not a positive count: the affinity mask decides
        monkeypatch.setenv("SLURM_CPUS_PER_TASK", bad)
        assert runtime.default_threads() == mask
    monkeypatch.delenv("SLURM_CPUS_PER_TASK")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    assert runtime.default_threads() == 3


def test_set_threads_sets_torch_and_defaults_to_default_threads(monkeypatch, keep_threads):
    assert runtime.set_threads(3) == 3 and torch.get_num_threads() == 3
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "2")
    assert runtime.set_threads(None) == 2 and torch.get_num_threads() == 2
    with pytest.raises(InputError, match="at least 1"):
        runtime.set_threads(-1)
    assert torch.get_num_threads() == 2                # a refused value changes nothing


def test_resolve_device(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert runtime.resolve_device("auto") == torch.device("cpu")
    assert runtime.resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(InputError, match="no CUDA device"):
        runtime.resolve_device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert runtime.resolve_device("auto") == torch.device("cuda")
    assert runtime.resolve_device("cuda") == torch.device("cuda")


def _draws():
    return random.random(), float(np.random.rand()), torch.rand(3).tolist()


def test_seed_everything_repeats_python_numpy_and_torch_draws():
    runtime.seed_everything(5)
    first = _draws()
    runtime.seed_everything(5)
    assert _draws() == first
    runtime.seed_everything(6)
    assert _draws() != first
    runtime.seed_everything(2**32 + 5)                 # NumPy takes the seed modulo 2**32
    assert _draws()[1] == first[1]
