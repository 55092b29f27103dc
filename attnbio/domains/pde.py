"""The 1-D heat equation as one attention step over grid cells.

Grid cells are tokens; attention logits depend only on the periodic distance between two cells,
logit(i, j) = -beta * d(i, j)**2, so one attention step is a positive, normalised smoothing
kernel. One scale parameter beta is fitted so that one attention step reproduces one explicit
FTCS step u_i + r (u_{i+1} - 2 u_i + u_{i-1}) with r = alpha dt / dx**2 (forward-time
centred-space; stable only for r <= 1/2 by von Neumann's analysis, O'Brien, Hyman & Kaplan
1951). Because softmax weights are positive and sum to one, the attention step is a convex
average: it obeys the discrete maximum principle and cannot blow up, whatever r is. The exact
heat kernel over one time step is a Gaussian with variance 2 r cells**2 (Evans, Partial
Differential Equations, 2nd ed., section 2.3), which a squared-distance logit can represent;
FTCS matches only its first two moments.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnbio.domains import tick
from attnbio.errors import InputError

DEFAULT_RATIOS = (0.1, 0.25, 0.4, 0.6, 1.0)


@dataclass
class PdeResult:
    """Everything `attnbio pde` reports; each table is a list of row dicts."""

    fits: list = field(default_factory=list)        # one row per r: beta, kernel variance, fit loss
    kernel: list = field(default_factory=list)      # one row per (r, distance): three kernels
    errors: list = field(default_factory=list)      # one row per (r, step): error vs analytic
    stability: list = field(default_factory=list)   # one row per r: growth over a long rollout
    trajectories: dict = field(default_factory=dict)  # r -> (steps, max|u| FTCS, max|u| attention)


def periodic_distance(n_cells: int) -> np.ndarray:
    """(n, n) periodic distance in cells between cell centres of a ring of n cells."""
    idx = np.arange(n_cells)
    d = np.abs(idx[:, None] - idx[None, :])
    return np.minimum(d, n_cells - d).astype(np.float64)


def attention_matrix(beta: float, n_cells: int) -> np.ndarray:
    """(n, n) row-stochastic attention map softmax_j(-beta d(i, j)**2)."""
    logits = -beta * periodic_distance(n_cells) ** 2
    logits -= logits.max(axis=1, keepdims=True)
    w = np.exp(logits)
    return w / w.sum(axis=1, keepdims=True)


def ftcs_step(u: np.ndarray, r: float) -> np.ndarray:
    """One explicit FTCS step on a periodic grid; u has shape (..., n)."""
    return u + r * (np.roll(u, 1, axis=-1) - 2 * u + np.roll(u, -1, axis=-1))


def smooth_fields(rng: np.random.Generator, n_fields: int, n_cells: int, max_mode: int) -> np.ndarray:
    """(n_fields, n_cells) random sums of the first `max_mode` Fourier modes, unit scale."""
    x = (np.arange(n_cells) + 0.5) / n_cells
    k = np.arange(1, max_mode + 1)
    amp = rng.normal(size=(n_fields, max_mode, 2)) / k[None, :, None]
    arg = 2 * np.pi * k[:, None] * x[None, :]
    return amp[..., 0] @ np.sin(arg) + amp[..., 1] @ np.cos(arg)


def fit_beta(r: float, n_cells: int, rng: np.random.Generator, n_fields: int = 256,
             max_mode: int = 3) -> tuple[float, float]:
    """Fit beta so one attention step matches one FTCS step on smooth random fields.

    Returns (beta, relative RMS mismatch of the increment u' - u). Gradient-based (L-BFGS,
    Liu & Nocedal 1989) on log beta, through the softmax, as one would train attention.
    """
    import torch

    u = torch.tensor(smooth_fields(rng, n_fields, n_cells, max_mode))
    target = torch.tensor(ftcs_step(u.numpy(), r))
    d2 = torch.tensor(periodic_distance(n_cells) ** 2)
    # Start from the heat-kernel value beta = 1/(4r); below r = 0.1 from the beta whose
    # neighbour-to-centre weight ratio exp(-beta) is FTCS's r / (1 - 2r) instead, because the
    # heat-kernel start puts ~exp(-1/(4r)) on the neighbours there and the gradient vanishes.
    # Fit on the increment so the loss is not dominated by the identity part of the step.
    start = 1.0 / (4 * r) if r >= 0.1 else np.log((1 - 2 * r) / r)
    log_beta = torch.tensor(np.log(start), requires_grad=True)
    opt = torch.optim.LBFGS([log_beta], lr=0.5, max_iter=100, line_search_fn="strong_wolfe")
    scale = (target - u).pow(2).mean()

    def loss_fn():
        opt.zero_grad()
        attn = torch.softmax(-log_beta.exp() * d2, dim=-1)
        loss = ((u @ attn.T - target).pow(2).mean()) / scale
        loss.backward()
        return loss

    opt.step(loss_fn)
    loss = loss_fn().item()
    return float(log_beta.detach().exp()), float(np.sqrt(loss))


def kernel_rows(r: float, beta: float, n_cells: int, max_distance: int = 4) -> list[dict]:
    """Attention kernel, FTCS stencil and exact heat kernel (cell-sampled Gaussian) by distance."""
    attn = attention_matrix(beta, n_cells)[0]
    rows = []
    for d in range(-max_distance, max_distance + 1):
        ftcs = {0: 1 - 2 * r, 1: r}.get(abs(d), 0.0)
        exact = np.exp(-d * d / (4 * r)) / np.sqrt(4 * np.pi * r)
        rows.append({"r": r, "distance": d, "attention": float(attn[d % n_cells]),
                     "ftcs": ftcs, "heat_kernel": float(exact)})
    return rows


def analytic_solution(amp: np.ndarray, n_cells: int, steps: np.ndarray, r: float) -> np.ndarray:
    """(len(steps), n) exact solution at cell centres for u0 = sum_k amp_k sin(2 pi k x).

    Length 1, alpha = 1, so dx = 1/n and dt = r dx**2; mode k decays as exp(-(2 pi k)**2 t).
    """
    x = (np.arange(n_cells) + 0.5) / n_cells
    k = np.arange(1, len(amp) + 1)
    t = np.asarray(steps, dtype=np.float64) * r / n_cells ** 2
    decay = np.exp(-np.outer(t, (2 * np.pi * k) ** 2))
    return (decay * amp) @ np.sin(2 * np.pi * np.outer(k, x))


def rollout(u0: np.ndarray, n_steps: int, step) -> np.ndarray:
    """(n_steps + 1, n) states of repeated `step`, stopping the growth at 1e12 (FTCS blow-up)."""
    out = np.empty((n_steps + 1, u0.size))
    out[0] = u0
    for i in range(n_steps):
        out[i + 1] = np.clip(step(out[i]), -1e12, 1e12)
    return out


def run_pde(ratios=DEFAULT_RATIOS, n_cells: int = 64, n_steps: int = 2000, seed: int = 0,
            error_steps=(10, 50, 100, 200, 500), noise: float = 1e-6,
            train_modes: int = 3) -> PdeResult:
    """Fit the attention heat step for each r and compare it with FTCS and the exact solution.

    ratios: r = alpha dt / dx**2 values; n_cells: grid size; n_steps: long-rollout length;
    noise: amplitude of white noise added to the rollout's start (it excites the high modes
    that decide stability, as round-off would, only sooner); train_modes: the fitting fields
    hold Fourier modes 1..train_modes (the resolved, smooth regime the PDE step is meant for).
    """
    rng = np.random.default_rng(seed)
    res = PdeResult()
    amp = rng.normal(size=3)
    for r in ratios:
        beta, misfit = fit_beta(r, n_cells, rng, max_mode=train_modes)
        attn = attention_matrix(beta, n_cells)
        d = periodic_distance(n_cells)[0]
        res.fits.append({"r": r, "beta": beta, "beta_heat_kernel": 1 / (4 * r),
                         "attention_variance": float((attn[0] * d ** 2).sum()),
                         "ftcs_variance": 2 * r, "heat_variance": 2 * r, "fit_rel_rmse": misfit})
        res.kernel.extend(kernel_rows(r, beta, n_cells))
        res.errors.extend(_error_rows(r, attn, amp, n_cells, error_steps))
        res.stability.append(_stability_row(r, attn, amp, n_cells, n_steps, noise, rng, res))
    return res


def _error_rows(r, attn, amp, n_cells, error_steps) -> list[dict]:
    u0 = analytic_solution(amp, n_cells, [0], r)[0]
    last = max(error_steps)
    exact = analytic_solution(amp, n_cells, np.arange(last + 1), r)
    ftcs = rollout(u0, last, lambda u: ftcs_step(u, r))
    att = rollout(u0, last, lambda u: attn @ u)
    rows = []
    for s in error_steps:
        norm = np.sqrt(np.mean(exact[s] ** 2))
        if norm == 0:      # the exact solution has decayed below float range: no relative error
            rows.append({"r": r, "step": s, "time": s * r / n_cells ** 2,
                         "rel_error_ftcs": float("nan"), "rel_error_attention": float("nan")})
            continue
        rows.append({"r": r, "step": s, "time": s * r / n_cells ** 2,
                     "rel_error_ftcs": float(np.sqrt(np.mean((ftcs[s] - exact[s]) ** 2)) / norm),
                     "rel_error_attention": float(np.sqrt(np.mean((att[s] - exact[s]) ** 2)) / norm)})
    return rows


def _stability_row(r, attn, amp, n_cells, n_steps, noise, rng, res) -> dict:
    u0 = analytic_solution(amp, n_cells, [0], r)[0] + noise * rng.normal(size=n_cells)
    ftcs = np.abs(rollout(u0, n_steps, lambda u: ftcs_step(u, r))).max(axis=1)
    att = np.abs(rollout(u0, n_steps, lambda u: attn @ u)).max(axis=1)
    res.trajectories[r] = (np.arange(n_steps + 1), ftcs, att)
    m0 = ftcs[0]
    return {"r": r, "steps": n_steps, "max_abs_u0": m0,
            "growth_ftcs": float(ftcs.max() / m0), "growth_attention": float(att.max() / m0),
            "stable_ftcs": bool(ftcs.max() <= m0 * (1 + 1e-9)),
            "stable_attention": bool(att.max() <= m0 * (1 + 1e-9))}


#: r outside this range makes a kernel narrower than 1e-3 cells or wider than a small grid.
R_MIN, R_MAX = 1e-3, 10.0
MAX_CELLS = 4096


@dataclass
class PdeRequest:
    """One `attnbio pde` run: the r = alpha dt / dx**2 values, grid, rollout length, fit modes."""

    ratios: tuple = DEFAULT_RATIOS
    cells: int = 64
    steps: int = 2000
    train_modes: int = 3
    seed: int = 0

    def check(self) -> None:
        """InputError (named by the command's option) for values the method cannot use."""
        if not self.ratios or any(not R_MIN <= v <= R_MAX for v in self.ratios):
            raise InputError(f"--ratios needs one or more numbers between {R_MIN:g} and {R_MAX:g}, "
                             f"got '{','.join(map(str, self.ratios))}'")
        if not 8 <= self.cells <= MAX_CELLS:
            raise InputError(f"--cells must be between 8 and {MAX_CELLS}, got {self.cells}")
        if self.steps < 1 or self.train_modes < 1:
            raise InputError(f"--steps and --train-modes must be at least 1, got {self.steps} "
                             f"and {self.train_modes}")
        if 2 * self.train_modes >= self.cells:
            raise InputError(f"--train-modes must be below cells/2 = {self.cells // 2}, "
                             f"got {self.train_modes}")


def run(req: PdeRequest, progress=None) -> PdeResult:
    """run_pde on the request's settings (the caller sets torch's threads and seed)."""
    req.check()
    res = run_pde(list(req.ratios), n_cells=req.cells, n_steps=req.steps, seed=req.seed,
                  train_modes=req.train_modes)
    tick(progress, 1, 1)
    return res
