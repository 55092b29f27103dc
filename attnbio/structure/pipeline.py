"""From read chains to refined chains, metrics and output files (used by `attnbio refine`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attnbio.errors import InputError
from attnbio.structure import geometry as geo
from attnbio.structure.refine import (DEFAULT_LENGTH_RANGE, RefineResult, carry_backbone,
                                      pair_violations, refine_ca)

METRIC_COLUMNS = ["metric", "input", "refined", "description"]


@dataclass
class ChainsResult:
    """A refined structure: the chains as read, the refinement, and refined atoms per chain."""
    chains: list            # attnbio.io.structure.Chain, as read
    result: RefineResult
    atoms: list[dict]       # per chain: atom name -> (L, 3) refined coordinates
    metrics: list[dict]


def numbering_breaks(res_numbers, first: bool = False) -> np.ndarray:
    """(L,) bool: True where residue i does not follow i-1 in author numbering (a gap of > 1).

    Refinement inputs are often distorted, so breaks come from the numbering rather than from
    C-alpha distances (which noise stretches beyond any threshold). `first` marks residue 0
    (the start of a later chain).
    """
    nums = np.array([n for n, _ in res_numbers], dtype=np.int64)
    out = np.zeros(len(nums), dtype=bool)
    out[1:] = (nums[1:] - nums[:-1] > 1) | (nums[1:] < nums[:-1])
    if len(out):
        out[0] = first
    return out


def refine_chains(model, chains, chunk_size=None, n_iter: int = 200, device="cpu") -> ChainsResult:
    """Refine all `chains` together (one pair representation over the concatenated residues)."""
    ca = np.concatenate([c.ca for c in chains])
    seq = "".join(c.sequence for c in chains)
    residue_index = np.concatenate([np.arange(len(c)) for c in chains])
    chain_index = np.concatenate([np.full(len(c), k) for k, c in enumerate(chains)])
    breaks = np.concatenate([numbering_breaks(c.res_numbers, first=k > 0) for k, c in enumerate(chains)])
    result = refine_ca(model, ca, seq, breaks=breaks, residue_index=residue_index,
                       chain_index=chain_index, chunk_size=chunk_size, n_iter=n_iter, device=device,
                       length_range=getattr(model, "length_range", DEFAULT_LENGTH_RANGE))
    atoms, start = [], 0
    for c in chains:
        sl = slice(start, start + len(c))
        atoms.append(carry_backbone(c.coords, result.ca_refined[sl]))
        start += len(c)
    tri = pair_violations(result, model.cfg.out_max)
    vin = geo.ca_geometry_violations(ca, breaks)
    vout = geo.ca_geometry_violations(result.ca_refined, breaks)
    metrics = [
        {"metric": "n_residues", "input": len(ca), "refined": len(ca),
         "description": "residues with a C-alpha atom, all chains"},
        {"metric": "triangle_violations_pair", "input": tri["before"], "refined": tri["after"],
         "description": "triangles {i,j,k} breaking the triangle inequality in the pair representation's "
                        "distances (distogram expectation) before vs after the triangle blocks, pairs < 22 A"},
        {"metric": "triangles_checked", "input": tri["triangles_before"], "refined": tri["triangles_after"],
         "description": "triangles whose three pairs lie inside the distogram range"},
        {"metric": "triangle_violations_coords", "input": geo.triangle_violations(geo.pairwise_distances(ca)),
         "refined": geo.triangle_violations(geo.pairwise_distances(result.ca_refined)),
         "description": "same count on coordinate distances (0 for any real structure)"},
        {"metric": "ca_spacing_violations", "input": vin["spacing"], "refined": vout["spacing"],
         "description": "consecutive C-alpha pairs further than 0.5 A from 3.8 A (not across breaks)"},
        {"metric": "ca_clashes", "input": vin["clashes"], "refined": vout["clashes"],
         "description": "C-alpha pairs |i-j| >= 2 closer than 3.0 A"},
        {"metric": "rmsd_to_input", "input": 0.0, "refined": geo.rmsd(result.ca_refined, ca),
         "description": "C-alpha RMSD (A) to the input after superposition"},
        {"metric": "lddt_ca_to_input", "input": 1.0, "refined": geo.lddt_ca(result.ca_refined, ca),
         "description": "lDDT-Ca of the refined trace with the input as reference"},
        {"metric": "mean_confidence", "input": None, "refined": float(np.mean(result.residue_confidence)),
         "description": "mean per-residue distogram confidence (also the B-factor column / 100)"},
        {"metric": "refinement", "input": None, "refined": result.mode,
         "description": f"do-no-harm guard: {result.reason}"},
        {"metric": "refined_fraction", "input": 0.0, "refined": result.weight,
         "description": "written trace = input + fraction x (refined - input): 0 input kept, 1 fully refined"},
        {"metric": "distogram_support_ratio", "input": result.support_ratio, "refined": None,
         "description": "probability the distogram gives the input's distances (+-1 A) / the probability "
                        "it gives its own expected distances; >= 0.97 with plausible geometry: input kept"},
    ]
    return ChainsResult(chains, result, atoms, metrics)


def _labels(chains) -> list[tuple[str, int, str]]:
    return [(c.id, num, icode) for c in chains for num, icode in c.res_numbers]


def reference_metrics(res: ChainsResult, ref_chains, ref_path) -> list[dict]:
    """lDDT-Ca, RMSD and TM-score of input and refined traces against a reference structure.

    Residues are matched by chain ID, residue number and insertion code.
    """
    ref_index = {lab: k for k, lab in enumerate(_labels(ref_chains))}
    ref_ca = np.concatenate([c.ca for c in ref_chains])
    pairs = [(i, ref_index[lab]) for i, lab in enumerate(_labels(res.chains)) if lab in ref_index]
    if len(pairs) < 3:
        raise InputError(f"{ref_path}: shares {len(pairs)} residues (chain, number) with the input; "
                         "need at least 3 to compare")
    mine, theirs = map(list, zip(*pairs))
    ref = ref_ca[theirs]
    x_in, x_out = res.result.ca_input[mine], res.result.ca_refined[mine]
    rows = [
        ("lddt_ca", geo.lddt_ca, "lDDT-Ca against the reference (15 A, 0.5/1/2/4 A)"),
        ("rmsd", geo.rmsd, "C-alpha RMSD (A) against the reference after superposition"),
        ("tm_score", geo.tm_score, "TM-score against the reference (normalised by matched length)"),
    ]
    out = [{"metric": "reference_residues", "input": len(pairs), "refined": len(pairs),
            "description": "residues matched to the reference by chain, number, insertion code"}]
    for name, fn, desc in rows:
        out.append({"metric": name, "input": fn(x_in, ref), "refined": fn(x_out, ref), "description": desc})
    return out


def write_outputs(folder, res: ChainsResult, metrics: list[dict], seed: int, inputs: dict,
                  model_sha256: str | None) -> None:
    """refined.pdb, metrics.tsv and pair.h5 in `folder`."""
    from attnbio.io.pdb_write import ChainOut, write_pdb
    from attnbio.io.results import results_file, write_array, write_group
    from attnbio.io.tables import write_tsv

    conf, start, outs = res.result.residue_confidence, 0, []
    for c, atoms in zip(res.chains, res.atoms):
        sl = slice(start, start + len(c))
        outs.append(ChainOut(c.id, c.res_names, c.res_numbers, atoms, bfactor=100 * conf[sl],
                             skip={"CB": np.asarray(c.cb_virtual, dtype=bool)}))
        start += len(c)
    write_pdb(folder / "refined.pdb", outs, remarks=["attnbio refine: refined coordinates; "
                                                     "B-factor = 100 x distogram confidence"])
    write_tsv(folder / "metrics.tsv", METRIC_COLUMNS, metrics)
    r = res.result
    with results_file(folder / "pair.h5", "attnbio.refine", FORMAT_VERSION, seed, inputs, model_sha256) as h5:
        g = write_group(h5, "residues", "residues in pair-matrix order (all chains concatenated)")
        labels = _labels(res.chains)
        write_array(g, "chain", np.array([a for a, _, _ in labels], dtype="S"), "chain ID")
        write_array(g, "number", np.array([b for _, b, _ in labels], dtype=np.int64), "author residue number")
        write_array(g, "icode", np.array([c or " " for _, _, c in labels], dtype="S"), "insertion code")
        write_array(g, "sequence", np.array(list("".join(c.sequence for c in res.chains)), dtype="S"),
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


FORMAT_VERSION = "1.0"
