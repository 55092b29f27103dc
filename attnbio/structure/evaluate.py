"""Held-out quality of a refiner: perturbed real proteins scored against their true structures.

Used by the benchmark (benchmarks/refine.py) and by training, which writes the same figures into
the model card. Each held-out protein is perturbed by i.i.d. Gaussian noise N(0, sigma^2) on every
C-alpha coordinate; the input, the refined model and the non-learned baseline
(refine.baseline_refine) are scored against the true structure with lDDT-Ca, RMSD and TM-score.
"""
from __future__ import annotations

import numpy as np

SIGMAS = (0.0, 1.0, 2.0, 3.0)
DRAWS = 2
SEED = 7


def heldout_quality(model, proteins, sigmas=SIGMAS, draws: int = DRAWS, seed: int = SEED,
                    smooth: float = 1.0, guard: bool = True):
    """Per-sigma means over proteins x noise draws (1 draw at sigma 0); returns (rows, records).

    rows: one dict per sigma with n, lddt_/rmsd_/tm_ of input, refined and baseline (A for RMSD),
    tri_before/tri_after (mean triangle-inequality violations of the pair representation before
    and after the triangle blocks), tri_reduction (1 - sum after / sum before) and
    lddt_refined_to_input, refined_fraction (mean do-no-harm weight: 0 input kept, 1 refined).
    records: the same per protein and draw, with the guard's mode. guard False: the raw model.
    """
    from attnbio.structure import geometry as geo
    from attnbio.structure.data import atom_noise
    from attnbio.structure.refine import (DEFAULT_LENGTH_RANGE, baseline_refine, pair_violations,
                                          refine_ca)

    rng = np.random.default_rng(seed)
    records = []
    for sigma in sigmas:
        for p in proteins:
            for _ in range(draws if sigma > 0 else 1):
                noisy = atom_noise(p.ca, sigma, rng) if sigma > 0 else p.ca.copy()
                res = refine_ca(model, noisy, p.sequence, breaks=p.breaks, guard=guard,
                                length_range=getattr(model, "length_range", DEFAULT_LENGTH_RANGE))
                base = baseline_refine(noisy, breaks=p.breaks, smooth=smooth)
                tri = pair_violations(res, model.cfg.out_max)
                rec = {"protein": p.name, "sigma": float(sigma), "L": len(p.ca),
                       "tri_before": tri["before"], "tri_after": tri["after"],
                       "lddt_refined_to_input": geo.lddt_ca(res.ca_refined, noisy),
                       "refined_fraction": res.weight, "mode": res.mode}
                for tag, x in (("input", noisy), ("refined", res.ca_refined), ("baseline", base)):
                    rec[f"lddt_{tag}"] = geo.lddt_ca(x, p.ca)
                    rec[f"rmsd_{tag}"] = geo.rmsd(x, p.ca)
                    rec[f"tm_{tag}"] = geo.tm_score(x, p.ca)
                records.append(rec)
    return summarise(records, sigmas), records


def summarise(records, sigmas) -> list[dict]:
    """Per-sigma means of `records` (see heldout_quality)."""
    rows = []
    for sigma in sigmas:
        rs = [r for r in records if r["sigma"] == float(sigma)]
        row = {"sigma": float(sigma), "n": len(rs)}
        for key in rs[0]:
            if key not in ("protein", "sigma", "L", "mode"):
                row[key] = float(np.mean([r[key] for r in rs]))
        row["tri_reduction"] = 1 - sum(r["tri_after"] for r in rs) / max(1, sum(r["tri_before"] for r in rs))
        rows.append(row)
    return rows
