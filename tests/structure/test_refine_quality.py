"""Model-quality acceptance on held-out proteins (slow: run by `make bench`, not by `make test`)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))


@pytest.mark.slow
def test_heldout_acceptance():
    import torch

    import refine as bench

    torch.set_num_threads(2)
    model, _ = bench.load(bench.DEFAULT_MODEL)
    rows, _ = bench.quality(model, sigmas=(0.0, 2.0), draws=1)
    zero, two = rows
    assert zero["lddt_refined_to_input"] >= 0.95
    assert two["lddt_refined"] - two["lddt_input"] >= 0.10
    assert two["lddt_refined"] > two["lddt_baseline"]
