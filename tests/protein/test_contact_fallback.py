"""Where attention carries nothing, the contacts fall back to the sequence prior: never below
the Kyte-Doolittle ranking. Real structure: 1bvyF (a dssp50 chain held out from the bundled
model's training, copied into tests/data/protein)."""
from pathlib import Path

import numpy as np
import pytest
import torch

PDB = Path(__file__).resolve().parents[1] / "data" / "protein" / "1bvyF.pdb.gz"


@pytest.fixture(scope="module")
def setup():
    from attnbio.protein.pipeline import BUNDLED
    from attnbio.io.structure import read_structure
    from attnbio.io.weights import load_weights
    from attnbio.protein.model import build_model, predict_full
    from attnbio.protein.scales import contact_map

    torch.set_num_threads(1)
    tensors, card = load_weights(BUNDLED, expect_kind="attnbio.protein")
    model = build_model(card)
    model.load_state_dict(tensors)
    chain = read_structure(PDB)[0]
    return model, chain.sequence, contact_map(chain.cb), predict_full(model, chain.sequence)


def _long_range(scores, truth, tie_breaks=1):
    from attnbio.protein.analyze import precision_at

    rng = np.random.default_rng(0)
    return [np.mean([precision_at(scores, truth, 24, None, k, rng=rng) for _ in range(tie_breaks)])
            for k in (1, 5)]


def test_shuffled_attention_ranks_contacts_at_least_as_well_as_kyte_doolittle(setup):
    from attnbio.protein.model import combine
    from attnbio.protein.scales import kd_pair_score

    model, seq, truth, real = setup
    rng = np.random.default_rng(1)
    shuffled = []
    for a in real["attentions"]:   # every head's map shuffled: no information left
        a = a.copy()
        for layer in range(a.shape[0]):
            for h in range(a.shape[1]):
                a[layer, h] = rng.permutation(a[layer, h].ravel()).reshape(a.shape[2:])
        shuffled.append(a)
    kd_l, kd_l5 = _long_range(kd_pair_score(seq), truth, tie_breaks=20)
    # the members' blend without an attention cap (agreement alone must take attention out) and with one
    for cap in (1.0, 0.1):
        out = combine(list(model.members), seq, shuffled, cap=cap)
        assert out["agreement_weight"] < 0.2 <= real["agreement_weight"]
        assert out["weight"] == pytest.approx(cap * out["agreement_weight"])
        p_l, p_l5 = _long_range(out["prob"], truth)
        assert p_l >= kd_l and p_l5 >= kd_l5, (cap, p_l, kd_l, p_l5, kd_l5)


def test_real_attention_reported_and_calibrated_range(setup):
    _, seq, _, real = setup
    assert np.isfinite(real["agreement"]) and 0 <= real["weight"] <= 1
    assert ((real["prob"] > 0) & (real["prob"] < 1)).all()


def test_bundled_contact_head_with_shuffled_attention_ranks_at_least_as_well_as_kyte_doolittle(setup):
    """The bundled model ranks by its stacked head (fitted on out-of-fold attention): with every
    map shuffled the agreement weight takes the attention features out, and the rest of the head
    still ranks 1bvyF's long-range contacts at least as well as Kyte-Doolittle."""
    from attnbio.protein.model import combine
    from attnbio.protein.scales import kd_pair_score

    model, seq, truth, real = setup
    assert model.contact_head.uses_attention
    rng = np.random.default_rng(1)
    shuffled = [np.stack([np.stack([rng.permutation(m.ravel()).reshape(m.shape) for m in layer])
                          for layer in a]) for a in real["attentions"]]
    out = combine(list(model.members), seq, shuffled, head=model.contact_head, ss=real["ss"])
    assert out["weight"] < 0.2 <= real["weight"]
    p_l, p_l5 = _long_range(out["prob"], truth)
    kd_l, kd_l5 = _long_range(kd_pair_score(seq), truth, tie_breaks=20)
    assert p_l >= kd_l and p_l5 >= kd_l5, (p_l, kd_l, p_l5, kd_l5)


def test_stacked_head_with_shuffled_attention_ranks_at_least_as_well_as_kyte_doolittle(setup):
    """A stacked contact head fitted here on in-sample attention (12 of the bundled members'
    training chains, for speed): shuffled maps get a weight near 0, which takes the attention
    features out, and what is left still ranks long-range contacts >= Kyte-Doolittle."""
    from attnbio.protein.data import load_dssp50
    from attnbio.protein.head import chain_data, fit_contact_head
    from attnbio.protein.model import combine
    from attnbio.protein.scales import kd_pair_score
    from attnbio.io.weights import load_weights
    from attnbio.protein.pipeline import BUNDLED

    model, seq, truth, real = setup
    train_ids = load_weights(BUNDLED, expect_kind="attnbio.protein")[1]["data"]["train_ids"]
    head = fit_contact_head(chain_data(list(model.members), load_dssp50(train_ids[:12])), lambdas=(1e-3,))
    assert head.uses_attention
    rng = np.random.default_rng(1)
    shuffled = [np.stack([np.stack([rng.permutation(m.ravel()).reshape(m.shape) for m in layer])
                          for layer in a]) for a in real["attentions"]]
    out = combine(list(model.members), seq, shuffled, head=head, ss=real["ss"])
    assert out["weight"] < 0.2
    p_l, p_l5 = _long_range(out["prob"], truth)
    kd_l, kd_l5 = _long_range(kd_pair_score(seq), truth, tie_breaks=20)
    assert p_l >= kd_l and p_l5 >= kd_l5, (p_l, kd_l, p_l5, kd_l5)
