"""Protein ensembles: contacts are the members' mean, heads the first member's; joining checks."""
import numpy as np
import pytest
import torch

from attnbio.errors import InputError
from attnbio.io.weights import load_weights, save_weights
from attnbio.protein.ensemble import join
from attnbio.protein.model import ProteinAttentionModel, ProteinEnsemble, build_model, predict

SMALL = {"dim": 16, "heads": 4, "layers": 1}
SEQ = "MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQ"


def _member(tmp_path, seed, split=("a", "b")):
    torch.manual_seed(seed)
    model = ProteinAttentionModel(**SMALL)
    path = tmp_path / f"m{seed}.safetensors"
    card = {"kind": "attnbio.protein", "config": model.config, "seed": seed,
            "data": {"validation_ids": list(split)}}
    save_weights(path, dict(model.state_dict()), card)
    return path, model


def test_ensemble_contacts_are_the_weighted_mean_and_heads_the_first_member(tmp_path):
    from attnbio.protein.model import predict_full

    (p0, m0), (p1, m1) = _member(tmp_path, 0), _member(tmp_path, 1)
    ens, card = join([p0, p1])
    prob, attn, ss = predict(ens, SEQ)
    (a, att0, s0), (b, _, s1) = predict(m0, SEQ), predict(m1, SEQ)
    assert not np.allclose(a, b)
    r0, r1, r = predict_full(m0, SEQ), predict_full(m1, SEQ), predict_full(ens, SEQ)
    assert r0["weight"] == 1.0  # a single model: the attention term always counts
    w = r["weight"]
    expected = w * (r0["full_prob"] + r1["full_prob"]) / 2 + (1 - w) * (r0["prior_prob"] + r1["prior_prob"]) / 2
    np.testing.assert_allclose(prob, 0.5 * (expected + expected.T), rtol=1e-6)
    np.testing.assert_array_equal(attn, att0)
    np.testing.assert_allclose(ss, (s0 + s1) / 2, rtol=1e-6)
    assert [m["seed"] for m in card["members"]] == [0, 1] and ens.config == m0.config


def test_an_ensemble_file_loads_back_through_build_model(tmp_path):
    ens, card = join([_member(tmp_path, 0)[0], _member(tmp_path, 1)[0]])
    path = tmp_path / "ens.safetensors"
    save_weights(path, dict(ens.state_dict()), card)
    tensors, card2 = load_weights(path, expect_kind="attnbio.protein")
    model = build_model(card2)
    model.load_state_dict(tensors)
    assert isinstance(model, ProteinEnsemble) and len(model.members) == 2
    np.testing.assert_allclose(predict(model, SEQ)[0], predict(ens, SEQ)[0], rtol=1e-6)


def test_members_from_another_split_or_an_ensemble_are_refused(tmp_path):
    p0, _ = _member(tmp_path, 0)
    p1, _ = _member(tmp_path, 1, split=("a", "c"))
    with pytest.raises(InputError, match="another split"):
        join([p0, p1])
    ens, card = join([p0, _member(tmp_path, 2)[0]])
    path = tmp_path / "ens.safetensors"
    save_weights(path, dict(ens.state_dict()), card)
    with pytest.raises(InputError, match="already an ensemble"):
        join([path, p0])
