import numpy as np
import torch

from attnbio.protein.model import ProteinAttentionModel, encode, predict, relative_buckets, symmetrize_apc


def test_shapes_symmetry_and_sink():
    torch.manual_seed(0)
    m = ProteinAttentionModel(dim=16, heads=4, layers=2)
    prob, attn, ss = predict(m, "MKVLAAGIVGLLLAW")
    assert prob.shape == (15, 15) and attn.shape == (2, 4, 15, 15) and ss.shape == (15, 3)
    np.testing.assert_allclose(prob, prob.T)
    rows = attn.sum(-1)
    assert (rows <= 1 + 1e-5).all() and (rows > 0.5).all()  # the rest went to the null key
    np.testing.assert_allclose(ss.sum(-1), 1, atol=1e-5)


def test_relative_buckets_exact_near_log_far():
    b = relative_buckets(600, 32, 8)
    centre = 32 + 8
    assert b[0, 0] == centre and b[0, 5] == centre + 5 and b[5, 0] == centre - 5
    assert b[0, 33] > b[0, 32] and b[0, 599] <= 2 * centre and b[599, 0] >= 0


def test_symmetrize_apc_matches_numpy():
    from attnbio.protein.analyze import apc

    a = torch.rand(2, 7, 7, dtype=torch.float64)
    ours = symmetrize_apc(a).numpy()
    np.testing.assert_allclose(ours, apc((a + a.transpose(-1, -2)).numpy()), atol=1e-12)


def test_encode_unknown_letters():
    assert encode("AZ").tolist() == [0, 20]


def test_one_training_step_lowers_contact_loss():
    from attnbio.protein.data import Example
    from attnbio.protein.train import DEFAULT_TRAINING, _loss

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    seq = "".join(rng.choice(list("ACDEFGHIKLMNPQRSTVWY"), 40))
    cb = np.cumsum(rng.normal(size=(40, 3)) * 2.0, axis=0)
    from attnbio.protein.scales import contact_map
    ex = Example("toy", seq, cb, contact_map(cb), None, "test")
    m = ProteinAttentionModel(dim=16, heads=4, layers=1, dropout=0.0)
    cfg = dict(DEFAULT_TRAINING, mask_rate=0.0)
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    first = None
    for _ in range(30):
        loss = _loss(m, ex, cfg, torch.Generator().manual_seed(0))
        first = first if first is not None else float(loss)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss) < 0.8 * first


def test_descriptor_inputs_scale_and_hide_masked_residues():
    from attnbio.protein.model import MASK_INDEX, VOCAB

    m = ProteinAttentionModel(descriptors=True, descriptor_windows="3")
    hyd = m.desc_table[:, 0]
    assert hyd[VOCAB.index("I")] > hyd[VOCAB.index("A")] > hyd[VOCAB.index("R")]
    assert m.desc_table[VOCAB.index("X")].abs().sum() == 0
    assert m.desc_table[MASK_INDEX].abs().sum() == 0
    tokens = encode("IRIRIRI")
    masked = tokens.clone()
    masked[3] = MASK_INDEX
    d, dm = m._descriptors(tokens), m._descriptors(masked)
    assert d.shape == (7, 10)
    assert dm[3, :5].abs().sum() == 0  # the masked residue's own scales are hidden
    # Window of 3 at the first residue averages the two residues that exist.
    torch.testing.assert_close(d[0, 5:], (d[0, :5] + d[1, :5]) / 2)
    assert "desc_table" not in m.state_dict()  # derived from scales.py, not stored


def test_prior_features_and_calibration_fit():
    from attnbio.protein.model import PRIOR_FEATURES, calibrated, prior_features, range_index
    from attnbio.protein.train import platt

    f = prior_features(encode("IIIIRRRRRRRRRRRRRRRRRRRRRRRRRRRR"))
    assert f.shape == (32, 32, len(PRIOR_FEATURES))
    assert f[0, 1, 0] > 0 > f[10, 20, 0]            # I+I hydrophobic, R+R not
    assert f[0, 30, 6] == 1 and f[0, 20, 6] == 0 and f[0, 8, 5] == 0 and f[0, 15, 5] == 1
    assert range_index(30)[0, 5].item() == 0 and range_index(30)[0, 12] == 1 and range_index(30)[0, 24] == 2
    rng = np.random.default_rng(0)
    x = rng.normal(size=20000)
    y = rng.random(20000) < 1 / (1 + np.exp(-(0.5 * x - 1.0)))
    a, b = platt(x, y)
    assert abs(a - 0.5) < 0.05 and abs(b + 1.0) < 0.05
    cal = np.array([[a, b]] * 3)
    np.testing.assert_allclose(calibrated(np.zeros((4, 4)), cal), 1 / (1 + np.exp(-b)))


def test_uninformative_attention_gets_no_weight():
    """Members whose attention maps are shuffled disagree: the contacts become the prior's."""
    from attnbio.protein.model import combine, predict_full

    torch.manual_seed(0)
    members = [ProteinAttentionModel(dim=16, heads=4, layers=1) for _ in range(3)]
    with torch.no_grad():
        for m in members:  # make every member's contact term read the maps the same way
            m.contact.weight.copy_(members[0].contact.weight)
    seq = "MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQFEVVHSLAKWKRQTLGQHDFSAGEGLYTHMKALRPDEDRLSPLHSVYVDQWDWERVMGDGERQFSTLKSTVEAIWAGIKATEAAVSEEFGLAPFLPDQIHFVHSQELLSRYPDLDAKGRERAIAKDLGAVFLVGIGGKLSDGHRHDVRAPDYDDWSTPSELGHAGLNGDILVWNPVLEDAFELSSMGIRVDADTLKHQLALTGDEDRLELEWHQALLRGEMPQTIGGGIGQSRLTMLLLQLPHIGQVQAGVWPAACRESGFPSQLASR"
    real = predict_full(members[0], seq)
    assert real["weight"] == 1.0
    rng = np.random.default_rng(1)
    attns = []
    for m in members:
        a = predict_full(m, seq)["attention"].copy()
        for layer in range(a.shape[0]):
            for h in range(a.shape[1]):
                a[layer, h] = rng.permutation(a[layer, h].ravel()).reshape(a.shape[2:])
        attns.append(a)
    out = combine(members, seq, attns)
    assert abs(out["agreement"]) < 0.05 and out["weight"] < 0.2
    np.testing.assert_allclose(out["prob"], out["weight"] * out["full_prob"]
                               + (1 - out["weight"]) * out["prior_prob"], rtol=1e-9, atol=1e-12)
