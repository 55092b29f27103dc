"""The refiner's network: pair features -> triangle pair stack -> distogram with confidence.

Shapes: L residues; pair tensors are (B, L, L, C). Distances in Angstrom.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from attnbio.nn.triangle import PairBlock

AMINO = "ACDEFGHIKLMNPQRSTVWY"  # index 20 = unknown / other
AA_INDEX = {a: i for i, a in enumerate(AMINO)}


@dataclass
class RefineConfig:
    """Hyper-parameters of RefineModel (stored in the model card)."""
    c_z: int = 32
    n_blocks: int = 2
    c_mul: int = 32
    c_att: int = 16
    n_heads: int = 4
    max_relpos: int = 32
    in_min: float = 2.0       # input distogram: one-hot bins of in_step A between in_min..in_max,
    in_max: float = 22.0      # plus an under- and an overflow bin, and Gaussian-smeared distances
    in_step: float = 0.5
    out_min: float = 2.0      # output distogram: n_out - 2 bins between out_min..out_max, plus
    out_max: float = 22.0     # one bin below and one 'far' bin above out_max
    n_out: int = 64

    @property
    def in_edges(self) -> np.ndarray:
        return np.arange(self.in_min, self.in_max + 1e-9, self.in_step)

    @property
    def out_edges(self) -> np.ndarray:
        return np.linspace(self.out_min, self.out_max, self.n_out - 1)

    def to_dict(self) -> dict:
        return asdict(self)


def encode_sequence(seq: str) -> np.ndarray:
    """Residue letters -> integer codes 0..20 (20 = anything outside the 20 amino acids)."""
    return np.array([AA_INDEX.get(a, 20) for a in seq.upper()], dtype=np.int64)


def bin_distances(d: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
    """Index of the distogram bin of each distance: 0 below edges[0], len(edges) above the last."""
    return torch.bucketize(d, edges)


class RefineModel(nn.Module):
    """Pair representation of a C-alpha trace refined by AF2-style triangle blocks.

    Input features per pair (i, j): one-hot and Gaussian-smeared input distance (AF2 template
    distogram, suppl. 1.7.1), one-hot relative sequence position clipped at +-max_relpos with a
    separate 'other chain' bin (AF2 Algorithm 4), and residue identities of i and j (AF2
    Algorithm 3, outer sum). A stack of PairBlocks (AF2 Algorithm 6, pair part) then a
    distogram head (AF2 suppl. 1.9.8), symmetrised. The head is also applied to the pair
    representation before the triangle blocks, so that the two can be compared.
    """

    def __init__(self, cfg: RefineConfig | None = None):
        super().__init__()
        self.cfg = cfg = cfg or RefineConfig()
        self.register_buffer("in_edges", torch.tensor(cfg.in_edges, dtype=torch.float32), persistent=False)
        self.register_buffer("out_edges", torch.tensor(cfg.out_edges, dtype=torch.float32), persistent=False)
        n_in = len(cfg.in_edges) + 1
        self.embed_dgram = nn.Linear(n_in + len(cfg.in_edges), cfg.c_z)
        self.embed_relpos = nn.Linear(2 * cfg.max_relpos + 2, cfg.c_z, bias=False)
        self.embed_aa_i = nn.Embedding(21, cfg.c_z)
        self.embed_aa_j = nn.Embedding(21, cfg.c_z)
        self.blocks = nn.ModuleList(
            PairBlock(cfg.c_z, cfg.c_mul, cfg.c_att, cfg.n_heads) for _ in range(cfg.n_blocks))
        self.head_norm = nn.LayerNorm(cfg.c_z)
        self.head = nn.Linear(cfg.c_z, cfg.n_out)

    def features(self, ca_dist, aatype, residue_index, chain_index):
        """Initial pair representation z0 (B, L, L, c_z) from distances (B, L, L) and indices (B, L)."""
        cfg = self.cfg
        d = torch.nan_to_num(ca_dist, nan=1e3)
        onehot = nn.functional.one_hot(bin_distances(d, self.in_edges), len(cfg.in_edges) + 1)
        smear = torch.exp(-((d[..., None] - self.in_edges) / cfg.in_step) ** 2)
        z = self.embed_dgram(torch.cat([onehot.to(d.dtype), smear], dim=-1))
        rel = residue_index[..., None, :] - residue_index[..., :, None]
        rel = torch.clamp(rel, -cfg.max_relpos, cfg.max_relpos) + cfg.max_relpos
        same = chain_index[..., :, None] == chain_index[..., None, :]
        rel = torch.where(same, rel, torch.full_like(rel, 2 * cfg.max_relpos + 1))
        z = z + self.embed_relpos(nn.functional.one_hot(rel, 2 * cfg.max_relpos + 2).to(z.dtype))
        return z + self.embed_aa_i(aatype)[..., :, None, :] + self.embed_aa_j(aatype)[..., None, :, :]

    def distogram(self, z):
        """Symmetric distogram logits (B, L, L, n_out) from a pair representation."""
        logits = self.head(self.head_norm(z))
        return 0.5 * (logits + logits.transpose(-2, -3))

    def forward(self, ca_dist, aatype, residue_index, chain_index, mask=None, chunk_size=None,
                all_heads: bool = False):
        """Refined pair representation and distogram logits (and those before each block)."""
        z = self.features(ca_dist, aatype, residue_index, chain_index)
        heads = [self.distogram(z)] if all_heads else []
        z0_logits = heads[0] if all_heads else None
        for block in self.blocks:
            z = block(z, mask, chunk_size)
            if all_heads:
                heads.append(self.distogram(z))
        logits = heads[-1] if all_heads else self.distogram(z)
        return {"pair": z, "logits": logits, "logits_before": z0_logits, "all_logits": heads}


def decode_distogram(logits: torch.Tensor, cfg: RefineConfig, window: float = 1.0) -> dict:
    """Expected distance, confidence and 'far' probability per pair from distogram logits.

    logits (..., L, L, n_out). Bins: one below out_min, n_out-2 between out_min and out_max,
    one above out_max ('far'). distance: expectation over the non-far bins (bin centres);
    p_far: probability of the far bin; confidence: probability mass within +-`window` A of the
    expected distance, times (1 - p_far). All (..., L, L) numpy float64.
    """
    p = torch.softmax(logits.double(), dim=-1)
    edges = torch.tensor(cfg.out_edges, dtype=torch.float64)
    step = float(edges[1] - edges[0])
    centres = torch.cat([edges[:1] - step / 2, (edges[1:] + edges[:-1]) / 2, edges[-1:] + step / 2])
    p_far = p[..., -1]
    near = p[..., :-1]
    near_sum = near.sum(-1).clamp_min(1e-12)
    dist = (near * centres[:-1]).sum(-1) / near_sum
    within = (torch.abs(centres[:-1] - dist[..., None]) <= window).to(p.dtype)
    conf = (near * within).sum(-1)
    return {"distance": dist.numpy(), "confidence": conf.numpy(), "p_far": p_far.numpy(),
            "probs": p.float().numpy()}


def model_tensors(model: RefineModel) -> dict:
    return {k: v for k, v in model.state_dict().items()}


def load_model(tensors: dict, card: dict) -> RefineModel:
    """A RefineModel from safetensors tensors and its card's `config`."""
    from attnbio.io.weights import fit_state_dict

    fields = RefineConfig.__dataclass_fields__
    cfg = RefineConfig(**{k: v for k, v in card.get("config", {}).items() if k in fields})
    model = fit_state_dict(lambda: RefineModel(cfg), tensors, "refine model")   # one line on a mismatch
    model.eval()
    from attnbio.structure.refine import DEFAULT_LENGTH_RANGE

    # Chain lengths it was trained on (the do-no-harm guard keeps plausible inputs outside them).
    model.length_range = tuple(card.get("length_range") or DEFAULT_LENGTH_RANGE)
    return model
