"""Model-quality checks on the held-out proteins (slow: run by `make bench`, not by `make test`)."""
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))


@pytest.fixture(scope="module")
def bundled():
    from attnbio.protein.pipeline import BUNDLED
    from attnbio.io.weights import load_weights
    from attnbio.protein.model import build_model

    tensors, card = load_weights(BUNDLED, expect_kind="attnbio.protein")
    m = build_model(card)
    m.load_state_dict(tensors)
    return m, card


@pytest.fixture(scope="module")
def validation():
    from attnbio.protein.data import load_dssp50, split_ids

    return load_dssp50(split_ids()[1])


def _lenses(model, validation):
    from protein_contacts import lens_table, to_proteins

    rows = lens_table(model, to_proteins(validation))
    for r in rows:
        if r["lens"]:
            assert r[r["lens"] + "_q"] < 0.01 and r["lens_enrichment"] > 1
    return {r["lens"] for r in rows if r["lens"]}


def test_card_matches_split_and_weights(bundled):
    from attnbio.protein.pipeline import BUNDLED
    from attnbio.io.weights import sha256_file
    from attnbio.protein.data import split_ids

    _, card = bundled
    train_ids, val_ids = split_ids()
    assert card["data"]["validation_ids"] == val_ids
    assert card["data"]["train_ids"] == train_ids
    assert card["sha256"] == sha256_file(BUNDLED)


def test_heldout_long_range_twice_kyte_doolittle(bundled, validation):
    from attnbio.protein.train import evaluate

    m = evaluate(bundled[0], validation)
    assert m["model"]["long_P@L/5"] >= 2 * m["kd_sum"]["long_P@L/5"]
    assert m["model"]["long_P@L/5"] > 2 * m["random"]["long_P@L/5"]


def test_three_distinct_lenses(bundled, validation):
    assert len(_lenses(bundled[0], validation)) >= 3


def test_same_lenses_after_retraining_with_seed_1(bundled, validation):
    from attnbio.protein.train import train

    other, _ = train(seed=1)
    shared = _lenses(bundled[0], validation) & _lenses(other, validation)
    assert len(shared) >= 3, shared
