"""Multi-head self-attention that can return its maps, with a learned relative-position bias.

Relative bias as in T5 / Shaw et al. 2018 ("Self-Attention with Relative Position
Representations"): each head adds b_h[j - i] to the logit of query i and key j, so a head can
learn to look a fixed number of bases away (the spacing of a cooperative motif pair).
"""
from __future__ import annotations

import torch
from torch import nn


class RelativePositionBias(nn.Module):
    """Learned per-head bias for offsets -max_rel..max_rel (farther offsets share the end values)."""

    def __init__(self, n_heads: int, max_rel: int, gain: float = 1.0):
        super().__init__()
        self.max_rel, self.gain = max_rel, gain
        self.table = nn.Parameter(torch.zeros(2 * max_rel + 1, n_heads))

    def forward(self, length: int) -> torch.Tensor:
        """(n_heads, L, L) bias; entry [h, i, j] is the bias of head h for key j seen from query i."""
        pos = torch.arange(length, device=self.table.device)
        offset = (pos[None, :] - pos[:, None]).clamp(-self.max_rel, self.max_rel) + self.max_rel
        # The gain multiplies the effective Adam step of the table: with gain 1 a bias moves at
        # most lr per step, too slow to sharpen a head onto one spacing within a short training.
        return (self.gain * self.table[offset]).permute(2, 0, 1)


class MultiHeadSelfAttention(nn.Module):
    """Scaled dot-product attention (Vaswani et al. 2017) with relative bias and a key mask."""

    def __init__(self, d_model: int, n_heads: int, max_rel: int, dropout: float = 0.0, bias_gain: float = 1.0,
                 gated: bool = False):
        super().__init__()
        if d_model % n_heads:
            raise ValueError("d_model must be divisible by n_heads")
        self.n_heads, self.d_head = n_heads, d_model // n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        # Output gate from the query token (AlphaFold 2 supplementary Alg. 7, Jumper et al. 2021):
        # the gate multiplies what a query sees by what the query is, so "motif A here AND motif B
        # at the attended offset" is one product, and the spacing bias gets a consistent gradient.
        self.gate = nn.Linear(d_model, d_model) if gated else None
        self.out = nn.Linear(d_model, d_model)
        self.bias = RelativePositionBias(n_heads, max_rel, bias_gain)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor | None = None):
        """x (B, L, D), key_mask (B, L) True where valid -> (y (B, L, D), attn (B, H, L, L))."""
        b, length, _ = x.shape
        q, k, v = self.qkv(x).view(b, length, 3, self.n_heads, self.d_head).permute(2, 0, 3, 1, 4)
        logits = q @ k.transpose(-1, -2) / self.d_head ** 0.5 + self.bias(length)
        if key_mask is not None and not bool(key_mask.all()):   # equal-length batches skip the fill
            logits = logits.masked_fill(~key_mask[:, None, None, :], float("-inf"))
        attn = logits.softmax(dim=-1)
        y = (self.drop(attn) @ v).transpose(1, 2).reshape(b, length, -1)
        if self.gate is not None:
            y = torch.sigmoid(self.gate(x)) * y
        return self.out(y), attn


class TransformerBlock(nn.Module):
    """Pre-norm transformer block: attention then a feed-forward layer, each residual."""

    def __init__(self, d_model: int, n_heads: int, max_rel: int, dropout: float = 0.1, bias_gain: float = 1.0,
                 gated: bool = False, attn_dropout: float | None = None):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        attn_dropout = dropout if attn_dropout is None else attn_dropout
        self.attn = MultiHeadSelfAttention(d_model, n_heads, max_rel, attn_dropout, bias_gain, gated)
        self.norm2 = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, 2 * d_model), nn.GELU(), nn.Dropout(dropout),
                                nn.Linear(2 * d_model, d_model))
        self.drop = nn.Dropout(dropout)

    def forward(self, x, key_mask=None):
        """x (B, L, D) -> (x (B, L, D), attn (B, H, L, L))."""
        h, attn = self.attn(self.norm1(x), key_mask)
        x = x + self.drop(h)
        x = x + self.drop(self.ff(self.norm2(x)))
        return x, attn
