"""Relational attention for the odd-one-out task: which object differs in one chosen attribute?

A scene is N objects, each a token [shape one-hot | colour one-hot | position | size]. All
objects share one value of the target attribute except one; the other attributes are random.
Attention restricted to the target attribute's subspace lets every object attend to the others
that look like it (self excluded); the odd one receives the least total incoming attention.
Scores are dot products q_i.k_j with q_i = [x_i, 1], k_j = [x_j, -|x_j|^2/2], so that
softmax_j(q_i.k_j / tau) = softmax_j(-|x_i - x_j|^2 / (2 tau)).

Attention: Vaswani et al. 2017 (Eq. 1); relational reasoning by attention over object tokens:
Santoro et al. 2017, "A simple neural network module for relational reasoning" and Zambaldi
et al. 2019, "Deep reinforcement learning with relational inductive biases"; odd-one-out
scenes after Mandziuk & Zychowski 2019, "DeepIQ".
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from attnbio.domains import tick
from attnbio.errors import InputError

SHAPES = ("circle", "square", "triangle", "star")
COLOURS = ("red", "green", "blue", "yellow", "purple", "orange")
ATTRIBUTES = ("shape", "colour", "position", "size")
#: Embedding units per attribute value: the odd object sits ~1.4 units from the group in each.
POS_SCALE, SIZE_SCALE = 0.25, 0.2
SLICES = {"shape": slice(0, 4), "colour": slice(4, 10), "position": slice(10, 12), "size": slice(12, 13)}
DIM = 13


def make_scenes(n_scenes: int, n_objects: int, target: str, randomise: float = 1.0,
                noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Scenes (B, N, 13) as embedded tokens and the index (B,) of the odd object.

    Each non-target attribute is drawn per object with probability `randomise`, otherwise one
    value is shared by the whole scene. Gaussian noise of std `noise` (embedding units) is then
    added to every feature.
    """
    rng = np.random.default_rng(seed)
    b, n = n_scenes, n_objects
    raw = {a: _random(rng, a, b, n, shared=False) for a in ATTRIBUTES}
    for a in ATTRIBUTES:
        if a != target:
            keep_shared = rng.random(b) >= randomise
            raw[a][keep_shared] = _random(rng, a, b, n, shared=True)[keep_shared]
    odd = rng.integers(0, n, size=b)
    raw[target] = _odd_attribute(rng, target, b, n, odd)
    x = np.concatenate([_embed(a, raw[a]) for a in ATTRIBUTES], axis=-1)
    return x + rng.normal(0, noise, size=x.shape) if noise > 0 else x, odd


def _random(rng, attr, b, n, shared):
    m = 1 if shared else n
    if attr == "shape":
        v = rng.integers(0, len(SHAPES), size=(b, m))
    elif attr == "colour":
        v = rng.integers(0, len(COLOURS), size=(b, m))
    elif attr == "position":
        v = rng.random((b, m, 2))
    else:
        v = rng.uniform(0.2, 1.0, size=(b, m))
    return np.repeat(v, n, axis=1) if shared else v


def _odd_attribute(rng, attr, b, n, odd):
    """Target attribute values: one shared value (small jitter if continuous), one odd object."""
    rows = np.arange(b)
    if attr in ("shape", "colour"):
        k = len(SHAPES) if attr == "shape" else len(COLOURS)
        common = rng.integers(0, k, size=b)
        v = np.repeat(common[:, None], n, axis=1)
        v[rows, odd] = (common + rng.integers(1, k, size=b)) % k   # any other value
        return v
    if attr == "position":
        centre = rng.uniform(0.3, 0.7, size=(b, 1, 2))
        v = centre + rng.normal(0, 0.05, size=(b, n, 2))
        angle = rng.uniform(0, 2 * np.pi, size=b)
        dist = rng.uniform(0.35, 0.45, size=b)
        v[rows, odd] = centre[:, 0] + dist[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1)
        return v
    common = rng.uniform(0.4, 0.8, size=(b, 1))
    v = common + rng.normal(0, 0.02, size=(b, n))
    v[rows, odd] = common[:, 0] + rng.choice([-1, 1], size=b) * rng.uniform(0.25, 0.35, size=b)
    return v


def _embed(attr, v):
    if attr == "shape":
        return np.eye(len(SHAPES))[v]
    if attr == "colour":
        return np.eye(len(COLOURS))[v]
    if attr == "position":
        return v / POS_SCALE
    return v[..., None] / SIZE_SCALE


def attention(x: np.ndarray, attrs, tau: float = 0.25) -> np.ndarray:
    """Row-stochastic attention (B, N, N) within the subspace of `attrs`, self excluded.

    q_i = [x_i, 1] and k_j = [x_j, -|x_j|^2/2] restricted to the chosen features.
    """
    idx = np.concatenate([np.arange(DIM)[SLICES[a]] for a in attrs])
    xs = x[..., idx]
    q = np.concatenate([xs, np.ones(xs.shape[:-1] + (1,))], axis=-1)
    k = np.concatenate([xs, -0.5 * (xs**2).sum(-1, keepdims=True)], axis=-1)
    logits = q @ np.swapaxes(k, -1, -2) / tau
    n = x.shape[1]
    logits[:, np.arange(n), np.arange(n)] = -np.inf    # an object does not vote for itself
    logits -= logits.max(axis=-1, keepdims=True)
    w = np.exp(logits)
    return w / w.sum(axis=-1, keepdims=True)


def predict(x: np.ndarray, attrs, tau: float = 0.25, max_cells: int = 4_000_000) -> np.ndarray:
    """Index (B,) of the object with the least total incoming attention.

    Scenes are scored in blocks of at most max_cells attention entries, so memory stays bounded.
    """
    n = x.shape[1]
    block = max(1, max_cells // (n * n))
    return np.concatenate([attention(x[i:i + block], attrs, tau).sum(axis=1).argmin(axis=1)
                           for i in range(0, len(x), block)])


def accuracy(attr: str, n_scenes: int, n_objects: int, randomise: float, noise: float,
             tau: float, seed: int) -> dict:
    """Accuracy of subspace attention and of whole-token attention on fresh scenes.

    Whole-token attention (all 13 features) is the baseline without the attribute subspace:
    the randomised attributes drown the signal. Chance is 1/N.
    """
    x, odd = make_scenes(n_scenes, n_objects, attr, randomise, noise, seed)
    return {"attribute": attr, "noise": float(noise), "randomise": float(randomise),
            "accuracy_subspace": float((predict(x, [attr], tau) == odd).mean()),
            "accuracy_whole_token": float((predict(x, ATTRIBUTES, tau) == odd).mean()),
            "chance": 1.0 / n_objects, "n_scenes": n_scenes}


def noise_table(attrs=ATTRIBUTES, noises=(0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0), n_scenes: int = 2000,
                n_objects: int = 6, randomise: float = 1.0, tau: float = 0.5, seed: int = 0) -> list[dict]:
    """Accuracy per target attribute and feature-noise std (embedding units)."""
    return [accuracy(a, n_scenes, n_objects, randomise, nz, tau, seed + 1000 * i + j)
            for i, a in enumerate(attrs) for j, nz in enumerate(noises)]


def randomise_table(attrs=ATTRIBUTES, fractions=(0, 0.25, 0.5, 0.75, 1.0), n_scenes: int = 2000,
                    n_objects: int = 6, noise: float = 0.0, tau: float = 0.5, seed: int = 0) -> list[dict]:
    """Accuracy per target attribute as more of the other attributes are randomised per object."""
    return [accuracy(a, n_scenes, n_objects, fr, noise, tau, seed + 5000 + 1000 * i + j)
            for i, a in enumerate(attrs) for j, fr in enumerate(fractions)]


#: Upper limits: scenes of more objects stop being "find the odd one"; more scenes take hours.
MAX_OBJECTS, MAX_SCENES = 1000, 1_000_000
COLUMNS = ["attribute", "noise", "randomise", "accuracy_subspace", "accuracy_whole_token",
           "chance", "n_scenes"]


@dataclass
class OddOneOutRequest:
    """One `attnbio oddoneout` run: target attributes, scene size and count, noise levels."""

    attributes: tuple = ATTRIBUTES
    objects: int = 6
    scenes: int = 2000
    noises: tuple = (0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)
    tau: float = 0.5
    seed: int = 0

    def check(self) -> None:
        """InputError (named by the command's option) for values the method cannot use."""
        if not self.noises or any(not 0 <= v < float("inf") for v in self.noises):
            raise InputError(f"--noise needs at least one value, each finite and not negative, "
                             f"got {','.join(map(str, self.noises))!r}")
        if not 3 <= self.objects <= MAX_OBJECTS:
            raise InputError(f"--objects must be between 3 (an odd one and a group of two) and "
                             f"{MAX_OBJECTS}, got {self.objects}")
        if not 1 <= self.scenes <= MAX_SCENES:
            raise InputError(f"--scenes must be between 1 and {MAX_SCENES}, got {self.scenes}")
        if not 0 < self.tau < float("inf"):
            raise InputError(f"--tau must be a positive, finite number, got {self.tau}")


@dataclass
class OddOneOutResult:
    """Accuracy rows (COLUMNS) per attribute and noise level, and per randomised fraction."""

    by_noise: list = field(default_factory=list)
    by_randomise: list = field(default_factory=list)
    attributes: tuple = ATTRIBUTES


def run(req: OddOneOutRequest, progress=None) -> OddOneOutResult:
    """Both accuracy tables of `attnbio oddoneout` (noise_table, randomise_table)."""
    req.check()
    attrs = tuple(req.attributes) or ATTRIBUTES
    by_noise = noise_table(attrs, list(req.noises), req.scenes, req.objects, tau=req.tau, seed=req.seed)
    tick(progress, 1, 2)
    by_rand = randomise_table(attrs, n_scenes=req.scenes, n_objects=req.objects, tau=req.tau,
                              seed=req.seed)
    tick(progress, 2, 2)
    return OddOneOutResult(by_noise, by_rand, attrs)
