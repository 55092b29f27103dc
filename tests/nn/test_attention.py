"""nn.attention: the query gate and the relative position bias."""
import torch


def test_query_gate_zeroes_what_a_closed_query_sees():
    from attnbio.nn.attention import MultiHeadSelfAttention

    torch.manual_seed(0)
    att = MultiHeadSelfAttention(8, 2, 4, gated=True)
    x = torch.randn(1, 6, 8)
    with torch.no_grad():
        att.gate.weight.zero_()
        att.gate.bias.fill_(-50.0)          # gate closed: output is the out-projection's bias only
        y_closed, _ = att(x)
        att.gate.bias.fill_(50.0)           # gate open: plain attention
        y_open, a = att(x)
        plain = MultiHeadSelfAttention(8, 2, 4, gated=False)
        plain.load_state_dict({k: v for k, v in att.state_dict().items() if not k.startswith("gate")})
        y_plain, _ = plain(x)
    assert torch.allclose(y_closed, att.out.bias.expand_as(y_closed), atol=1e-6)
    assert torch.allclose(y_open, y_plain, atol=1e-6)


def test_bias_gain_scales_the_relative_bias():
    from attnbio.nn.attention import RelativePositionBias

    b1, b10 = RelativePositionBias(2, 3, gain=1.0), RelativePositionBias(2, 3, gain=10.0)
    with torch.no_grad():
        b1.table.normal_()
        b10.table.copy_(b1.table)
    assert torch.allclose(b10(5), 10 * b1(5))
    assert b1(5)[0, 0, 4] == b1.table[6, 0]    # offset +4 clamps to +3, the last row
