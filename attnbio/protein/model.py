"""A small protein transformer whose heads each own W_Q/W_K, with an ESM-style contact head.

Architecture: residue embedding + one 1D convolution (local context), then pre-norm
transformer blocks (Vaswani et al. 2017) whose heads add a learned relative-position bias
(Shaw et al. 2018; bucketed as in T5, Raffel et al. 2020) and may attend to a learned null
key/value ("attention sink", Xiao et al. 2023), so a head can put little weight everywhere
when its relation is absent. Contacts come from a logistic regression over the symmetrised,
APC-corrected attention maps of all heads (Rao et al. 2021, "Transformer protein language
models are unsupervised structure learners", ICLR; the contact head of ESM), added to a plain
sequence prior (a logistic regression of its own on the Kyte-Doolittle sum, a 9-residue
hydropathy profile and the sequence separation: `prior_features`), so that where attention
carries nothing the ranking is the prior's. Probabilities are Platt-scaled per separation range
(Platt 1999) on the training chains. An ensemble weighs the attention term by how much its
members agree on it (`combine`); a model with a stacked contact head (attnbio.protein.head,
fitted after training on out-of-fold attention; the bundled model has one) ranks contacts by
that head instead. Auxiliary
heads predict 3-state secondary structure and masked residues.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from attnbio.protein.scales import AMINO_ACIDS

VOCAB = AMINO_ACIDS + "X"  # index 20: unknown; index 21: mask token
MASK_INDEX = len(VOCAB)
SS_STATES = "HE-"
DEFAULT_CONFIG = {"dim": 32, "heads": 8, "layers": 2, "ff_mult": 2, "conv_kernel": 9,
                  "max_rel": 32, "log_buckets": 8, "dropout": 0.2,
                  "init_sharpness": 4.0, "descriptors": True,
                  "descriptor_windows": "", "contact_prior": True}
PRIOR_FEATURES = ("kd_sum", "kd_sum_long", "kd_window_sum", "kd_window_sum_long", "log_separation",
                  "medium", "long")
KD_WINDOW = 9  # Kyte & Doolittle's hydropathy-plot window
RANGES = ((6, 11), (12, 23), (24, None))  # short, medium, long (analyze.SEPARATIONS)
# Members' attention terms correlating at r >= this over long-range pairs get full weight;
# set a priori at half the agreement of the members of the earlier bundled model (about 0.5 on
# its training and held-out chains alike), uninformative (shuffled) maps agree at about 0.
FULL_AGREEMENT = 0.25


def prior_features(tokens: torch.Tensor) -> torch.Tensor:
    """Plain pair priors from the sequence alone: (L,) tokens -> (L, L, len(PRIOR_FEATURES)).

    kd_i + kd_j (Kyte & Doolittle 1982) / 4, the same for the 9-residue window means (buried
    segments), each also times the long-range indicator (so hydropathy may weigh differently at
    long range), log(|i - j| / 24) and indicators of medium (12-23) and long (>= 24) range.
    Unknown and masked residues score 0.
    """
    from attnbio.protein.scales import KYTE_DOOLITTLE

    table = torch.zeros(len(VOCAB) + 1)
    table[: len(AMINO_ACIDS)] = torch.tensor([KYTE_DOOLITTLE[a] for a in AMINO_ACIDS])
    kd = table[tokens.cpu()]
    win = torch.nn.functional.avg_pool1d(kd[None, None], KD_WINDOW, 1, KD_WINDOW // 2,
                                         count_include_pad=False)[0, 0]
    n = tokens.shape[0]
    pos = torch.arange(n)
    sep = (pos[None, :] - pos[:, None]).abs().float()
    long = (sep >= 24).float()
    kd_sum = (kd[:, None] + kd[None, :]) / 4
    win_sum = (win[:, None] + win[None, :]) / 2
    feats = [kd_sum, kd_sum * long, win_sum, win_sum * long, torch.log(sep.clamp(min=1) / 24),
             ((sep >= 12) & (sep < 24)).float(), long]
    return torch.stack(feats, -1).to(tokens.device)


def range_index(n: int) -> np.ndarray:
    """(L, L) index of the separation range (0 short incl. |i-j| < 6, 1 medium, 2 long)."""
    pos = np.arange(n)
    sep = np.abs(pos[None, :] - pos[:, None])
    return (sep >= 12).astype(np.int64) + (sep >= 24)


def descriptor_table() -> torch.Tensor:
    """(len(VOCAB) + 1, 5) standardised residue scales per token (scales.residue_descriptors:
    hydropathy, charge, polarity, aromaticity, volume); zeros for X and the mask token, so a
    masked residue gives nothing away."""
    from attnbio.protein.scales import residue_descriptors

    d = residue_descriptors(AMINO_ACIDS)
    cols = [(v - v.mean()) / v.std() for v in d.values()]
    table = torch.zeros(len(VOCAB) + 1, len(cols))
    table[: len(AMINO_ACIDS)] = torch.tensor(list(zip(*cols)), dtype=torch.float32)
    return table


def encode(sequence: str) -> torch.Tensor:
    """One-letter sequence -> (L,) long token indices (anything outside the 20 -> X)."""
    table = {a: i for i, a in enumerate(VOCAB)}
    return torch.tensor([table.get(a, 20) for a in sequence.upper()], dtype=torch.long)


def relative_buckets(length: int, max_rel: int, log_buckets: int) -> torch.Tensor:
    """Bucket index of j - i: exact within +-max_rel, log-spaced beyond (to 16 * max_rel).

    Returns (L, L) long in [0, 2 * (max_rel + log_buckets)].
    """
    pos = torch.arange(length)
    rel = pos[None, :] - pos[:, None]
    a = rel.abs()
    far = max_rel + 1 + (torch.log(a.clamp(min=max_rel + 1).float() / (max_rel + 1))
                         / math.log(16) * log_buckets).long().clamp(max=log_buckets - 1)
    mag = torch.where(a <= max_rel, a, far)
    return torch.where(rel >= 0, mag, -mag) + max_rel + log_buckets


def symmetrize_apc(attn: torch.Tensor) -> torch.Tensor:
    """A + A^T, then average product correction (Dunn et al. 2008): (..., L, L) -> same."""
    x = attn + attn.transpose(-1, -2)
    a1 = x.sum(-1, keepdim=True)
    a2 = x.sum(-2, keepdim=True)
    a12 = x.sum((-1, -2), keepdim=True).clamp(min=1e-8)
    return x - a1 * a2 / a12


class SinkAttention(nn.Module):
    """Multi-head self-attention with per-head W_Q/W_K, relative bias and a null key/value.

    forward: (L, D) -> ((L, D), attention (H, L, L) weights over residues (rows sum to <= 1,
    the rest went to the null key), mean row entropy in nats).
    """

    def __init__(self, dim: int, heads: int, max_rel: int, log_buckets: int, dropout: float,
                 init_sharpness: float = 1.0):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)
        self.null_k = nn.Parameter(torch.zeros(heads, self.head_dim))
        self.null_v = nn.Parameter(torch.zeros(heads, self.head_dim))
        # Per-head log inverse temperature, kept out of weight decay by the trainer, so a head
        # can sharpen whatever the size of its W_Q/W_K.
        self.log_scale = nn.Parameter(torch.full((heads, 1, 1), math.log(init_sharpness / math.sqrt(dim // heads))))
        self.rel = nn.Embedding(2 * (max_rel + log_buckets) + 1, heads)
        nn.init.zeros_(self.rel.weight)
        self.max_rel, self.log_buckets = max_rel, log_buckets
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor):
        n = x.shape[0]
        h, hd = self.heads, self.head_dim
        q = self.q(x).view(n, h, hd).transpose(0, 1)  # (H, L, hd)
        k = self.k(x).view(n, h, hd).transpose(0, 1)
        v = self.v(x).view(n, h, hd).transpose(0, 1)
        scale = self.log_scale.exp()
        bias = self.rel(relative_buckets(n, self.max_rel, self.log_buckets).to(x.device))
        logits = (q @ k.transpose(-1, -2)) * scale + bias.permute(2, 0, 1)  # (H, L, L)
        null = (q * self.null_k[:, None, :]).sum(-1, keepdim=True) * scale  # (H, L, 1)
        w = torch.softmax(torch.cat([logits, null], dim=-1), dim=-1)
        attn = w[..., :n]
        entropy = -(w * torch.log(w.clamp(min=1e-12))).sum(-1).mean()
        out = self.drop(attn) @ v + w[..., n:] * self.null_v[:, None, :]
        return self.out(out.transpose(0, 1).reshape(n, h * hd)), attn, entropy


class Block(nn.Module):
    """Pre-norm transformer block: x + attn(LN x); x + FF(LN x)."""

    def __init__(self, dim, heads, ff_mult, max_rel, log_buckets, dropout, init_sharpness=1.0):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = SinkAttention(dim, heads, max_rel, log_buckets, dropout, init_sharpness)
        self.ff = nn.Sequential(nn.Linear(dim, ff_mult * dim), nn.GELU(),
                                nn.Linear(ff_mult * dim, dim))
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        a, attn, entropy = self.attn(self.ln1(x))
        x = x + self.drop(a)
        return x + self.drop(self.ff(self.ln2(x))), attn, entropy


class ProteinAttentionModel(nn.Module):
    """Sequence -> attention maps, contact logits, secondary-structure and residue logits.

    forward(tokens (L,) long) -> dict: attention (layers, heads, L, L), contact_logits (L, L)
    symmetric, ss_logits (L, 3) over H E -, residue_logits (L, 21), attention_entropy (layers,) mean
    row entropy in nats, null key included (a training penalty that makes heads sparse).
    """

    def __init__(self, **config):
        super().__init__()
        cfg = dict(DEFAULT_CONFIG, **config)
        self.config = cfg
        d = cfg["dim"]
        self.embed = nn.Embedding(len(VOCAB) + 1, d)
        if cfg["descriptors"]:
            # Physicochemical scales as extra input: with ~40 training chains the model need
            # not rediscover hydropathy from residue identities alone.
            self.register_buffer("desc_table", descriptor_table(), persistent=False)
            # Window means of the scales as well, as in a hydropathy plot (Kyte & Doolittle
            # 1982 used a 9-residue window): buried segments show up as stretches.
            self.windows = [int(w) for w in str(cfg["descriptor_windows"]).split(",") if w]
            self.desc = nn.Linear(self.desc_table.shape[1] * (1 + len(self.windows)), d)
        self.conv = nn.Conv1d(d, d, cfg["conv_kernel"], padding=cfg["conv_kernel"] // 2)
        self.blocks = nn.ModuleList(
            Block(d, cfg["heads"], cfg["ff_mult"], cfg["max_rel"], cfg["log_buckets"],
                  cfg["dropout"], cfg["init_sharpness"]) for _ in range(cfg["layers"]))
        self.ln = nn.LayerNorm(d)
        self.contact = nn.Linear(cfg["layers"] * cfg["heads"], 1)
        nn.init.constant_(self.contact.bias, -3.0)  # about the contact rate at separation >= 6
        if cfg["contact_prior"]:
            self.prior = nn.Linear(len(PRIOR_FEATURES), 1)
            nn.init.zeros_(self.prior.weight)
            nn.init.constant_(self.prior.bias, -3.0)
            nn.init.zeros_(self.contact.bias)  # the prior carries the base rate
            # Platt scaling per separation range (short, medium, long): row 0 for the full
            # logit, row 1 for the prior alone; (a, b) -> sigmoid(a * logit + b). Fitted after
            # training (train.fit_calibration).
            self.register_buffer("calibration", torch.tensor([[[1.0, 0.0]] * 3] * 2))
        self.ss = nn.Linear(d, len(SS_STATES))
        self.residue = nn.Linear(d, len(VOCAB))

    def _descriptors(self, tokens: torch.Tensor) -> torch.Tensor:
        """(L,) tokens -> (L, 5 * (1 + windows)) scales and their centred window means."""
        d = self.desc_table[tokens]
        cols = [d]
        for w in self.windows:
            # count_include_pad=False: ends average over the residues that exist.
            cols.append(torch.nn.functional.avg_pool1d(d.T[None], w, 1, w // 2,
                                                       count_include_pad=False)[0].T)
        return torch.cat(cols, -1)

    def forward(self, tokens: torch.Tensor) -> dict:
        x = self.embed(tokens)
        if self.config["descriptors"]:
            x = x + self.desc(self._descriptors(tokens))
        x = x + torch.relu(self.conv(x.T[None])[0].T)
        maps, entropies = [], []
        for block in self.blocks:
            x, attn, entropy = block(x)
            maps.append(attn)
            entropies.append(entropy)
        attn = torch.stack(maps)  # (layers, heads, L, L)
        x = self.ln(x)
        entropy = torch.stack(entropies)  # (layers,)
        attention_logits, prior_logits = self.contact_terms(attn, tokens)
        # The prior is trained on its own (train._loss) and enters the full logit detached, so
        # the attention term learns what the prior misses and the prior alone stays a fallback.
        full = attention_logits if prior_logits is None else attention_logits + prior_logits.detach()
        return {"attention": attn, "contact_logits": full, "attention_logits": attention_logits,
                "prior_logits": prior_logits, "attention_entropy": entropy,
                "ss_logits": self.ss(x), "residue_logits": self.residue(x)}

    def contact_terms(self, attn: torch.Tensor, tokens: torch.Tensor):
        """(attention term (L, L), prior term (L, L) or None) of the contact logit, from
        attention maps (layers, heads, L, L) and tokens (L,)."""
        n = tokens.shape[0]
        # Scaled by L so that a uniform row reads 1 whatever the length: weights of order 1/L
        # would otherwise need huge regression coefficients (and learn slowly).
        feats = (symmetrize_apc(attn) * n).reshape(-1, n, n).permute(1, 2, 0)
        prior = self.prior(prior_features(tokens))[..., 0] if self.config["contact_prior"] else None
        return self.contact(feats)[..., 0], prior


class ProteinEnsemble(nn.Module):
    """Models trained alike from different seeds. Contacts are the mean of their probabilities
    (on held-out data of 37 training chains one model's contact map is noisy: the mean of three
    gained about a third in long-range precision on a development split); the attention maps,
    and so the heads and their lenses, are the first member's.
    """

    def __init__(self, configs: list[dict]):
        super().__init__()
        self.members = nn.ModuleList(ProteinAttentionModel(**c) for c in configs)

    @property
    def config(self) -> dict:
        return self.members[0].config


def build_model(card: dict) -> nn.Module:
    """An untrained model shaped as a card describes: an ensemble when it lists members.
    Cards written before the contact prior existed describe models without one."""
    def shaped(config):
        return dict({"contact_prior": False}, **config)

    if card.get("members"):
        model = ProteinEnsemble([shaped(m["config"]) for m in card["members"]])
    else:
        model = ProteinAttentionModel(**shaped(card["config"]))
    if card.get("contact_head"):   # the stacked contact head (attnbio.protein.head): in the card
        from attnbio.protein.head import ContactHead

        model.contact_head = ContactHead.from_card(card["contact_head"])
    if card.get("attention_cap"):  # attnbio.protein.attention_cap: how far contacts trust attention
        model.attention_cap = read_cap(card["attention_cap"])
    return model


def read_cap(entry) -> float:
    """The attention cap of a card entry {'value': c, ...}; a one-line error if malformed."""
    from attnbio.errors import InputError

    try:
        cap = float(entry["value"])
    except (KeyError, TypeError, ValueError):
        cap = float("nan")
    if not 0.0 <= cap <= 1.0:
        raise InputError("model card: attention_cap.value must be a number in [0, 1]")
    return cap


def calibrated(logits: np.ndarray, calibration: np.ndarray) -> np.ndarray:
    """Platt-scaled probabilities: logits (L, L), calibration (3, 2) per range -> (L, L)."""
    ab = calibration[range_index(logits.shape[0])]
    return 1 / (1 + np.exp(-(ab[..., 0] * logits + ab[..., 1])))


def agreement(terms: list[np.ndarray], min_separation: int = 24) -> float:
    """Mean pairwise Pearson correlation of members' attention terms over pairs i < j at
    |i - j| >= min_separation (>= 6 when the chain has fewer than 10 such pairs); NaN with
    fewer than two members or pairs."""
    n = terms[0].shape[0]
    sep = min_separation if n - min_separation >= 5 else 6
    iu = np.triu_indices(n, sep)
    if len(terms) < 2 or iu[0].size < 3:
        return float("nan")
    rs = []
    for a in range(len(terms)):
        for b in range(a + 1, len(terms)):
            x, y = terms[a][iu], terms[b][iu]
            if x.std() == 0 or y.std() == 0:
                rs.append(0.0)
            else:
                rs.append(float(np.corrcoef(x, y)[0, 1]))
    return float(np.mean(rs))


@torch.no_grad()
def combine(members: list, sequence: str, attentions: list, device="cpu", head=None, ss=None,
            cap: float = 1.0) -> dict:
    """Contact probabilities of members from their attention maps (one (layers, heads, L, L)
    array per member).

    Each member gives a calibrated full probability (attention term + prior) and a calibrated
    prior-only probability; the blend is w * mean(full) + (1 - w) * mean(prior), where the
    attention weight w = clip(agreement / FULL_AGREEMENT, 0, 1) measures how much the members
    agree on their attention terms (1 for a single model or members without a prior), times the
    model's attention cap (attnbio.protein.attention_cap, chosen out of fold; 1 without). With a
    stacked contact head (attnbio.protein.head.ContactHead; needs ss, the (L, 3) predicted
    secondary structure), prob is the head's, fed the members' mean attention term times w (the
    agreement weight alone: the head, fitted on out-of-fold attention, weighs attention itself).
    Returns dict: prob, blend_prob, prior_prob, full_prob (L, L) float64 symmetric,
    attention_term (L, L, members' mean), agreement, agreement_weight (before the cap), weight.
    """
    tokens = encode(sequence).to(device)
    full, prior, terms = [], [], []
    for m, attn in zip(members, attentions):
        a, p = m.contact_terms(torch.as_tensor(np.asarray(attn), dtype=torch.float32,
                                               device=device), tokens)
        cal = (m.calibration.double().cpu().numpy() if hasattr(m, "calibration")
               else np.array([[[1.0, 0.0]] * 3] * 2))
        a = a.double().cpu().numpy()
        a = 0.5 * (a + a.T)
        terms.append(a)
        if p is None:
            full.append(calibrated(a, cal[0]))
            continue
        p = p.double().cpu().numpy()
        full.append(calibrated(a + p, cal[0]))
        prior.append(calibrated(p, cal[1]))
    full_prob = np.mean(full, axis=0)
    agree = agreement(terms)
    if len(prior) < len(members) or len(members) < 2:
        weight, prior_prob = 1.0, (np.mean(prior, axis=0) if prior else None)
    else:
        prior_prob = np.mean(prior, axis=0)
        weight = float(np.clip(agree / FULL_AGREEMENT, 0, 1)) if np.isfinite(agree) else 0.0
    agreement_weight = weight
    if prior_prob is not None:
        weight *= cap
    prob = full_prob if prior_prob is None else weight * full_prob + (1 - weight) * prior_prob
    blend = 0.5 * (prob + prob.T)
    term = np.mean(terms, axis=0)
    if head is not None:   # the head weighs attention itself: only the members' agreement applies
        if ss is None:
            raise ValueError("combine: a contact head needs the predicted secondary structure (ss)")
        weight = agreement_weight
        prob = head.prob(sequence, term, weight, ss)
    else:
        prob = blend
    return {"prob": prob, "blend_prob": blend, "prior_prob": prior_prob, "full_prob": full_prob,
            "attention_term": term, "agreement": agree, "agreement_weight": agreement_weight,
            "weight": weight}


@torch.no_grad()
def predict_full(model: ProteinAttentionModel | ProteinEnsemble, sequence: str, device="cpu"
                 ) -> dict:
    """Run the model (every member) in eval mode on one sequence.

    Returns combine()'s dict plus attention (layers, heads, L, L) float32 of the first member,
    attentions (every member's) and ss (L, 3) float32 over H E - (members' mean).
    """
    members = list(model.members) if isinstance(model, ProteinEnsemble) else [model]
    tokens = encode(sequence).to(device)
    attns, ss = [], []
    for m in members:
        m.eval()
        out = m(tokens)
        attns.append(out["attention"].float().cpu().numpy())
        ss.append(torch.softmax(out["ss_logits"], -1).float().cpu().numpy())
    ss = np.mean(ss, axis=0).astype(np.float32)
    res = combine(members, sequence, attns, device, head=getattr(model, "contact_head", None), ss=ss,
                  cap=getattr(model, "attention_cap", 1.0))
    res.update(attention=attns[0], attentions=attns, ss=ss)
    return res


def predict(model: ProteinAttentionModel | ProteinEnsemble, sequence: str, device="cpu"):
    """Run the model in eval mode on one sequence.

    Returns (contact probabilities (L, L) float64 symmetric, attention (layers, heads, L, L)
    float32 of the first member, secondary-structure probabilities (L, 3) float32 over H E -).
    """
    r = predict_full(model, sequence, device)
    return r["prob"], r["attention"], r["ss"]
