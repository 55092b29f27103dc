"""A small GAN on scikit-learn's real 8x8 digits, with and without self-attention in the discriminator.

Both discriminators use spectral normalisation on every layer (Miyato et al. 2018, "Spectral
normalization for generative adversarial networks"); the attention variant adds one SAGAN
self-attention block over the 8x8 feature map (Zhang et al. 2019, "Self-attention generative
adversarial networks", Sec. 3: f, g, h 1x1 convolutions, output gamma*o + x with gamma = 0 at
start). Training: hinge loss and two time-scale Adam as in SAGAN (Heusel et al. 2017 for TTUR).
Sample quality is read by a logistic-regression digit classifier trained on real digits:
class coverage, mean confidence, and exp(E KL(p(y|x) || p(y))) (Salimans et al. 2016,
"Improved techniques for training GANs", the inception score with a digit classifier).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnbio.domains import tick
from attnbio.errors import InputError

Z_DIM = 32


def load_digits_split(seed: int = 0, test_fraction: float = 0.3):
    """Real 8x8 digits scaled to [-1, 1]: (X_train (n, 64), y_train, X_test, y_test)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = d.data.astype(np.float32) / 16.0 * 2 - 1
    xtr, xte, ytr, yte = train_test_split(x, d.target, test_size=test_fraction, random_state=seed,
                                          stratify=d.target)
    return xtr, ytr, xte, yte


def train_classifier(x, y):
    """Multinomial logistic regression on pixels: the judge of generated digits."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=3000, C=0.1).fit(x, y)


def sample_quality(clf, x, min_share: float = 0.02) -> dict:
    """Quality of images x (n, 64) as the digit classifier sees them.

    coverage: classes predicted for at least min_share of the images (0..10); confidence: mean
    max class probability; effective_classes: exp(entropy) of the predicted class histogram;
    digit_score: exp(mean KL(p(y|x) || p(y))) (1..10, higher is sharper and more diverse).
    """
    p = clf.predict_proba(x)
    counts = np.bincount(p.argmax(1), minlength=10) / len(x)
    marg = p.mean(0)
    kl = (p * (np.log(p + 1e-12) - np.log(marg + 1e-12))).sum(1).mean()
    nz = counts[counts > 0]
    return {"coverage": int((counts >= min_share).sum()), "confidence": float(p.max(1).mean()),
            "effective_classes": float(np.exp(-(nz * np.log(nz)).sum())),
            "digit_score": float(np.exp(kl))}


def build_generator():
    """z (B, 32) -> image (B, 64) in [-1, 1]: a two-hidden-layer MLP."""
    import torch.nn as nn

    return nn.Sequential(nn.Linear(Z_DIM, 128), nn.ReLU(), nn.Linear(128, 256), nn.ReLU(),
                         nn.Linear(256, 64), nn.Tanh())


def build_discriminator(attention: bool, dim: int = 32):
    """Image (B, 64) -> score (B,): 16 patch tokens of 2x2 pixels, optional SAGAN block, MLP head.

    Spectral norm on every weight matrix in both variants; they differ only by the attention.
    """
    import torch
    import torch.nn as nn
    from torch.nn.utils.parametrizations import spectral_norm as sn

    class Discriminator(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = sn(nn.Linear(4 + 16, dim))      # patch pixels + one-hot patch position
            self.attn = _self_attention(dim) if attention else None
            self.head = nn.Sequential(nn.LeakyReLU(0.2), nn.Flatten(), sn(nn.Linear(16 * dim, 128)),
                                      nn.LeakyReLU(0.2), sn(nn.Linear(128, 1)), nn.Flatten(0))
            self.register_buffer("pos", torch.eye(16))

        def forward(self, x):
            # (B, 64) -> (B, 16 patches, 4 pixels): 2x2 patches of the 8x8 image.
            p = x.view(-1, 4, 2, 4, 2).permute(0, 1, 3, 2, 4).reshape(-1, 16, 4)
            h = self.embed(torch.cat([p, self.pos.expand(len(p), -1, -1)], dim=-1))
            if self.attn is not None:
                h = self.attn(h)
            return self.head(h)

    return Discriminator()


def _self_attention(dim: int):
    """SAGAN self-attention over tokens (B, N, dim): x + gamma * softmax(f(x) g(x)^T) h(x)."""
    import torch
    import torch.nn as nn
    from torch.nn.utils.parametrizations import spectral_norm as sn

    class SelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.f = sn(nn.Linear(dim, dim // 4))   # queries (SAGAN uses C/8 channels)
            self.g = sn(nn.Linear(dim, dim // 4))   # keys
            self.h = sn(nn.Linear(dim, dim))        # values
            self.gamma = nn.Parameter(torch.zeros(()))   # starts as the identity
            self.last_map = None

        def forward(self, x):
            attn = torch.softmax(self.f(x) @ self.g(x).transpose(1, 2), dim=-1)   # (B, N, N)
            self.last_map = attn.detach()
            return x + self.gamma * (attn @ self.h(x))

    return SelfAttention()


@dataclass
class RunResult:
    """One GAN run: per-step history (dict of lists), final samples (n, 64) and summaries."""
    history: dict
    samples: np.ndarray
    gamma: float | None


def train_gan(x_train, attention: bool, steps: int = 1000, batch: int = 64, seed: int = 0,
              n_samples: int = 1000, log_every: int = 10, lr_g: float = 2e-4, lr_d: float = 2e-3,
              betas=(0.0, 0.9)) -> RunResult:
    """Train with hinge loss and Adam(0, 0.9), D faster than G (TTUR), one D step per G step.

    Learning rates (G 2e-4, D 2e-3) were picked on seed 0 for the plain discriminator among
    three TTUR settings so that 1000 steps give recognisable digits; both variants share them.

    history holds every log_every steps: step, d_loss, g_loss, d_grad_norm, g_grad_norm (L2
    over all parameters of that network, before the optimiser step).
    """
    import torch

    with torch.random.fork_rng(devices=[]):   # seed the initial weights, not the caller's RNG
        torch.manual_seed(seed)
        gen, disc = build_generator(), build_discriminator(attention)
    opt_g = torch.optim.Adam(gen.parameters(), lr=lr_g, betas=betas)
    opt_d = torch.optim.Adam(disc.parameters(), lr=lr_d, betas=betas)
    data = torch.as_tensor(x_train, dtype=torch.float32)
    g = torch.Generator().manual_seed(seed)
    hist = {k: [] for k in ("step", "d_loss", "g_loss", "d_grad_norm", "g_grad_norm")}
    for step in range(1, steps + 1):
        real = data[torch.randint(len(data), (batch,), generator=g)]
        z = torch.randn(batch, Z_DIM, generator=g)
        d_loss = (torch.relu(1 - disc(real)).mean() + torch.relu(1 + disc(gen(z).detach())).mean())
        opt_d.zero_grad()
        d_loss.backward()
        d_norm = _grad_norm(disc)
        opt_d.step()
        g_loss = -disc(gen(torch.randn(batch, Z_DIM, generator=g))).mean()
        opt_g.zero_grad()
        g_loss.backward()
        g_norm = _grad_norm(gen)
        opt_g.step()
        if step % log_every == 0 or step == steps:
            for k, v in zip(hist, (step, d_loss.item(), g_loss.item(), d_norm, g_norm)):
                hist[k].append(v)
    with torch.no_grad():
        samples = gen(torch.randn(n_samples, Z_DIM, generator=g)).view(n_samples, 64).numpy()
    gamma = float(disc.attn.gamma.item()) if attention else None
    return RunResult(hist, samples, gamma)


def _grad_norm(module) -> float:
    import torch

    grads = [p.grad.detach().flatten() for p in module.parameters() if p.grad is not None]
    return float(torch.cat(grads).norm())


def summarise(run: RunResult, clf, tail: float = 0.2) -> dict:
    """Mean losses and gradient norms over the last `tail` of training, and sample quality."""
    n = max(1, int(len(run.history["step"]) * tail))
    row = {k: float(np.mean(run.history[k][-n:])) for k in ("d_loss", "g_loss", "d_grad_norm",
                                                            "g_grad_norm")}
    row["max_d_grad_norm"] = float(np.max(run.history["d_grad_norm"]))
    row.update(sample_quality(clf, run.samples))
    row["attention_gamma"] = run.gamma
    return row


def _train_one(args) -> RunResult:
    """One seeded run in a worker process, on one thread (the nets are too small for more)."""
    import torch

    torch.set_num_threads(1)    # this worker process's own setting; the caller's is untouched
    return train_gan(*args)


def compare(x_train, clf, seeds, steps: int = 1000, batch: int = 64,
            n_samples: int = 1000, workers: int = 1) -> tuple[list, list]:
    """Train both discriminator variants for every seed: (per-seed rows, history rows).

    Runs are independent and seeded, so `workers` > 1 trains them in parallel processes with
    the same results as one process, in the same order.
    """
    jobs = [(x_train, attention, steps, batch, seed, n_samples) for seed in seeds for attention in (False, True)]
    if workers > 1 and len(jobs) > 1:
        import concurrent.futures as cf
        import multiprocessing as mp

        with cf.ProcessPoolExecutor(min(workers, len(jobs)), mp_context=mp.get_context("spawn")) as pool:
            runs = list(pool.map(_train_one, jobs))
    else:
        runs = [train_gan(*job) for job in jobs]
    rows, hist = [], []
    for (_, attention, _, _, seed, _), run in zip(jobs, runs):
        name = "attention" if attention else "plain"
        rows.append({"seed": seed, "discriminator": name, **summarise(run, clf), "_samples": run.samples})
        h = run.history
        hist += [{"seed": seed, "discriminator": name, **{k: h[k][i] for k in h}} for i in range(len(h["step"]))]
    return rows, hist


def summary_rows(rows, references: dict, keys) -> list[dict]:
    """Mean and SD over seeds per variant, then the reference image sets (real, noise)."""
    out = []
    for name in ("plain", "attention"):
        sub = [r for r in rows if r["discriminator"] == name]
        row = {"group": f"gan_{name}", "n_seeds": len(sub)}
        for k in keys:
            vals = np.array([r[k] for r in sub], dtype=float)
            row[f"{k}_mean"] = float(vals.mean())
            row[f"{k}_sd"] = float(vals.std(ddof=1)) if len(vals) > 1 else None
        out.append(row)
    for name, q in references.items():
        out.append({"group": name, **{f"{k}_mean": q.get(k) for k in keys}})
    return out


METRICS = ["d_loss", "g_loss", "d_grad_norm", "g_grad_norm", "max_d_grad_norm", "coverage",
           "confidence", "effective_classes", "digit_score"]


@dataclass
class GanRequest:
    """One `attnbio gan` run: `n_seeds` runs per variant from `seed`, trained `workers` at a time."""

    steps: int = 1000
    n_seeds: int = 3
    batch: int = 64
    samples: int = 1000
    seed: int = 0
    workers: int = 1     # parallel processes of one thread each; results do not depend on it

    def check(self) -> None:
        """InputError (named by the command's option) for values out of range."""
        for name, value, low, high in (("--steps", self.steps, 10, 10**7),
                                       ("--seeds", self.n_seeds, 1, 1000),
                                       ("--batch", self.batch, 2, 1024),
                                       ("--samples", self.samples, 10, 10**6)):
            if not low <= value <= high:
                raise InputError(f"{name} must be between {low} and {high}, got {value}")


@dataclass
class GanResult:
    """Per-seed rows (METRICS, attention_gamma, _samples (n, 64)), the summary with references,
    the training history rows and the judge's held-out accuracy."""

    rows: list = field(default_factory=list)
    summary: list = field(default_factory=list)
    history: list = field(default_factory=list)
    judge: list = field(default_factory=list)


def run(req: GanRequest, progress=None) -> GanResult:
    """Train both discriminator variants for every seed and judge the samples.

    The caller seeds the process (attnbio.runtime.seed_everything) and sets its threads; each
    run seeds its own generators, so the tables do not depend on that except through `seed`.
    """
    req.check()
    xtr, ytr, xte, yte = load_digits_split(seed=0)      # fixed split: one judge for all seeds
    clf = train_classifier(xtr, ytr)
    noise = np.random.default_rng(req.seed).uniform(-1, 1, size=(req.samples, 64))
    refs = {"real_heldout": sample_quality(clf, xte), "uniform_noise": sample_quality(clf, noise)}
    tick(progress, 1, 2)
    rows, hist = compare(xtr, clf, [req.seed + i for i in range(req.n_seeds)], req.steps,
                         req.batch, req.samples, req.workers)
    tick(progress, 2, 2)
    judge = [("logistic_regression", clf.score(xte, yte), len(xtr), len(xte))]
    return GanResult(rows, summary_rows(rows, refs, METRICS), hist, judge)
