"""Triangle updates against direct einsum formulas of AF2 supplementary Algorithms 11-14."""
import torch
import pytest

from attnbio.nn.triangle import (PairBlock, PairTransition, TriangleAttention,
                                 TriangleMultiplication)

torch.set_num_threads(1)


def _randomize(module, seed=0):
    """Random weights everywhere (the default init zeroes the output projections)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64) * 0.5)
    return module


def _inputs(n=7, c=6, seed=1, batch=()):
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(*batch, n, n, c, generator=g, dtype=torch.float64)
    mask = (torch.rand(*batch, n, n, generator=g) > 0.2).double()
    return z, mask


def _mul_reference(mod, z, mask):
    zn = mod.norm_in(z)
    m = mask[..., None]
    a = torch.sigmoid(mod.gate_a(zn)) * mod.proj_a(zn) * m
    b = torch.sigmoid(mod.gate_b(zn)) * mod.proj_b(zn) * m
    if mod.mode == "outgoing":
        x = torch.einsum("...ikc,...jkc->...ijc", a, b)
    else:
        x = torch.einsum("...kic,...kjc->...ijc", a, b)
    return torch.sigmoid(mod.gate_o(zn)) * mod.proj_o(mod.norm_out(x))


def _att_reference(mod, z, mask):
    h, c = mod.n_heads, mod.c_hidden
    zn = mod.norm(z)
    n = z.shape[-2]
    q = mod.q(zn).view(n, n, h, c)
    k = mod.k(zn).view(n, n, h, c)
    v = mod.v(zn).view(n, n, h, c)
    b = mod.bias(zn)  # (n, n, h)
    g = torch.sigmoid(mod.gate(zn)).view(n, n, h, c)
    neg = (1 - mask) * -1e9
    if mod.node == "starting":
        logits = torch.einsum("ijhc,ikhc->ijkh", q, k) / c ** 0.5 + b[None, :, :, :] + neg[:, None, :, None]
        a = torch.softmax(logits, dim=2)
        o = torch.einsum("ijkh,ikhc->ijhc", a, v)
    else:
        logits = torch.einsum("ijhc,kjhc->ijkh", q, k) / c ** 0.5 + b.transpose(0, 1)[:, None, :, :] \
            + neg.transpose(0, 1)[None, :, :, None]
        a = torch.softmax(logits, dim=2)
        o = torch.einsum("ijkh,kjhc->ijhc", a, v)
    return mod.out((g * o).reshape(n, n, h * c))


@pytest.mark.parametrize("mode", ["outgoing", "incoming"])
@pytest.mark.parametrize("chunk", [None, 1, 3])
def test_multiplicative_update_matches_einsum(mode, chunk):
    mod = _randomize(TriangleMultiplication(6, 5, mode).double())
    z, mask = _inputs()
    got = mod(z, mask, chunk_size=chunk)
    torch.testing.assert_close(got, _mul_reference(mod, z, mask), rtol=1e-10, atol=1e-10)


def test_multiplicative_update_batched():
    mod = _randomize(TriangleMultiplication(6, 5, "incoming").double())
    z, mask = _inputs(batch=(2,))
    got = mod(z, mask, chunk_size=2)
    for i in range(2):
        torch.testing.assert_close(got[i], _mul_reference(mod, z[i], mask[i]), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("node", ["starting", "ending"])
@pytest.mark.parametrize("chunk", [None, 2])
def test_triangle_attention_matches_einsum(node, chunk):
    mod = _randomize(TriangleAttention(6, 4, 3, node).double())
    z, mask = _inputs()
    got = mod(z, mask, chunk_size=chunk)
    torch.testing.assert_close(got, _att_reference(mod, z, mask), rtol=1e-9, atol=1e-9)


def test_outgoing_incoming_transposition_identity():
    """incoming(z) == outgoing(z^T)^T when the a and b projections trade places."""
    inc = _randomize(TriangleMultiplication(6, 5, "incoming").double(), seed=3)
    out = TriangleMultiplication(6, 5, "outgoing").double()
    out.load_state_dict(inc.state_dict())
    with torch.no_grad():
        for name in ("weight", "bias"):
            getattr(out.proj_a, name).copy_(getattr(inc.proj_b, name))
            getattr(out.proj_b, name).copy_(getattr(inc.proj_a, name))
            getattr(out.gate_a, name).copy_(getattr(inc.gate_b, name))
            getattr(out.gate_b, name).copy_(getattr(inc.gate_a, name))
    z, mask = _inputs(n=9)
    lhs = inc(z, mask)
    rhs = out(z.transpose(0, 1), mask.T).transpose(0, 1)
    torch.testing.assert_close(lhs, rhs, rtol=1e-10, atol=1e-10)
    # and the two modes really differ on a non-symmetric input
    assert (inc(z, mask) - out(z, mask)).abs().max() > 1e-3


def test_ending_node_is_starting_node_on_transpose():
    start = _randomize(TriangleAttention(6, 4, 2, "starting").double(), seed=5)
    end = TriangleAttention(6, 4, 2, "ending").double()
    end.load_state_dict(start.state_dict())
    z, mask = _inputs(n=8)
    torch.testing.assert_close(end(z, mask), start(z.transpose(0, 1), mask.T).transpose(0, 1),
                               rtol=1e-10, atol=1e-10)


def test_masked_pairs_do_not_influence_others():
    """Changing z at masked pairs leaves the attention update of other rows' keys unchanged."""
    mod = _randomize(TriangleAttention(6, 4, 2, "starting").double(), seed=7)
    z, mask = _inputs(n=6)
    mask = torch.ones_like(mask)
    mask[:, 4] = 0  # residue 4 absent as a key in every row
    z2 = z.clone()
    z2[:, 4] += 10.0
    a, b = mod(z, mask), mod(z2, mask)
    keep = [0, 1, 2, 3, 5]
    # rows' outputs at columns != 4 see key 4 only through the masked logits and the bias b_j4
    # which is masked too, so they are unchanged
    torch.testing.assert_close(a[:, keep][:, :, :], b[:, keep][:, :, :], rtol=1e-9, atol=1e-9)


def test_fresh_block_is_identity_and_chunking_agrees():
    block = PairBlock(8, 8, 4, 2).double()
    z, mask = _inputs(n=10, c=8)
    torch.testing.assert_close(block(z, mask), z)  # zero-initialised output projections
    _randomize(block, seed=11)
    torch.testing.assert_close(block(z, mask, chunk_size=3), block(z, mask), rtol=1e-9, atol=1e-9)
    t = PairTransition(8).double()
    _randomize(t)
    torch.testing.assert_close(t(z, mask, 4), t(z, mask), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("node", ["starting", "ending"])
def test_inference_path_matches_training_path(node):
    """Without autograd the fused attention kernel runs; it must agree with the explicit one."""
    mod = _randomize(TriangleAttention(6, 4, 3, node).double(), seed=13)
    z, mask = _inputs(n=9)
    ref = _att_reference(mod, z, mask)
    with torch.no_grad():
        torch.testing.assert_close(mod(z, mask, chunk_size=4), ref, rtol=1e-9, atol=1e-9)
        torch.testing.assert_close(mod(z), _att_reference(mod, z, torch.ones_like(mask)), rtol=1e-9, atol=1e-9)
