"""Triangle updates of a pair representation, after AlphaFold 2.

Jumper et al. (2021) "Highly accurate protein structure prediction with AlphaFold", Nature 596,
supplementary information section 1.6.5-1.6.6:

* Algorithm 11: triangular multiplicative update using "outgoing" edges
* Algorithm 12: triangular multiplicative update using "incoming" edges
* Algorithm 13: triangular gated self-attention around starting node
* Algorithm 14: triangular gated self-attention around ending node
* Algorithm 15: transition layer in the pair stack

Shapes: a pair representation z is (..., L, L, c_z) float; a pair mask is (..., L, L) with 1 for
pairs that exist. Every module returns the *update* (same shape as z); the caller adds it to z
(the residual connection of Algorithm 6, lines 12-16). Each forward takes `chunk_size`: when set,
the O(L^3) part is computed in blocks of that many rows i, so that peak memory grows as
O(L^2 * c) rather than O(L^3 * heads) (the chunking of AF2 supplementary section 1.11.8).
Results with and without chunking agree to floating-point rounding.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

MASK_NEG = -1e9  # added to attention logits of masked keys (finite, so fully masked rows stay finite)


def _final_init(linear: nn.Linear) -> None:
    """Zero the output projection so that a fresh block is the identity ('final' init, AF2 1.11.4)."""
    nn.init.zeros_(linear.weight)
    if linear.bias is not None:
        nn.init.zeros_(linear.bias)


def _gate_init(linear: nn.Linear) -> None:
    """Gates start open: weights 0, bias 1 (AF2 supplementary 1.11.4)."""
    nn.init.zeros_(linear.weight)
    nn.init.ones_(linear.bias)


def _row_chunks(n: int, chunk_size: int | None):
    step = n if not chunk_size or chunk_size >= n else int(chunk_size)
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


class TriangleMultiplication(nn.Module):
    """Gated triangular multiplicative update (AF2 supplementary Algorithms 11 and 12).

    outgoing: x_ij = sum_k a_ik * b_jk   (edges i->k and j->k close the triangle ijk)
    incoming: x_ij = sum_k a_ki * b_kj   (edges k->i and k->j)
    a = sigmoid(W_ag z) * W_a z (masked), b likewise; update = sigmoid(W_g z) * W_o LN(x).
    z: (..., L, L, c_z) -> update of the same shape.
    """

    def __init__(self, c_z: int, c_hidden: int = 32, mode: str = "outgoing"):
        super().__init__()
        if mode not in ("outgoing", "incoming"):
            raise ValueError(f"mode must be 'outgoing' or 'incoming', got {mode!r}")
        self.mode = mode
        self.c_hidden = c_hidden
        self.norm_in = nn.LayerNorm(c_z)
        self.proj_a = nn.Linear(c_z, c_hidden)
        self.gate_a = nn.Linear(c_z, c_hidden)
        self.proj_b = nn.Linear(c_z, c_hidden)
        self.gate_b = nn.Linear(c_z, c_hidden)
        self.norm_out = nn.LayerNorm(c_hidden)
        self.proj_o = nn.Linear(c_hidden, c_z)
        self.gate_o = nn.Linear(c_z, c_z)
        _gate_init(self.gate_a)
        _gate_init(self.gate_b)
        _gate_init(self.gate_o)
        _final_init(self.proj_o)

    def forward(self, z: torch.Tensor, mask: torch.Tensor | None = None,
                chunk_size: int | None = None) -> torch.Tensor:
        if mask is None:
            mask = z.new_ones(z.shape[:-1])
        m = mask.unsqueeze(-1).to(z.dtype)
        zn = self.norm_in(z)
        a = torch.sigmoid(self.gate_a(zn)) * self.proj_a(zn) * m
        b = torch.sigmoid(self.gate_b(zn)) * self.proj_b(zn) * m
        # Channels first: one (L x L) @ (L x L) matrix product per channel.
        a = a.movedim(-1, -3)  # (..., c, L, L) indexed [c, i, k] (outgoing) or [c, k, i] (incoming)
        b = b.movedim(-1, -3)
        if self.mode == "outgoing":
            b_t = b.transpose(-1, -2)  # [c, k, j] = b_jk
        else:
            a = a.transpose(-1, -2)   # [c, i, k] = a_ki
            b_t = b                    # [c, k, j] = b_kj
        out = []
        n = z.shape[-2]
        for rows in _row_chunks(n, chunk_size):
            x = torch.matmul(a[..., rows, :], b_t).movedim(-3, -1)  # (..., r, L, c)
            g = torch.sigmoid(self.gate_o(zn[..., rows, :, :]))
            out.append(g * self.proj_o(self.norm_out(x)))
        return out[0] if len(out) == 1 else torch.cat(out, dim=-3)


class TriangleAttention(nn.Module):
    """Gated triangular self-attention (AF2 supplementary Algorithms 13 and 14).

    starting node: row i attends over k:  a_ijk = softmax_k(q_ij . k_ik / sqrt(c) + b_jk),
                   o_ij = g_ij * sum_k a_ijk v_ik
    ending node:   column j attends over k: a_ijk = softmax_k(q_ij . k_kj / sqrt(c) + b_ki),
                   o_ij = g_ij * sum_k a_ijk v_kj  (computed as the starting-node rule on z^T)
    z: (..., L, L, c_z) -> update of the same shape; `n_heads` heads of width c_hidden.
    """

    def __init__(self, c_z: int, c_hidden: int = 16, n_heads: int = 4, node: str = "starting"):
        super().__init__()
        if node not in ("starting", "ending"):
            raise ValueError(f"node must be 'starting' or 'ending', got {node!r}")
        self.node = node
        self.c_hidden = c_hidden
        self.n_heads = n_heads
        self.norm = nn.LayerNorm(c_z)
        self.q = nn.Linear(c_z, c_hidden * n_heads, bias=False)
        self.k = nn.Linear(c_z, c_hidden * n_heads, bias=False)
        self.v = nn.Linear(c_z, c_hidden * n_heads, bias=False)
        self.bias = nn.Linear(c_z, n_heads, bias=False)
        self.gate = nn.Linear(c_z, c_hidden * n_heads)
        self.out = nn.Linear(c_hidden * n_heads, c_z)
        _gate_init(self.gate)
        _final_init(self.out)

    def forward(self, z: torch.Tensor, mask: torch.Tensor | None = None,
                chunk_size: int | None = None) -> torch.Tensor:
        if mask is None:
            mask = z.new_ones(z.shape[:-1])
        if self.node == "ending":
            z = z.transpose(-2, -3)
            mask = mask.transpose(-1, -2)
        h, c = self.n_heads, self.c_hidden
        scale = c ** -0.5
        zn = self.norm(z)
        lead = zn.shape[:-3]
        n = zn.shape[-2]
        # Triangle bias b_jk per head: (..., H, L_j, L_k); key mask m_ik enters per row i.
        tri_bias = self.bias(zn).movedim(-1, -3).unsqueeze(-4).contiguous()  # (..., 1, H, L, L)
        # masked keys only where some pair is absent (saves an L^3 add for complete inputs)
        key_mask = None if bool((mask != 0).all()) else (1.0 - mask.to(zn.dtype)) * MASK_NEG
        fused = not (torch.is_grad_enabled() and zn.requires_grad) and lead.numel() == 1

        def heads(x):  # (..., r, L, H*c) -> (..., r, H, L, c)
            return x.view(*x.shape[:-1], h, c).movedim(-2, -3).contiguous()

        out = []
        for rows in _row_chunks(n, chunk_size):
            zr = zn[..., rows, :, :]
            q, k, v = heads(self.q(zr)), heads(self.k(zr)), heads(self.v(zr))
            bias = tri_bias if key_mask is None else tri_bias + key_mask[..., rows, None, None, :]
            if fused:
                # inference, one structure: PyTorch's fused CPU kernel (4-D inputs only) avoids
                # materialising the (r, H, L, L) logits and softmax
                shape = q.shape
                o = F.scaled_dot_product_attention(
                    q.reshape(-1, h, n, c), k.reshape(-1, h, n, c), v.reshape(-1, h, n, c),
                    attn_mask=bias.reshape(-1, h, n, n)).reshape(shape)
            else:
                logits = torch.matmul(q * scale, k.transpose(-1, -2)) + bias  # (..., r, H, L_j, L_k)
                o = torch.matmul(torch.softmax(logits, dim=-1), v)  # (..., r, H, L, c)
            o = o.movedim(-3, -2).reshape(*lead, zr.shape[-3], n, h * c)
            out.append(self.out(torch.sigmoid(self.gate(zr)) * o))
        upd = out[0] if len(out) == 1 else torch.cat(out, dim=-3)
        if self.node == "ending":
            upd = upd.transpose(-2, -3)
        return upd


class PairTransition(nn.Module):
    """Two-layer MLP applied to every pair (AF2 supplementary Algorithm 15); (..., L, L, c_z)."""

    def __init__(self, c_z: int, factor: int = 2):
        super().__init__()
        self.norm = nn.LayerNorm(c_z)
        self.lin1 = nn.Linear(c_z, c_z * factor)
        self.lin2 = nn.Linear(c_z * factor, c_z)
        _final_init(self.lin2)

    def forward(self, z, mask=None, chunk_size=None):
        out = [self.lin2(F.relu(self.lin1(self.norm(z[..., rows, :, :]))))
               for rows in _row_chunks(z.shape[-3], chunk_size)]
        upd = out[0] if len(out) == 1 else torch.cat(out, dim=-3)
        if mask is not None:
            upd = upd * mask.unsqueeze(-1).to(upd.dtype)
        return upd


class PairBlock(nn.Module):
    """One pair-stack block: the four triangle updates and a transition, each residual.

    The order is that of the pair stack in AF2 supplementary Algorithm 6 (lines 12-16).
    """

    def __init__(self, c_z: int, c_mul: int = 32, c_att: int = 16, n_heads: int = 4):
        super().__init__()
        self.tri_out = TriangleMultiplication(c_z, c_mul, "outgoing")
        self.tri_in = TriangleMultiplication(c_z, c_mul, "incoming")
        self.att_start = TriangleAttention(c_z, c_att, n_heads, "starting")
        self.att_end = TriangleAttention(c_z, c_att, n_heads, "ending")
        self.transition = PairTransition(c_z)

    def forward(self, z, mask=None, chunk_size=None):
        for layer in (self.tri_out, self.tri_in, self.att_start, self.att_end, self.transition):
            z = z + layer(z, mask, chunk_size)
        return z


def pair_block_flops(n: int, c_z: int, c_mul: int = 32, c_att: int = 16, n_heads: int = 4) -> float:
    """Multiply-add FLOPs (2 per MAC) of the O(L^3) terms of one PairBlock on an L=n pair map.

    Two multiplicative updates: 2 * (2 n^3 c_mul). Two attentions: logits and weighted sum,
    2 * (2 * 2 n^3 H c). Projections are O(n^2) and left out (they are < 5% at n >= 64).
    """
    mul = 2 * 2.0 * n ** 3 * c_mul
    att = 2 * 2 * 2.0 * n ** 3 * n_heads * c_att
    return mul + att


__all__ = ["TriangleMultiplication", "TriangleAttention", "PairTransition", "PairBlock",
           "pair_block_flops", "MASK_NEG"]
