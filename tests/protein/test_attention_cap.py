"""The attention cap (attnbio.protein.attention_cap): chosen out of fold, applied in combine, read
from the card, and inner models checked when an ensemble is joined."""
import numpy as np
import pytest
import torch

from attnbio.errors import InputError
from attnbio.io.weights import save_weights
from attnbio.protein.attention_cap import ScoredChain, choose_cap, without_fold
from attnbio.protein.model import ProteinAttentionModel, build_model, predict_full, read_cap

SMALL = {"dim": 16, "heads": 4, "layers": 1}
SEQ = "MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQWCNPDAGHKLMNPQRSTVWY"


def _chains(informative: str, n_chains=6, n=60, seed=0):
    """Chains whose contacts follow `informative` ('full' or 'prior'); the other is noise."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n_chains):
        truth = rng.random((n, n)) < 0.05
        truth = truth | truth.T
        signal = truth + 0.3 * rng.random((n, n))
        noise = rng.random((n, n))
        full, prior = (signal, noise) if informative == "full" else (noise, signal)
        out.append(ScoredChain(f"c{k}", f"u{k // 2}", full, prior, truth, np.ones((n, n), bool)))
    return out


def test_cap_follows_whichever_term_ranks_out_of_fold_contacts():
    cap, scores = choose_cap(_chains("prior"))
    assert cap == 0.0 and scores[0.0] > scores[1.0]
    cap, scores = choose_cap(_chains("full"))   # several caps rank perfectly: the smallest of them
    assert cap >= 0.5 and scores[cap] == max(scores.values()) == scores[1.0] > scores[0.0]
    with pytest.raises(ValueError):
        choose_cap([])


def test_ties_go_to_the_smaller_cap():
    same = [ScoredChain(c.id, c.unit, c.prior, c.prior, c.contacts, c.valid) for c in _chains("prior")]
    assert choose_cap(same)[0] == 0.0


def test_combine_with_cap_zero_is_the_prior_and_the_card_carries_the_cap(tmp_path):
    torch.manual_seed(0)
    model = ProteinAttentionModel(**SMALL)
    plain = predict_full(model, SEQ)
    assert not np.allclose(plain["prob"], plain["prior_prob"])
    model.attention_cap = 0.0
    capped = predict_full(model, SEQ)
    np.testing.assert_allclose(capped["prob"], 0.5 * (plain["prior_prob"] + plain["prior_prob"].T))
    assert capped["weight"] == 0.0 and capped["agreement_weight"] == 1.0
    model.attention_cap = 0.4
    r = predict_full(model, SEQ)
    mix = 0.4 * plain["full_prob"] + 0.6 * plain["prior_prob"]
    np.testing.assert_allclose(r["prob"], 0.5 * (mix + mix.T), rtol=1e-6)
    card = {"kind": "attnbio.protein", "config": model.config, "attention_cap": {"value": 0.4}}
    assert build_model(card).attention_cap == 0.4
    assert not hasattr(build_model({"kind": "attnbio.protein", "config": model.config}), "attention_cap")


@pytest.mark.parametrize("entry", [{"value": 1.5}, {"value": "x"}, {}, None, {"value": float("nan")}])
def test_a_malformed_cap_is_a_one_line_error(entry):
    with pytest.raises(InputError, match="attention_cap"):
        read_cap(entry)


def test_without_fold_leaves_out_exactly_that_fold():
    folds = {"a": 1, "b": 2, "c": 3, "fam/x": 2, "fam/y": 3}
    assert without_fold(["a", "b", "c"], ["fam/x", "fam/y"], 2, folds) == (["a", "c"], ["fam/y"])


def test_protein_ensemble_refuses_a_model_that_is_not_an_inner_model(tmp_path):
    from attnbio.protein.ensemble import load_inner

    torch.manual_seed(0)
    model = ProteinAttentionModel(**SMALL)
    path = tmp_path / "m.safetensors"
    save_weights(path, dict(model.state_dict()),
                 {"kind": "attnbio.protein", "config": model.config, "data": {"validation_ids": ["a"]}})
    with pytest.raises(InputError, match="not an inner model"):
        load_inner([str(path)], {"data": {"validation_ids": ["a"]}})
    save_weights(path, dict(model.state_dict()),
                 {"kind": "attnbio.protein", "config": model.config,
                  "data": {"validation_ids": ["b"], "without_fold": 2}})
    with pytest.raises(InputError, match="another split"):
        load_inner([str(path)], {"data": {"validation_ids": ["a"]}})


def test_train_protein_refuses_an_unknown_fold(tmp_path):
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "attnbio.cli", "train", "protein", "--without-fold", "9",
                          "--epochs", "1", "-o", str(tmp_path / "m.safetensors")], capture_output=True, text=True)
    assert res.returncode == 2, res.stderr
    assert "--without-fold 9" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "m.safetensors").exists()


def test_out_of_fold_head_data_takes_each_chain_from_the_model_that_did_not_see_it():
    from attnbio.protein.data import load_dssp50
    from attnbio.protein.head import chain_data, out_of_fold_chain_data

    examples = load_dssp50(["1ahsA", "1dx5I"])
    models = []
    for seed, seen in ((0, ["1ahsA"]), (1, ["1dx5I"])):
        torch.manual_seed(seed)
        models.append((ProteinAttentionModel(**SMALL), {"data": {"train_ids": seen}}))
    got = {c.id: c for c in out_of_fold_chain_data(models, examples)}
    assert sorted(got) == ["1ahsA", "1dx5I"]
    np.testing.assert_allclose(got["1dx5I"].raw, chain_data([models[0][0]], examples[1:])[0].raw)
    np.testing.assert_allclose(got["1ahsA"].raw, chain_data([models[1][0]], examples[:1])[0].raw)
    both = [(m, {"data": {"train_ids": ["1ahsA", "1dx5I"]}}) for m, _ in models]
    assert out_of_fold_chain_data(both, examples) == []


def test_a_contact_head_gets_the_agreement_weight_not_the_cap():
    from attnbio.protein.head import HEAD_FEATURES, N_PAIRS, ContactHead

    torch.manual_seed(0)
    model = ProteinAttentionModel(**SMALL)
    f = len(HEAD_FEATURES)
    coef = np.zeros(f)
    coef[HEAD_FEATURES.index("attention")] = 2.0
    model.contact_head = ContactHead(HEAD_FEATURES, np.zeros(f), np.ones(f), coef, np.zeros(N_PAIRS + 1), -3.0, 1e-3)
    model.attention_cap = 0.0
    r = predict_full(model, SEQ)
    assert r["weight"] == r["agreement_weight"] == 1.0
    np.testing.assert_allclose(r["prob"], model.contact_head.prob(SEQ, r["attention_term"], 1.0, r["ss"]))
