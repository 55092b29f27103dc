"""A stacked contact head fitted after the transformers: a plain logistic regression per pair.

Why: out of family the transformers' own contact logit (attention term + prior, model.combine)
ranks long-range pairs no better than its prior alone. This head is fitted AFTER transformer
training, on the training chains only (the transformers and their training stay unchanged), and
stacks the attention term beside plain priors, so that where attention carries nothing the
ranking is a statistical potential plus hydropathy, separation and predicted secondary structure.

Features of a pair i < j with |i - j| >= 6, chosen before any fold result was seen:
- attention, attention_long: the members' mean symmetrised attention term of the contact logit
  (model.contact_terms, Rao et al. 2021), standardised and then multiplied by the ensemble's
  agreement weight (model.combine), also times the long-range indicator;
- the prior features (model.prior_features: Kyte & Doolittle 1982 sums, 9-residue window sums,
  each also at long range, log separation, medium and long indicators) and log separation at
  long range;
- helix_helix, strand_strand: products of the model's own predicted 3-state secondary structure
  probabilities (H_i H_j, E_i E_j), each also times the long-range indicator;
- a learned residue-pair contact propensity: one coefficient per unordered amino-acid pair
  (210, a statistical potential in the spirit of Miyazawa & Jernigan 1996; X pairs get none).

Fit: L2-regularised logistic regression (L-BFGS, scipy), pairs at |i-j| >= 24 weighted 4 as in
transformer training, each chain weighted 1 / (chains of its family) so a redundant family (20 LDH,
20 trypsin chains) counts once, at most FAMILY_CHAINS chains per family (the first in name
order; for time). The regularisation strength is chosen from LAMBDAS by an inner
cross-validation over the frozen family folds (data/protein/folds.tsv) that the training chains
belong to, by the mean of long-range P@L and P@L/5 over inner held-out units; held-out folds of an
outer evaluation are never seen. With chain_data the attention features come from the
transformers that trained on those chains (in-sample: the head over-trusts attention out of
family, 2026-12-02); with out_of_fold_chain_data each chain's come from an inner model that did
not train on it, as `make models-protein` fits the bundled head.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnbio.protein.model import PRIOR_FEATURES

ATTENTION_FEATURES = ("attention", "attention_long")
HEAD_FEATURES = (ATTENTION_FEATURES + PRIOR_FEATURES
                 + ("log_separation_long", "helix_helix", "strand_strand", "helix_helix_long",
                    "strand_strand_long"))
N_PAIRS = 210          # unordered pairs of the 20 amino acids; index 210: a pair with X
MIN_SEPARATION = 6
LONG = 24
LONG_WEIGHT = 4.0      # as train.DEFAULT_TRAINING["long_weight"]
FAMILY_CHAINS = 5
LAMBDAS = (1e-2, 1e-3, 1e-4, 1e-5)


def pair_index(sequence: str) -> np.ndarray:
    """(L, L) index of the unordered amino-acid pair (0..209), 210 where either residue is not
    one of the 20."""
    from attnbio.protein.model import encode

    t = encode(sequence).numpy()
    a, b = np.minimum(t[:, None], t[None, :]), np.maximum(t[:, None], t[None, :])
    idx = a * 20 - a * (a - 1) // 2 + (b - a)   # row-major upper triangle incl. diagonal
    return np.where((a >= 20) | (b >= 20), N_PAIRS, idx)


def raw_features(sequence: str, attention_term: np.ndarray | None, ss: np.ndarray) -> np.ndarray:
    """(L, L, len(HEAD_FEATURES)) unstandardised features (attention columns 0 if None)."""
    from attnbio.protein.model import encode, prior_features

    n = len(sequence)
    prior = prior_features(encode(sequence)).double().numpy()
    sep = np.abs(np.arange(n)[None, :] - np.arange(n)[:, None])
    long = (sep >= LONG).astype(np.float64)
    att = np.zeros((n, n)) if attention_term is None else np.asarray(attention_term, dtype=np.float64)
    ss = np.asarray(ss, dtype=np.float64)
    hh = ss[:, 0][:, None] * ss[:, 0][None, :]
    ee = ss[:, 1][:, None] * ss[:, 1][None, :]
    cols = [att, att * long] + [prior[..., k] for k in range(prior.shape[-1])]
    cols += [prior[..., PRIOR_FEATURES.index("log_separation")] * long, hh, ee, hh * long, ee * long]
    return np.stack(cols, -1)


@dataclass
class ContactHead:
    """Coefficients of the stacked head: features (names used), mean/scale (standardisation of
    the raw features), coef, pair (211 values, the last 0), intercept, lam (L2 strength)."""
    features: tuple
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    pair: np.ndarray
    intercept: float
    lam: float
    inner_scores: dict | None = None

    @property
    def uses_attention(self) -> bool:
        return any(f in ATTENTION_FEATURES for f in self.features)

    def design(self, raw: np.ndarray, weight: float) -> np.ndarray:
        """Standardised columns of this head from raw_features (..., F); attention columns times
        the agreement weight (so disagreeing members fall back to the rest of the head)."""
        cols = [HEAD_FEATURES.index(f) for f in self.features]
        z = (raw[..., cols] - self.mean) / self.scale
        for k, f in enumerate(self.features):
            if f in ATTENTION_FEATURES:
                z[..., k] *= weight
        return z

    def prob(self, sequence: str, attention_term, weight: float, ss) -> np.ndarray:
        """(L, L) symmetric contact probability of every pair (pairs under 6 apart included,
        extrapolated; callers rank |i-j| >= 6)."""
        z = self.design(raw_features(sequence, attention_term, ss), weight)
        logit = z @ self.coef + self.pair[pair_index(sequence)] + self.intercept
        p = 1 / (1 + np.exp(-logit))
        return 0.5 * (p + p.T)

    def to_card(self) -> dict:
        return {"protocol": "stacked logistic regression per pair |i-j| >= 6 (attnbio.protein.head), fitted on the "
                "training chains after transformer training; L2 strength by inner family-fold CV",
                "features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "pair": self.pair[:N_PAIRS].tolist(),
                "intercept": self.intercept, "lambda": self.lam, "inner_scores": self.inner_scores}

    @classmethod
    def from_card(cls, d: dict, where: str = "model card") -> "ContactHead":
        from attnbio.errors import InputError

        try:
            feats = tuple(d["features"])
            arrays = [np.asarray(d[k], dtype=np.float64) for k in ("mean", "scale", "coef", "pair")]
            ok = (set(feats) <= set(HEAD_FEATURES) and all(a.shape == (len(feats),) for a in arrays[:3])
                  and arrays[3].shape == (N_PAIRS,) and np.all(arrays[1] > 0)
                  and all(np.isfinite(a).all() for a in arrays))
            intercept, lam = float(d["intercept"]), float(d["lambda"])
        except (KeyError, TypeError, ValueError):
            ok = False
        if not ok:
            raise InputError(f"{where}: contact_head is malformed (features, mean, scale, coef, pair, "
                             "intercept, lambda)")
        return cls(feats, arrays[0], arrays[1], arrays[2], np.append(arrays[3], 0.0), intercept, lam,
                   d.get("inner_scores"))


# ---------------------------------------------------------------------------------------------
# fitting

@dataclass
class ChainData:
    """One training chain's pairs: raw features (n, F), pair index (n,), labels, long flag,
    chain weight, agreement weight, unit (family or chain id), inner fold, and the (L, L) indices."""
    id: str
    unit: str
    fold: int
    raw: np.ndarray
    pair: np.ndarray
    label: np.ndarray
    long: np.ndarray
    weight: float
    agreement_weight: float
    n: int
    i: np.ndarray
    j: np.ndarray


def unit_of(ex) -> str:
    return ex.id if ex.group == "dssp50" else ex.group


def fold_of(ex, folds: dict) -> int:
    return folds.get(ex.id if ex.group == "dssp50" else f"{ex.group}/{ex.id}", 0)


def pick_chains(examples, family_chains: int = FAMILY_CHAINS) -> list:
    """Examples in (unit, id) order, at most family_chains chains per family (the first in name
    order; for time: a redundant family counts once anyway)."""
    picked, per_unit = [], {}
    for ex in sorted(examples, key=lambda e: (unit_of(e), e.id)):
        u = unit_of(ex)
        if ex.group != "dssp50" and per_unit.get(u, 0) >= family_chains:
            continue
        per_unit[u] = per_unit.get(u, 0) + 1
        picked.append(ex)
    return picked


def chain_data(members, examples, folds: dict | None = None, family_chains: int = FAMILY_CHAINS
               ) -> list[ChainData]:
    """Run the members (eval mode) on examples and collect every chain's pairs |i-j| >= 6 with
    both CB known; at most family_chains chains per family (first in name order)."""
    import torch

    from attnbio.protein.model import combine, encode

    if folds is None:
        from attnbio.protein.data import read_folds
        folds = read_folds()
    picked = pick_chains(examples, family_chains)
    per_unit = {}
    for ex in picked:
        per_unit[unit_of(ex)] = per_unit.get(unit_of(ex), 0) + 1
    out = []
    with torch.no_grad():
        for ex in picked:
            tokens = encode(ex.sequence)
            attns, ss = [], []
            for m in members:
                m.eval()
                o = m(tokens)
                attns.append(o["attention"].float().numpy())
                ss.append(torch.softmax(o["ss_logits"], -1).double().numpy())
            c = combine(list(members), ex.sequence, attns)
            raw = raw_features(ex.sequence, c["attention_term"], np.mean(ss, axis=0))
            n = len(ex.sequence)
            i, j = np.triu_indices(n, MIN_SEPARATION)
            valid = ~np.isnan(ex.cb).any(1)
            keep = valid[i] & valid[j]
            i, j = i[keep], j[keep]
            out.append(ChainData(ex.id, unit_of(ex), fold_of(ex, folds), raw[i, j],
                                 pair_index(ex.sequence)[i, j], ex.contacts[i, j].astype(np.float64),
                                 (j - i) >= LONG, 1.0 / per_unit[unit_of(ex)], c["weight"], n, i, j))
    return out


def out_of_fold_chain_data(inner_models, examples) -> list[ChainData]:
    """chain_data with each example's attention from an inner model (model, card) that did not
    train on it (attnbio.protein.attention_cap), so the head learns how far attention holds on
    chains its transformer never saw; an example seen by every inner model is left out."""
    from attnbio.protein.attention_cap import assign_unseen

    out = []
    for model, mine in assign_unseen(inner_models, examples):
        out += chain_data([model], mine)
    return out


def _design(chains, features, mean, scale):
    head = ContactHead(tuple(features), mean, scale, np.zeros(len(features)), np.zeros(N_PAIRS + 1), 0.0, 0.0)
    z = np.concatenate([head.design(c.raw, c.agreement_weight) for c in chains])
    return z


def _standardisation(chains, features):
    cols = [HEAD_FEATURES.index(f) for f in features]
    x = np.concatenate([c.raw[:, cols] for c in chains])
    w = np.concatenate([np.full(len(c.label), c.weight) for c in chains])
    mean = np.average(x, axis=0, weights=w)
    sd = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    return mean, np.where(sd > 1e-12, sd, 1.0)


def fit_logistic(z, pair, y, w, lam, start=None):
    """Minimise sum w * logloss / sum w + lam / 2 * (|coef|^2 + |pair|^2) (intercept free) by
    L-BFGS; returns (coef, pair (211, last 0), intercept)."""
    from scipy.optimize import minimize

    nf = z.shape[1]
    w = w / w.sum()

    def f(theta):
        coef, tab, b = theta[:nf], np.append(theta[nf:nf + N_PAIRS], 0.0), theta[-1]
        s = z @ coef + tab[pair] + b
        # log(1 + e^s) - y s, stably
        loss = np.sum(w * (np.logaddexp(0, s) - y * s))
        r = w * (1 / (1 + np.exp(-s)) - y)
        g_tab = np.bincount(pair, weights=r, minlength=N_PAIRS + 1)[:N_PAIRS]
        reg = 0.5 * lam * (coef @ coef + theta[nf:nf + N_PAIRS] @ theta[nf:nf + N_PAIRS])
        grad = np.concatenate([z.T @ r + lam * coef, g_tab + lam * theta[nf:nf + N_PAIRS], [r.sum()]])
        return loss + reg, grad

    x0 = np.zeros(nf + N_PAIRS + 1) if start is None else start
    res = minimize(f, x0, jac=True, method="L-BFGS-B", options={"maxiter": 500, "gtol": 1e-7})
    th = res.x
    return th[:nf], np.append(th[nf:nf + N_PAIRS], 0.0), float(th[-1]), th


def _fit(chains, features, lam, start=None):
    mean, scale = _standardisation(chains, features)
    z = _design(chains, features, mean, scale)
    pair = np.concatenate([c.pair for c in chains])
    y = np.concatenate([c.label for c in chains])
    w = np.concatenate([c.weight * np.where(c.long, LONG_WEIGHT, 1.0) for c in chains])
    coef, tab, b, th = fit_logistic(z, pair, y, w, lam, start)
    return ContactHead(tuple(features), mean, scale, coef, tab, b, lam), th


def long_precisions(head: ContactHead, c: ChainData) -> tuple[float, float]:
    """Long-range (P@L, P@L/5) of head on one collected chain (ties by index order)."""
    z = head.design(c.raw, c.agreement_weight)
    s = z @ head.coef + head.pair[c.pair] + head.intercept
    m = c.long
    if not m.any():
        return float("nan"), float("nan")
    order = np.argsort(-s[m], kind="stable")
    y = c.label[m][order]
    return float(y[:max(1, c.n)].mean()), float(y[:max(1, c.n // 5)].mean())


def fit_contact_head(chains: list[ChainData], attention: bool = True, lambdas=LAMBDAS) -> ContactHead:
    """Fit the head on collected training chains; lambda by inner CV over their folds (each inner
    fold held out in turn; score = mean over held-out units of (long P@L + long P@L/5) / 2)."""
    features = [f for f in HEAD_FEATURES if attention or f not in ATTENTION_FEATURES]
    inner = sorted({c.fold for c in chains})
    scores = {}
    if len(inner) >= 2:
        for k in inner:
            fit_on = [c for c in chains if c.fold != k]
            test = [c for c in chains if c.fold == k]
            start = None
            for lam in lambdas:        # strongest first; warm start down the path
                head, start = _fit(fit_on, features, lam, start)
                units = {}
                for c in test:
                    units.setdefault(c.unit, []).append(np.nanmean(long_precisions(head, c)))
                scores.setdefault(lam, []).extend(float(np.nanmean(v)) for v in units.values())
        mean = {lam: float(np.nanmean(v)) for lam, v in scores.items()}
        best = max(lambdas, key=lambda lam: (round(mean[lam], 12), lam))
    else:
        mean, best = {}, lambdas[len(lambdas) // 2]
    head, _ = _fit(chains, features, best)
    head.inner_scores = {f"{lam:g}": round(v, 5) for lam, v in mean.items()}
    return head


def training_examples(card: dict):
    """The chains a member (card) was trained on: its dssp50 train_ids and family chains."""
    from attnbio.protein.data import load_dssp50, load_families

    data = card["data"]
    fams = set(data.get("family_ids", []))
    return load_dssp50(data["train_ids"]) + [e for e in load_families() if f"{e.group}/{e.id}" in fams]
