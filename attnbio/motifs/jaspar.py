"""JASPAR motifs from the databases inside the pyjaspar wheel (offline, pinned release)."""
from __future__ import annotations

import numpy as np

from attnbio.errors import InputError
from attnbio.io.motif_formats import Motif

JASPAR_RELEASE = "JASPAR2024"
TAXA = ("vertebrates", "plants", "insects", "nematodes", "fungi", "urochordates")


def load_jaspar(taxon: str = "vertebrates", release: str = JASPAR_RELEASE,
                collection: str = "CORE", pseudocount: float = 0.5) -> list[Motif]:
    """Latest version of every profile in one JASPAR collection/taxon as probability matrices.

    `pseudocount` is added to each count before normalising, as MEME's jaspar2meme does.
    taxon "all" is every taxon of TAXA together.
    """
    from pyjaspar import jaspardb

    if taxon not in TAXA + ("all",):
        raise InputError(f"--taxon {taxon!r} is not a JASPAR taxon (choose from {', '.join(TAXA)} or all)")
    db = jaspardb(release=release)
    out = []
    groups = list(TAXA) if taxon == "all" else [taxon]
    for m in db.fetch_motifs(collection=collection, tax_group=groups, all_versions=False):
        counts = np.array([m.counts[b] for b in "ACGT"], dtype=float).T + pseudocount
        probs = counts / counts.sum(axis=1, keepdims=True)
        family = (m.tf_family or [""])[0] if isinstance(m.tf_family, list) else (m.tf_family or "")
        out.append(Motif(m.matrix_id, m.name, probs, int(counts.sum(axis=1).mean()),
                         meta={"family": family, "release": release, "taxon": str(m.tax_group or "")}))
    return out
