"""The output folder of `attnbio refine`: refined.pdb, metrics.tsv and pair.h5, written from a
RefineResult (attnbio.structure.pipeline)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from attnbio.structure.pipeline import FORMAT_VERSION, METRIC_COLUMNS, residue_labels

REMARK = "attnbio refine: refined coordinates; B-factor = 100 x distogram confidence"


def write(result, outdir) -> None:
    """refined.pdb, metrics.tsv and pair.h5 in `outdir` (an existing, empty folder: the
    command's attnbio.io.outdir.staged_outdir)."""
    from attnbio.io.pdb_write import ChainOut, write_pdb
    from attnbio.io.results import results_file, write_array, write_group
    from attnbio.io.tables import write_tsv

    folder = Path(outdir)
    r = result.refinement
    conf, start, outs = r.residue_confidence, 0, []
    for c, atoms in zip(result.chains, result.atoms):
        sl = slice(start, start + len(c))
        outs.append(ChainOut(c.id, c.res_names, c.res_numbers, atoms, bfactor=100 * conf[sl],
                             skip={"CB": np.asarray(c.cb_virtual, dtype=bool)}))
        start += len(c)
    write_pdb(folder / "refined.pdb", outs, remarks=[REMARK])
    write_tsv(folder / "metrics.tsv", METRIC_COLUMNS, result.metrics)
    req = result.request
    with results_file(folder / "pair.h5", "attnbio.refine", FORMAT_VERSION, req.seed, result.input_sha256,
                      result.model_sha256, command=req.command) as h5:
        g = write_group(h5, "residues", "residues in pair-matrix order (all chains concatenated)")
        labels = residue_labels(result.chains)
        write_array(g, "chain", np.array([a for a, _, _ in labels], dtype="S"), "chain ID")
        write_array(g, "number", np.array([b for _, b, _ in labels], dtype=np.int64), "author residue number")
        write_array(g, "icode", np.array([c or " " for _, _, c in labels], dtype="S"), "insertion code")
        write_array(g, "sequence", np.array(list("".join(c.sequence for c in result.chains)), dtype="S"),
                    "one-letter residue code")
        g = write_group(h5, "coords", "C-alpha coordinates (L, 3), Angstrom")
        write_array(g, "input", r.ca_input, "input C-alpha trace")
        write_array(g, "refined", r.ca_refined, "refined C-alpha trace")
        g = write_group(h5, "pair", "refined pair representation after the triangle blocks")
        write_array(g, "representation", r.pair, "pair representation z_ij (L, L, c_z)", dtype=np.float16)
        g = write_group(h5, "distogram", "refined distogram and what is read off it")
        write_array(g, "probs", r.probs, "P(distance bin) (L, L, n_bins); bins: below edges[0], "
                    "between edges, above edges[-1] ('far')", dtype=np.float16)
        write_array(g, "bin_edges", r.bin_edges, "bin edges, Angstrom")
        write_array(g, "distance", r.distance, "expected distance over non-far bins, Angstrom", dtype=np.float32)
        write_array(g, "confidence", r.confidence, "P(|d - expected| <= 1 A) x (1 - P(far))", dtype=np.float32)
        write_array(g, "p_far", r.p_far, "P(distance > last edge)", dtype=np.float32)
        write_array(g, "distance_before", r.distance_before,
                    "expected distance read off the pair representation before the triangle blocks", dtype=np.float32)
