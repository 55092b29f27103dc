"""Name motifs by Tomtom (Gupta et al. 2007, Genome Biol 8:R24) against a motif database.

Tomtom runs through memelite (offline, numba); the default database is JASPAR CORE of one
taxon from the pinned release inside pyjaspar. q-values are Benjamini-Hochberg over the
targets of each query, as Tomtom reports them.
"""
from __future__ import annotations

import warnings

import numpy as np

from attnbio.io.motif_formats import Motif, read_meme
from attnbio.motifs.jaspar import load_jaspar
from attnbio.motifs.pwm import mean_best_score
from attnbio.stats import bh_qvalues


def tomtom_pvalues(queries: list[np.ndarray], targets: list[np.ndarray]) -> np.ndarray:
    """(Q, T) Tomtom p-values of (width, 4) query matrices against (width, 4) targets."""
    from memelite import tomtom

    if not queries or not targets:
        return np.ones((len(queries), len(targets)))
    qs = [np.ascontiguousarray(q.T, dtype=np.float64) for q in queries]
    ts = [np.ascontiguousarray(t.T, dtype=np.float64) for t in targets]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = tomtom(qs, ts, n_jobs=1)[0]
    return np.asarray(p, dtype=float)


def tomtom_qvalues(queries, targets) -> np.ndarray:
    """(Q, T) q-values: BH over each query's row of Tomtom p-values."""
    p = tomtom_pvalues(queries, targets)
    return np.vstack([bh_qvalues(row) for row in p]) if len(p) else p


def load_motif_db(taxon: str = "vertebrates", motif_db: str | None = None) -> list[Motif]:
    """A user's MEME file if given, else JASPAR CORE for the taxon."""
    return read_meme(motif_db) if motif_db else load_jaspar(taxon)


def best_matches(probs_list: list[np.ndarray], db: list[Motif], site_windows=None,
                 shortlist: int = 5, q_max: float = 0.05, n_alternatives: int = 3) -> list[dict]:
    """For each matrix, its best database match: id, name, q (Tomtom), and `alternatives`:
    the next n_alternatives matches by Tomtom p ([{id, name, q}], the best first).

    Tomtom ranks by p-value (BH q-values tie by construction: a run of p-values shares one q,
    and a tie broken by database order would name FOSL1 where JUND fits better). Paralogs'
    profiles differ mostly in flank columns, which a matrix read out of seqlets estimates softly
    or trims away, so Tomtom often ranks a paralog first. Where the motif's site sequences are
    given (site_windows[i], FoundMotif.site_windows), the name is instead the profile, among the
    `shortlist` best Tomtom matches at q < q_max, under which those sites score highest (mean
    best log-odds): the data decide between near-identical candidates, not the estimate.
    """
    p = tomtom_pvalues(probs_list, [m.probs for m in db])
    out = []
    for i, row in enumerate(p):
        if not len(row):
            out.append({})
            continue
        q = bh_qvalues(row)
        order = np.lexsort((np.arange(len(row)), row))
        j = int(order[0])
        windows = site_windows[i] if site_windows is not None else None
        if windows is not None and len(windows):
            candidates = [int(k) for k in order[:shortlist] if q[k] < q_max]
            if len(candidates) > 1:
                scores = [mean_best_score(windows, db[k].probs) for k in candidates]
                j = candidates[int(np.argmax(scores))]
        alt = [{"id": db[k].id, "name": db[k].name, "q": float(q[k])}
               for k in order[:n_alternatives + 1] if k != j][:n_alternatives]
        out.append({"id": db[j].id, "name": db[j].name, "q": float(q[j]), "alternatives": alt})
    return out
