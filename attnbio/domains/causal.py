"""Attention is not causation: attention weights vs interventional effects on a known graph.

A simulated allosteric protein has M sites. Each site p has a ligand pocket (occupancy
L_p in {0, 1}) and a conformational readout C_j (a two-state switch, the fraction in the
active state). The true causal graph holds sparse edges p -> j: ligand at p shifts the
conformational equilibrium at j (a Monod-Wyman-Changeux-like coupling, Monod, Wyman &
Changeux 1965). Hidden confounders U_k (think pH, temperature, expression level) raise ligand
occupancy at some sites and shift conformations at other sites, so in observational data a
pocket can predict a distant conformation without causing it (Pearl, Causality, 2009, ch. 3).

Two single-layer attention models (scaled dot-product attention, Vaswani et al. 2017) read all
sites' ligand tokens and predict each site's conformation: one is trained on observational
data, one on interventional data in which ligands are set by the experimenter (randomised
do(L), independent of U). Edge scores are compared with the truth by AUROC: the mean attention
weight A[j, p], and the in-silico interventional effect |E[C_j | do(L_p=1)] - E[C_j | do(L_p=0)]|
(the attribution question of Jain & Wallace 2019, "Attention is not Explanation").
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnbio.domains import tick
from attnbio.errors import InputError


@dataclass
class AllosteryTruth:
    """The simulator's parameters: weights (M, M) with W[p, j] the effect of ligand p on site j."""

    weights: np.ndarray         # (M, M) true causal coupling, zero off the graph
    conf_ligand: np.ndarray     # (K, M) confounder -> ligand binding logit
    conf_conform: np.ndarray    # (K, M) confounder -> conformation logit
    bias: np.ndarray            # (M,) conformation logit offset
    noise: float                # sd of measurement noise on C

    @property
    def edges(self) -> np.ndarray:
        """(M, M) boolean true causal edges p -> j (diagonal excluded by construction)."""
        return self.weights != 0


def make_truth(rng: np.random.Generator, n_sites: int = 10, density: float = 0.15,
               n_confounders: int = 4, confounding: float = 4.0, noise: float = 0.05) -> AllosteryTruth:
    """Draw a random sparse causal graph and confounders that link pockets to distant sites.

    Each confounder drives ligand binding at 3 sites and conformation at 3 other sites, with
    strength `confounding` (logit units); causal couplings have |W| in [1, 2] logit units.
    """
    m = n_sites
    edges = (rng.random((m, m)) < density) & ~np.eye(m, dtype=bool)
    weights = np.where(edges, rng.choice([-1.0, 1.0], (m, m)) * rng.uniform(1.0, 2.0, (m, m)), 0.0)
    conf_l = np.zeros((n_confounders, m))
    conf_c = np.zeros((n_confounders, m))
    for k in range(n_confounders):
        sites = rng.permutation(m)
        conf_l[k, sites[:3]] = confounding
        conf_c[k, sites[3:6]] = confounding * rng.choice([-1.0, 1.0], 3)
    return AllosteryTruth(weights, conf_l, conf_c, rng.normal(0, 0.5, m), noise)


def simulate(truth: AllosteryTruth, n: int, rng: np.random.Generator,
             interventional: bool) -> tuple[np.ndarray, np.ndarray]:
    """(L, C), each (n, M): ligand occupancies and active-state fractions.

    Observational: L_p ~ Bernoulli(sigmoid(U @ conf_ligand)). Interventional: the experimenter
    sets each L_p by a fair coin, so L is independent of the confounders U.
    """
    k, m = truth.conf_ligand.shape
    u = rng.normal(size=(n, k))
    if interventional:
        lig = (rng.random((n, m)) < 0.5).astype(np.float64)
    else:
        lig = (rng.random((n, m)) < _sigmoid(u @ truth.conf_ligand)).astype(np.float64)
    logit = (lig - 0.5) @ truth.weights + u @ truth.conf_conform + truth.bias
    conf = _sigmoid(logit) + truth.noise * rng.normal(size=(n, m))
    return lig, conf


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def make_model(n_sites: int, dim: int = 16, heads: int = 2):
    """Multi-head attention over site tokens that returns its head-averaged (batch, M, M) map.

    Token p = site embedding + occupancy * that site's bound-state vector. The query of site j
    uses only its identity, so A[j, p] says which pockets site j reads. Self-attention is masked:
    a site's own pocket is not an allosteric partner. Two heads let a site read two causes
    without one softmax having to split between them.
    """
    import torch
    from torch import nn

    hd = dim // heads

    class SiteAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.site = nn.Parameter(0.5 * torch.randn(n_sites, dim))
            self.ligand = nn.Parameter(0.5 * torch.randn(n_sites, dim))
            self.q, self.k, self.v = (nn.Linear(dim, dim) for _ in range(3))
            self.out = nn.Sequential(nn.Linear(2 * dim, dim), nn.GELU(), nn.Linear(dim, 1))
            self.register_buffer("mask", torch.eye(n_sites, dtype=torch.bool))

        def split(self, x):                                             # (B, M, D) -> (B, H, M, d)
            return x.unflatten(-1, (heads, hd)).transpose(1, 2)

        def forward(self, lig):
            tokens = self.site + lig[..., None] * self.ligand          # (B, M, D)
            q = self.split(self.q(self.site).expand_as(tokens))
            logits = q @ self.split(self.k(tokens)).transpose(-1, -2) / hd ** 0.5
            attn = torch.softmax(logits.masked_fill(self.mask, float("-inf")), dim=-1)
            ctx = (attn @ self.split(self.v(tokens))).transpose(1, 2).flatten(2)
            h = torch.cat([ctx, self.site.expand_as(ctx)], dim=-1)
            return self.out(h).squeeze(-1), attn.mean(1)

    return SiteAttention()


def train(lig: np.ndarray, conf: np.ndarray, epochs: int = 100, lr: float = 1e-2,
          batch: int = 1024, seed: int = 0):
    """Fit a SiteAttention model by MSE with Adam (Kingma & Ba 2015); returns (model, final MSE)."""
    import torch

    with torch.random.fork_rng(devices=[]):   # seed the initial weights, not the caller's RNG
        torch.manual_seed(seed)
        model = make_model(lig.shape[1])
    x = torch.tensor(lig, dtype=torch.float32)
    y = torch.tensor(conf, dtype=torch.float32)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for idx in torch.randperm(len(x), generator=gen).split(batch):
            opt.zero_grad()
            loss = (model(x[idx])[0] - y[idx]).pow(2).mean()
            loss.backward()
            opt.step()
    with torch.no_grad():
        mse = float((model(x)[0] - y).pow(2).mean())
    return model, mse


def edge_scores(model, lig: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(attention, effect), each (M, M) indexed [p, j]: mean attention of j on p, and the
    in-silico interventional effect |mean_x f(x; L_p=1)_j - f(x; L_p=0)_j| over samples x."""
    import torch

    x = torch.tensor(lig, dtype=torch.float32)
    m = x.shape[1]
    effect = np.zeros((m, m))
    with torch.no_grad():
        attention = model(x)[1].mean(0).numpy().T.astype(np.float64)
        for p in range(m):
            on, off = x.clone(), x.clone()
            on[:, p], off[:, p] = 1.0, 0.0
            effect[p] = (model(on)[0] - model(off)[0]).mean(0).abs().numpy()
    return attention, effect


def true_effects(truth: AllosteryTruth, lig: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(M, M) |E[C_j | do(L_p=1)] - E[C_j | do(L_p=0)]| from the simulator itself (Monte Carlo)."""
    k, m = truth.conf_ligand.shape
    u = rng.normal(size=(len(lig), k))
    out = np.zeros((m, m))
    for p in range(m):
        on, off = lig.copy(), lig.copy()
        on[:, p], off[:, p] = 1.0, 0.0
        base = u @ truth.conf_conform + truth.bias
        diff = _sigmoid((on - 0.5) @ truth.weights + base) - _sigmoid((off - 0.5) @ truth.weights + base)
        out[p] = np.abs(diff.mean(0))
    return out


@dataclass
class CausalResult:
    """AUROC per score, and one row per directed site pair with all scores."""

    auroc: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    truth: AllosteryTruth | None = None
    maps: dict = field(default_factory=dict)   # score name -> (M, M) array [p, j]


SCORES = {
    "attention_observational": "mean attention weight, model trained on observational data",
    "attention_interventional": "mean attention weight, model trained on interventional data",
    "effect_observational": "in-silico do(L_p) effect of the observational model",
    "effect_interventional": "in-silico do(L_p) effect of the interventional model",
    "correlation_observational": "|Pearson r| of L_p and C_j in observational data",
}


def run_causal(n_sites: int = 10, n_obs: int = 4000, n_int: int = 4000, epochs: int = 100,
               seed: int = 0, confounding: float = 4.0, n_confounders: int = 4) -> CausalResult:
    """Simulate, train both models, score every directed pair p -> j and compute AUROCs.

    n_obs / n_int: observational / interventional samples; confounding: logit strength of each
    hidden confounder on its pockets and distant sites.
    """
    from attnbio.stats import auroc

    rng = np.random.default_rng(seed)
    truth = make_truth(rng, n_sites, confounding=confounding, n_confounders=n_confounders)
    lig_o, conf_o = simulate(truth, n_obs, rng, interventional=False)
    lig_i, conf_i = simulate(truth, n_int, rng, interventional=True)
    model_o, mse_o = train(lig_o, conf_o, epochs=epochs, seed=seed)
    model_i, mse_i = train(lig_i, conf_i, epochs=epochs, seed=seed)
    att_o, eff_o = edge_scores(model_o, lig_o)
    att_i, eff_i = edge_scores(model_i, lig_i)
    corr = np.abs(np.corrcoef(lig_o.T, conf_o.T)[:n_sites, n_sites:])
    maps = {"attention_observational": att_o, "attention_interventional": att_i,
            "effect_observational": eff_o, "effect_interventional": eff_i,
            "correlation_observational": np.nan_to_num(corr)}
    off = ~np.eye(n_sites, dtype=bool)
    labels = truth.edges[off]
    res = CausalResult(truth=truth, maps=maps)
    mse = {"observational": mse_o, "interventional": mse_i}
    for name, score in maps.items():
        data = name.rsplit("_", 1)[1]
        # AUROC is undefined (NaN) when a small random graph has no edges (or only edges).
        auc = auroc(labels, score[off])
        res.auroc.append({"score": name, "auroc": auc,
                          "n_edges": int(labels.sum()), "n_pairs": int(labels.size),
                          "train_mse": mse[data] if "correlation" not in name else None,
                          "description": SCORES[name]})
    res.edges = _edge_rows(truth, maps, true_effects(truth, lig_i, rng))
    return res


def _edge_rows(truth, maps, effect_true) -> list[dict]:
    m = truth.weights.shape[0]
    rows = []
    for p in range(m):
        for j in range(m):
            if p == j:
                continue
            row = {"ligand_site": p + 1, "conformation_site": j + 1,
                   "true_edge": int(truth.edges[p, j]), "true_weight": truth.weights[p, j],
                   "confounded": int((truth.conf_ligand[:, p] * truth.conf_conform[:, j] != 0).any()),
                   "true_effect": effect_true[p, j]}
            row.update({name: score[p, j] for name, score in maps.items()})
            rows.append(row)
    return rows


EDGE_COLUMNS = ["ligand_site", "conformation_site", "true_edge", "true_weight", "confounded",
                "true_effect", *SCORES]
AUROC_COLUMNS = ["score", "auroc", "n_edges", "n_pairs", "train_mse", "description"]


@dataclass
class CausalRequest:
    """One `attnbio causal` run: the simulated protein, its confounders and the training length."""

    sites: int = 10
    n_obs: int = 4000
    n_int: int = 4000
    confounders: int = 4
    confounding: float = 4.0
    epochs: int = 100
    seed: int = 0

    def check(self) -> None:
        """InputError (named by the command's option) for values the simulation cannot use."""
        if not 6 <= self.sites <= 200:
            raise InputError(f"--sites must be between 6 (a confounder touches 6 sites) and 200, "
                             f"got {self.sites}")
        for name, value in (("--n-obs", self.n_obs), ("--n-int", self.n_int)):
            if not 100 <= value <= 1_000_000:
                raise InputError(f"{name} must be between 100 and 1000000 samples, got {value}")
        if self.confounders < 0:
            raise InputError(f"--confounders must be 0 or more, got {self.confounders}")
        if not 0 <= self.confounding < float("inf"):
            raise InputError(f"--confounding must be a finite number >= 0, got {self.confounding}")
        if self.epochs < 1:
            raise InputError(f"--epochs must be at least 1, got {self.epochs}")


def run(req: CausalRequest, progress=None) -> CausalResult:
    """run_causal on the request's settings (the caller sets torch's threads)."""
    req.check()
    res = run_causal(n_sites=req.sites, n_obs=req.n_obs, n_int=req.n_int, epochs=req.epochs,
                     seed=req.seed, confounding=req.confounding, n_confounders=req.confounders)
    tick(progress, 1, 1)
    return res
