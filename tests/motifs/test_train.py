"""Training restarts (best validation AUROC kept) and the one-line low-AUROC warning."""
from types import SimpleNamespace

import numpy as np
import torch

from attnbio.motifs.model import ModelConfig
from attnbio.motifs.pipeline import low_auroc_warning
from attnbio.motifs.train import TrainConfig, train_model
from tests.motifs.helpers_grammar import A_SITE, put, random_seq


def _tiny_task(seed: int, n: int):
    """n positives with one site each, n random negatives (60 bp) and a one-layer model config."""
    torch.set_num_threads(1)
    rng = np.random.default_rng(seed)
    pos = [put(random_seq(rng, 60), int(rng.integers(0, 50)), A_SITE) for _ in range(n)]
    neg = [random_seq(rng, 60) for _ in range(n)]
    return pos, neg, ModelConfig(d_model=8, n_heads=2, n_layers=1)


def test_restarts_keep_the_start_with_the_best_validation_auroc():
    pos, neg, small = _tiny_task(seed=0, n=60)
    one = train_model(pos, neg, TrainConfig(epochs=2, seed=3), small)
    three = train_model(pos, neg, TrainConfig(epochs=2, seed=3, restarts=3), small)
    vals = three.metrics["start_val_auroc"]
    assert len(vals) == 3 and three.metrics["chosen_start"] == int(np.argmax(vals)) + 1
    assert vals[0] == round(one.metrics["val_auroc"], 6)          # start 1 is the plain run
    assert round(three.metrics["val_auroc"], 6) == max(vals) >= round(one.metrics["val_auroc"], 6)


def test_a_start_run_in_segments_ends_as_one_run_in_one_go():
    from attnbio.motifs.encode import one_hot
    from attnbio.motifs.train import _Start, split_indices

    pos, neg, _ = _tiny_task(seed=2, n=40)
    small = ModelConfig(d_model=8, n_heads=2, n_layers=1, dropout=0.2)   # dropout draws from torch's RNG
    x, mask, _ = one_hot(pos + neg)
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))].astype(np.float32)
    cfg = TrainConfig(epochs=4, seed=1, patience=10)
    split = split_indices(y, cfg.val_fraction, cfg.test_fraction, cfg.seed)

    def start():
        return _Start(x, mask, y, split, cfg, small, 7, "cpu", None, "", 0.0, None, "training")

    whole, parts = start(), start()
    whole.run(4)
    parts.run(1)
    torch.manual_seed(123)          # the caller's RNG between segments must not matter
    torch.rand(5)
    parts.run(4)
    assert [h["loss"] for h in whole.history] == [h["loss"] for h in parts.history]
    a, b = whole.finish()[0].state_dict(), parts.finish()[0].state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_probe_continues_only_the_best_start():
    pos, neg, small = _tiny_task(seed=0, n=60)
    r = train_model(pos, neg, TrainConfig(epochs=4, seed=3, restarts=3, probe_epochs=1, patience=10), small)
    vals, chosen = r.metrics["start_val_auroc"], r.metrics["chosen_start"]
    assert r.metrics["probe_epochs"] == 1 and r.metrics["epochs_run"] == 4
    others = [v for i, v in enumerate(vals) if i != chosen - 1]
    assert vals[chosen - 1] == round(r.metrics["val_auroc"], 6)
    assert round(r.history[0]["val_auroc"], 6) >= max(others)    # chosen on its first epoch


def test_low_held_out_auroc_gives_one_line_saying_what_to_try():
    req = SimpleNamespace(epochs=40, restarts=1)
    line = low_auroc_warning({"test_auroc": 0.795}, req)
    assert line.startswith("warning: held-out AUROC 0.795") and "\n" not in line
    assert "--epochs 80" in line and "--restarts 3" in line
    assert low_auroc_warning({"test_auroc": 0.95}, req) is None


def test_shift_batch_moves_sites_keeping_their_spacing_and_fills_n():
    from attnbio.motifs.encode import one_hot
    from attnbio.motifs.train import shift_batch

    x = torch.from_numpy(one_hot(["ACGTTTACGG", "GGGGACCCCA"])[0])
    right, left = shift_batch(x, 3), shift_batch(x, -2)
    assert torch.equal(shift_batch(x, 0), x)
    assert torch.equal(right[:, 3:], x[:, :-3]) and not right[:, :3].any()      # N at the left end
    assert torch.equal(left[:, :-2], x[:, 2:]) and not left[:, -2:].any()       # N at the right end


def test_shift_augmentation_changes_training_only_when_asked():
    pos, neg, small = _tiny_task(seed=1, n=40)
    runs = [train_model(pos, neg, TrainConfig(epochs=2, seed=0, max_shift=s), small) for s in (0, 0, 4)]
    losses = [[h["loss"] for h in r.history] for r in runs]
    assert losses[0] == losses[1] and losses[2] != losses[0]


def test_cli_api_and_pipeline_train_for_the_same_default_epochs():
    import inspect

    from attnbio import api
    from attnbio.commands.motifs import command
    from attnbio.motifs.pipeline import MotifsRequest

    cli = next(p.default for p in command.params if p.name == "epochs")
    assert cli == inspect.signature(api.find_motifs).parameters["epochs"].default == \
        MotifsRequest.__dataclass_fields__["epochs"].default == TrainConfig().epochs
