"""Small, model-free fixtures for the grammar, intervention and report tests."""
import numpy as np
import torch
from torch import nn

from attnbio.motifs.discover import FoundMotif, Site, find_sites
from attnbio.motifs.encode import one_hot
from attnbio.motifs.simulate import _revcomp

A_SITE, B_SITE, C_SITE = "TTGCCAAGGA", "CAGGTATCGT", "GATCCGTAAC"


def pwm(site: str, p: float = 0.94) -> np.ndarray:
    probs = np.full((len(site), 4), (1 - p) / 3)
    probs[np.arange(len(site)), ["ACGT".index(c) for c in site]] = p
    return probs


def random_seq(rng, n: int) -> str:
    return "".join(rng.choice(list("ACGT"), size=n))


def put(seq: str, start: int, site: str) -> str:
    return seq[:start] + site + seq[start + len(site):]


def pair_sequences(n: int, length: int, distance: int | None, seed: int) -> list[str]:
    """A at a random place, B `distance` bp (centre to centre) after it, or at a random
    distance when distance is None; half the composites on the other strand; C alone in a third."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        s = random_seq(rng, length)
        d = distance if distance is not None else int(rng.integers(12, 60))
        start = int(rng.integers(0, length - 10 - d - 10))
        comp = put(put("N" * (d + 10), 0, A_SITE), d, B_SITE)
        if rng.random() < 0.5:
            comp = _revcomp(comp)
        s = s[:start] + "".join(c if c != "N" else s[start + i] for i, c in enumerate(comp)) + s[start + len(comp):]
        if rng.random() < 0.33:
            free = [p for p in range(length - 10) if p + 10 <= start or p >= start + len(comp)]
            s = put(s, int(rng.choice(free)), C_SITE)
        out.append(s)
    return out


def found_motifs(seqs: list[str], sites=(A_SITE, B_SITE, C_SITE)) -> list[FoundMotif]:
    x, mask, _ = one_hot(seqs)
    out = []
    for i, site in enumerate(sites):
        f = FoundMotif(pwm(site), ["L1H1"], 0)
        s, p, st, sc = find_sites(f, x, mask, 1e-4)
        f.sites = [Site(int(a), int(b), int(b) + len(site), c, float(d), 0.0) for a, b, c, d in zip(s, p, st, sc)]
        f.id, f.p_value, f.q_value, f.log2_enrichment = f"attnbio_m{i + 1}", 1e-10 * (i + 1), 1e-9, 1.0
        f.n_pos = len({s.seq for s in f.sites})
        out.append(f)
    return out


class _Cfg:
    pool, n_layers, n_heads = 4, 1, 2


class UniformAttention(nn.Module):
    """Stand-in model: head 1 attends uniformly, head 2 only to itself (the diagonal)."""

    cfg = _Cfg()

    def forward(self, x, mask, return_attention=False):
        from attnbio.motifs.model import token_mask

        tm = token_mask(mask, 4).float()
        T = tm.shape[1]
        uni = tm[:, None, :].expand(-1, T, -1) / tm.sum(dim=1)[:, None, None]
        diag = torch.eye(T)[None].expand(len(x), -1, -1)
        maps = [torch.stack([uni, diag], dim=1)]
        logits = torch.zeros(len(x))
        return (logits, maps) if return_attention else logits


class PairModel(nn.Module):
    """Stand-in classifier: logit = w_a [A] + w_b [B] + w_ab [A and B, B `distance` bp after A on
    one strand], exact consensus matches only; `distance=None` rewards A and B anywhere."""

    def __init__(self, distance, w_a=1.0, w_b=1.0, w_ab=2.0):
        super().__init__()
        self.distance, self.w = distance, (w_a, w_b, w_ab)
        self.ka = torch.from_numpy(np.eye(4, dtype=np.float32)[["ACGT".index(c) for c in A_SITE]].T[None].copy())
        self.kb = torch.from_numpy(np.eye(4, dtype=np.float32)[["ACGT".index(c) for c in B_SITE]].T[None].copy())

    def forward(self, x, mask):
        xt = x.transpose(1, 2)
        ha = nn.functional.conv1d(xt, self.ka)[:, 0] > 9.5          # (B, L - 9): A starts here
        hb = nn.functional.conv1d(xt, self.kb)[:, 0] > 9.5
        a, b = ha.any(dim=1).float(), hb.any(dim=1).float()
        if self.distance is None:
            ab = a * b
        else:
            d = self.distance
            ab = (ha[:, :-d] & hb[:, d:]).any(dim=1).float() if d < ha.shape[1] else torch.zeros(len(x))
        return self.w[0] * a + self.w[1] * b + self.w[2] * ab

    def predict_both_strands(self, x, mask):
        from attnbio.motifs.model import _rc_keep_padding

        return torch.maximum(self(x, mask), self(_rc_keep_padding(x, mask), mask))
