"""Training restarts (best validation AUROC kept) and the one-line low-AUROC warning."""
from types import SimpleNamespace

import numpy as np
import torch

from attnbio.motifs.model import ModelConfig
from attnbio.motifs.pipeline import low_auroc_warning
from attnbio.motifs.train import TrainConfig, train_model
from tests.motifs.helpers_grammar import A_SITE, put, random_seq


def test_restarts_keep_the_start_with_the_best_validation_auroc():
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    pos = [put(random_seq(rng, 60), int(rng.integers(0, 50)), A_SITE) for _ in range(60)]
    neg = [random_seq(rng, 60) for _ in range(60)]
    small = ModelConfig(d_model=8, n_heads=2, n_layers=1)
    one = train_model(pos, neg, TrainConfig(epochs=2, seed=3), small)
    three = train_model(pos, neg, TrainConfig(epochs=2, seed=3, restarts=3), small)
    vals = three.metrics["start_val_auroc"]
    assert len(vals) == 3 and three.metrics["chosen_start"] == int(np.argmax(vals)) + 1
    assert vals[0] == round(one.metrics["val_auroc"], 6)          # start 1 is the plain run
    assert round(three.metrics["val_auroc"], 6) == max(vals) >= round(one.metrics["val_auroc"], 6)


def test_low_held_out_auroc_gives_one_line_saying_what_to_try():
    req = SimpleNamespace(epochs=40, restarts=1)
    line = low_auroc_warning({"test_auroc": 0.795}, req)
    assert line.startswith("warning: held-out AUROC 0.795") and "\n" not in line
    assert "--epochs 80" in line and "--restarts 3" in line
    assert low_auroc_warning({"test_auroc": 0.95}, req) is None
