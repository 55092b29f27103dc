"""Sensor fusion by one attention token: a fusion query over camera, lidar and IMU tokens.

The fusion token's query scores each sensor token by a dot product with a key that carries
the sensor's identity (one-hot, scored by its calibrated log precision) and its consistency
with the other sensors (squared Mahalanobis residual to the coordinate-wise median). The
fused state is the softmax(score / tau)-weighted sum of the sensors' readings, so tau sets
how hard the token trusts the most consistent sensor.

Attention: Vaswani et al. 2017, "Attention is all you need" (scaled dot-product attention, Eq. 1);
learned fusion tokens as in Nagrani et al. 2021, "Attention bottlenecks for multimodal fusion";
median consensus residual as the robust innovation, cf. Huber 1981, "Robust statistics".
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnbio.domains import tick
from attnbio.errors import InputError

SENSORS = ("camera", "lidar", "imu")
#: Calibrated noise level of each healthy sensor (state units, per coordinate).
SIGMA = {"camera": 0.20, "lidar": 0.10, "imu": 0.15}
FAULTS = ("bias", "noise", "stuck")


@dataclass
class Streams:
    """Simulated sensor streams of one 2-D state.

    truth: (T, 2) true state; readings: (S, T, 2) one reading per sensor and step;
    sigma: (S,) calibrated noise per sensor; faulty: index of the corrupted sensor;
    fault_mask: (T,) True where the fault is active.
    """
    truth: np.ndarray
    readings: np.ndarray
    sigma: np.ndarray
    faulty: int
    fault_mask: np.ndarray
    names: tuple = field(default=SENSORS)


def simulate(n_steps: int = 2000, faulty: str = "lidar", fault: str = "bias",
             fault_size: float = 3.0, fault_start: float = 0.25, seed: int = 0) -> Streams:
    """Camera (white noise), lidar (white noise) and IMU (drifting AR(1) noise) views of a 2-D walk.

    The state is a smooth random walk (units: metres). From step fault_start*n_steps on, the
    faulty sensor is corrupted: 'bias' adds a constant offset of fault_size, 'noise' adds
    white noise of std fault_size, 'stuck' freezes its reading at the last healthy value.
    """
    rng = np.random.default_rng(seed)
    vel = np.cumsum(rng.normal(0, 0.02, size=(n_steps, 2)), axis=0) * 0.95
    truth = np.cumsum(vel, axis=0) * 0.1
    sigma = np.array([SIGMA[s] for s in SENSORS])
    readings = np.empty((len(SENSORS), n_steps, 2))
    readings[0] = truth + rng.normal(0, sigma[0], size=truth.shape)
    readings[1] = truth + rng.normal(0, sigma[1], size=truth.shape)
    readings[2] = truth + _ar1(rng, n_steps, sigma[2], phi=0.9)
    k = SENSORS.index(faulty)
    start = int(fault_start * n_steps)
    mask = np.arange(n_steps) >= start
    readings[k] = _corrupt(readings[k], mask, fault, fault_size, rng)
    return Streams(truth, readings, sigma, k, mask)


def _ar1(rng, n: int, sigma: float, phi: float) -> np.ndarray:
    """AR(1) noise with stationary std sigma: slow drift, like an integrating IMU."""
    eps = rng.normal(0, sigma * np.sqrt(1 - phi**2), size=(n, 2))
    out = np.empty((n, 2))
    out[0] = rng.normal(0, sigma, size=2)
    for t in range(1, n):
        out[t] = phi * out[t - 1] + eps[t]
    return out


def _corrupt(x: np.ndarray, mask: np.ndarray, fault: str, size: float, rng) -> np.ndarray:
    x = x.copy()
    if fault == "bias":
        x[mask] += size
    elif fault == "noise":
        x[mask] += rng.normal(0, size, size=(int(mask.sum()), 2))
    elif fault == "stuck":
        first = int(np.argmax(mask))
        x[mask] = x[max(first - 1, 0)]
    else:
        raise ValueError(f"unknown fault {fault!r}")
    return x


def tokens(streams: Streams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keys (T, S, S+1), fusion query (S+1,) and values (T, S, 2) of the fusion attention.

    Key of sensor s = [one-hot identity of s, -r_s/2] with r_s the squared Mahalanobis residual
    of its reading to the median of all readings; query = [log precision of each sensor, 1].
    Hence score_s = log(1/sigma_s^2) - r_s/2: a Gaussian log-likelihood under the consensus.
    """
    r = streams.readings                                  # (S, T, 2)
    consensus = np.median(r, axis=0)                      # robust to one faulty sensor of three
    resid = ((r - consensus) ** 2).sum(-1) / streams.sigma[:, None] ** 2   # (S, T)
    n_s, n_t = resid.shape
    keys = np.zeros((n_t, n_s, n_s + 1))
    keys[:, np.arange(n_s), np.arange(n_s)] = 1.0
    keys[:, :, -1] = -0.5 * resid.T
    query = np.append(np.log(1.0 / streams.sigma**2), 1.0)
    return keys, query, np.transpose(r, (1, 0, 2))


def fuse(streams: Streams, tau: float) -> tuple[np.ndarray, np.ndarray]:
    """Fused state (T, 2) and attention weights (T, S) at temperature tau > 0."""
    keys, query, values = tokens(streams)
    scores = keys @ query / tau                           # (T, S)
    scores -= scores.max(axis=1, keepdims=True)           # stable softmax
    w = np.exp(scores)
    w /= w.sum(axis=1, keepdims=True)
    return np.einsum("ts,tsd->td", w, values), w


def rmse(est: np.ndarray, truth: np.ndarray) -> float:
    """Root mean squared Euclidean error (state units)."""
    return float(np.sqrt(((est - truth) ** 2).sum(-1).mean()))


def default_taus(n: int = 13, lo: float = 1e-2, hi: float = 1e4) -> np.ndarray:
    """Log-spaced temperatures; tau = 1 weighs sensors by their Gaussian likelihood."""
    return np.logspace(np.log10(lo), np.log10(hi), n)


def sweep(streams: Streams, taus) -> list[dict]:
    """One row per tau: faulty sensor's mean weight and fused RMSE while the fault is active.

    Reference columns: RMSE of each healthy sensor alone and of the inverse-variance fusion of
    the healthy sensors only (the oracle that knows which sensor is broken).
    """
    m = streams.fault_mask
    healthy = [s for s in range(len(streams.names)) if s != streams.faulty]
    single = {streams.names[s]: rmse(streams.readings[s][m], streams.truth[m]) for s in healthy}
    oracle = rmse(_inverse_variance(streams, healthy)[m], streams.truth[m])
    rows = []
    for tau in taus:
        fused, w = fuse(streams, float(tau))
        row = {"tau": float(tau),
               "faulty_weight": float(w[m, streams.faulty].mean()),
               "fused_rmse": rmse(fused[m], streams.truth[m]),
               "healthy_oracle_rmse": oracle,
               "best_healthy_rmse": min(single.values()),
               "worst_healthy_rmse": max(single.values())}
        for s, name in enumerate(streams.names):
            row[f"weight_{name}"] = float(w[m, s].mean())
        rows.append(row)
    return rows


def _inverse_variance(streams: Streams, sensors: list[int]) -> np.ndarray:
    prec = 1.0 / streams.sigma[sensors] ** 2
    return np.einsum("s,std->td", prec / prec.sum(), streams.readings[sensors])


COLUMNS = ["tau", "faulty_weight", "fused_rmse", "healthy_oracle_rmse", "best_healthy_rmse",
           "worst_healthy_rmse", "weight_camera", "weight_lidar", "weight_imu"]


@dataclass
class FusionRequest:
    """One `attnbio fusion` run: the simulated fault and the log-spaced temperature sweep."""

    steps: int = 2000
    faulty: str = "lidar"
    fault: str = "bias"
    fault_size: float = 3.0
    fault_start: float = 0.25
    tau_min: float = 1e-2
    tau_max: float = 1e4
    n_tau: int = 13
    seed: int = 0

    def check(self) -> None:
        """InputError (named by the command's option) for values the simulation cannot use."""
        if self.faulty not in SENSORS:
            raise InputError(f"--faulty must be one of {', '.join(SENSORS)}, got {self.faulty!r}")
        if self.fault not in FAULTS:
            raise InputError(f"--fault must be one of {', '.join(FAULTS)}, got {self.fault!r}")
        if not 20 <= self.steps <= 10_000_000:
            raise InputError(f"--steps must be between 20 and 10000000, got {self.steps}")
        if not 0 < self.fault_size < float("inf"):
            raise InputError(f"--fault-size must be a positive, finite number, got {self.fault_size}")
        if not 0 <= self.fault_start < 0.95:
            raise InputError(f"--fault-start must be in [0, 0.95), got {self.fault_start}")
        if not 0 < self.tau_min < self.tau_max < float("inf"):
            raise InputError(f"need 0 < --tau-min < --tau-max < inf, got {self.tau_min} and "
                             f"{self.tau_max}")
        if not 2 <= self.n_tau <= 1000:
            raise InputError(f"--n-tau must be between 2 and 1000, got {self.n_tau}")


@dataclass
class FusionResult:
    """The sweep rows (COLUMNS, one per temperature) and which sensor was faulty."""

    rows: list
    faulty: str


def run(req: FusionRequest, progress=None) -> FusionResult:
    """Simulate the three sensors with one fault and sweep the fusion temperature."""
    req.check()
    streams = simulate(req.steps, req.faulty, req.fault, req.fault_size, req.fault_start, req.seed)
    rows = sweep(streams, default_taus(req.n_tau, req.tau_min, req.tau_max))
    tick(progress, 1, 1)
    return FusionResult(rows, req.faulty)
