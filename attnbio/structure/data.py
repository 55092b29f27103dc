"""Training and validation proteins for the refiner, and the noise that perturbs them.

The set is data/refine/dssp50: 50 single-chain X-ray structures (79-173 residues, no chain
breaks), copied from the project's shared PDB collection (MDAnalysisTests 2.11.0 data/dssp).
The held-out split is by whole protein: every fifth file in sorted order (10 proteins).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "refine" / "dssp50"
HOLDOUT_EVERY = 5


@dataclass
class Protein:
    """One chain's C-alpha trace: name, sequence, ca (L, 3) A, breaks (L,) bool."""
    name: str
    sequence: str
    ca: np.ndarray
    breaks: np.ndarray


def load_proteins(folder=DATA_DIR) -> list[Protein]:
    """Every first protein chain of the PDB files in `folder`, sorted by file name."""
    from attnbio.io.structure import read_structure

    out = []
    for path in sorted(Path(folder).glob("*.pdb*")):
        chain = read_structure(path)[0]
        ok = np.isfinite(chain.ca).all(axis=1)
        out.append(Protein(path.name.split(".")[0], "".join(np.array(list(chain.sequence))[ok]),
                           chain.ca[ok].copy(), chain.breaks[ok].copy()))
    return out


def split(proteins: list[Protein]) -> tuple[list[Protein], list[Protein]]:
    """(train, held-out): held-out is every HOLDOUT_EVERY-th protein in sorted order."""
    train = [p for i, p in enumerate(proteins) if i % HOLDOUT_EVERY != 0]
    held = [p for i, p in enumerate(proteins) if i % HOLDOUT_EVERY == 0]
    return train, held


def _rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    """Rodrigues' rotation matrix about a unit axis by `angle` radians."""
    axis = axis / np.linalg.norm(axis)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(angle) * k + (1 - np.cos(angle)) * k @ k


def atom_noise(ca, sigma: float, rng) -> np.ndarray:
    """i.i.d. Gaussian noise: every coordinate + N(0, sigma^2) A^2."""
    return ca + rng.normal(scale=sigma, size=ca.shape)


def smooth_deformation(ca, amplitude: float, rng, wavelength=(40.0, 100.0), n_modes: int = 3) -> np.ndarray:
    """A smooth displacement field u(x) = sum of random plane waves A sin(k.x + phi) (A, x in A).

    Nearby residues move together, so local geometry survives while long-range distances drift.
    """
    u = np.zeros_like(ca)
    for _ in range(n_modes):
        direction = rng.normal(size=3)
        k = direction / np.linalg.norm(direction) * 2 * np.pi / rng.uniform(*wavelength)
        polar = rng.normal(size=3)
        polar /= np.linalg.norm(polar)
        u += amplitude / np.sqrt(n_modes) * polar * np.sin(ca @ k + rng.uniform(0, 2 * np.pi))[:, None]
    return ca + u


def domain_shift(ca, max_angle_deg: float, max_shift: float, rng) -> np.ndarray:
    """Rigid-body move of the chain after a random split point: rotation about its centroid and a shift."""
    n = len(ca)
    cut = int(rng.integers(n // 4, max(n // 4 + 1, 3 * n // 4)))
    out = ca.copy()
    seg = out[cut:]
    centre = seg.mean(axis=0)
    rot = _rotation(rng.normal(size=3), np.deg2rad(rng.uniform(-max_angle_deg, max_angle_deg)))
    shift = rng.normal(size=3)
    shift *= rng.uniform(0, max_shift) / np.linalg.norm(shift)
    out[cut:] = (seg - centre) @ rot.T + centre + shift
    return out


def random_perturbation(ca, rng) -> tuple[np.ndarray, dict]:
    """The training mixture: i.i.d. noise of random scale, sometimes smooth deformation and domain shift.

    sigma: 0 with probability 0.15, else uniform in 0..4 A. Smooth deformation (amplitude 0..3 A)
    with probability 0.4; a domain shift (<= 20 degrees, <= 4 A) with probability 0.3.
    """
    info = {"sigma": 0.0, "smooth": 0.0, "domain": False}
    x = ca.copy()
    if rng.random() < 0.4:
        info["smooth"] = float(rng.uniform(0, 3))
        x = smooth_deformation(x, info["smooth"], rng)
    if rng.random() < 0.3:
        info["domain"] = True
        x = domain_shift(x, 20.0, 4.0, rng)
    if rng.random() >= 0.15:
        info["sigma"] = float(rng.uniform(0, 4))
        x = atom_noise(x, info["sigma"], rng)
    return x, info
