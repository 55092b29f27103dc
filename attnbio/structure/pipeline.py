"""`attnbio refine` as a library call: RefineRequest -> run() -> RefineResult.

read (attnbio.io.structure) -> size limits -> model (bundled or given) -> refine the C-alpha
trace of all chains together (attnbio.structure.refine.refine_ca: pair representation,
triangle stack, distogram, coordinates, the do-no-harm guard) -> backbone atoms and metrics
(against a reference structure when one is given). attnbio.structure.outputs writes the result.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from attnbio.errors import InputError
from attnbio.structure import geometry as geo
from attnbio.structure.refine import (DEFAULT_LENGTH_RANGE, CaRefinement, auto_chunk, carry_backbone,
                                      pair_violations, refine_ca)

DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "weights" / "refine.safetensors"
FORMAT_VERSION = "1.0"
METRIC_COLUMNS = ["metric", "input", "refined", "description"]
MIN_RESIDUES = 5


@dataclass
class RefineRequest:
    """What to refine and how (the options of `attnbio refine`).

    input: PDB or mmCIF path ('-' for stdin), plain or gzip; reference: a known structure of
    the same protein (adds lDDT-Ca, RMSD, TM-score against it), None for none; chains: chain IDs
    to refine (None: every protein chain); model: refiner weights (.safetensors with its .json
    card), None for the bundled model; chunk_size: rows per block in the triangle layers (None:
    auto_chunk); iterations: of the coordinate embedding; device: torch device; command: the
    command line, recorded in pair.h5 ('' from the Python API).
    """
    input: str
    reference: str | None = None
    chains: list[str] | None = None
    model: str | None = None
    chunk_size: int | None = None
    iterations: int = 200
    seed: int = 0
    device: str = "cpu"
    command: str = ""


@dataclass
class RefineResult:
    """A refined structure.

    chains: attnbio.io.structure.Chain list as read (ids, residue labels, input atoms);
    refinement: the CaRefinement of all chains together (ca_input / ca_refined (L, 3) A, the
    refined distogram and pair representation, residue_confidence (L,), and the do-no-harm
    guard's weight, mode ('refined', 'blend', 'input_kept') and one-line reason); atoms: per
    chain, atom name -> (L, 3) refined coordinates (A, NaN where the input had none); metrics:
    rows metric, input, refined, description (metrics.tsv), the reference's rows last.
    """
    request: RefineRequest
    chains: list
    refinement: CaRefinement
    atoms: list[dict]
    metrics: list[dict]
    input_sha256: dict[str, str] = field(default_factory=dict)
    model_sha256: str | None = None

    @property
    def n_residues(self) -> int:
        return len(self.refinement.ca_input)

    @property
    def mode(self) -> str:
        """The do-no-harm guard's decision: 'refined', 'blend' or 'input_kept'."""
        return self.refinement.mode

    @property
    def reason(self) -> str:
        """One line: why the input was kept, blended or refined."""
        return self.refinement.reason


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


def load_model(path=None):
    """(model, card) for refiner weights (None: the bundled model); a wrong or damaged file
    is an InputError naming it."""
    from attnbio.io.weights import load_weights
    from attnbio.structure.model import load_model as from_tensors

    tensors, card = load_weights(Path(path) if path else DEFAULT_MODEL, expect_kind="attnbio.refine")
    return from_tensors(tensors, card), card


def run(request: RefineRequest, progress=None) -> RefineResult:
    """Read, check, refine and score one structure (see the module docstring).

    progress: optional callable progress(stage, done, total), called for "refinement" at the
    start and after the network, the coordinates and the atoms and metrics (0..3 of 3). Global torch state
    (threads, seeds) is the caller's. User mistakes raise attnbio.errors.InputError.
    """
    from attnbio.io.source import input_digest
    from attnbio.io.structure import read_structure
    from attnbio.limits import check_refine

    path = request.input
    structure = read_structure(path, chains=list(request.chains) if request.chains else None)
    n = sum(len(c) for c in structure)
    check_refine(n, len(structure), str(path))     # sizes: refuse before any model runs
    if n < MIN_RESIDUES:
        raise InputError(f"{path}: only {n} residues with a C-alpha atom; refine needs at least "
                         f"{MIN_RESIDUES}")
    ref_chains = read_structure(request.reference) if request.reference else None
    model, card = load_model(request.model)
    chunk = request.chunk_size if request.chunk_size is not None else auto_chunk(n)
    chains, refinement, atoms, metrics = refine_chains(
        model, structure, chunk_size=chunk, n_iter=request.iterations, device=request.device,
        progress=progress)
    if ref_chains is not None:
        metrics += reference_metrics(structure, refinement, ref_chains, request.reference)
    if progress is not None:
        progress("refinement", 3, 3)
    inputs = {str(path): input_digest(path)}      # hashed as read: pipes work
    if request.reference:
        inputs[str(request.reference)] = input_digest(request.reference)
    return RefineResult(request, chains, refinement, atoms, metrics, inputs, card.get("sha256"))


def refine_chains(model, chains, chunk_size=None, n_iter: int = 200, device="cpu", progress=None):
    """Refine all `chains` together (one pair representation over the concatenated residues).

    Returns (chains, CaRefinement, atoms per chain, metric rows).
    """
    ca = np.concatenate([c.ca for c in chains])
    seq = "".join(c.sequence for c in chains)
    residue_index = np.concatenate([np.arange(len(c)) for c in chains])
    chain_index = np.concatenate([np.full(len(c), k) for k, c in enumerate(chains)])
    breaks = np.concatenate([numbering_breaks(c.res_numbers, first=k > 0) for k, c in enumerate(chains)])
    result = refine_ca(model, ca, seq, breaks=breaks, residue_index=residue_index,
                       chain_index=chain_index, chunk_size=chunk_size, n_iter=n_iter, device=device,
                       length_range=getattr(model, "length_range", DEFAULT_LENGTH_RANGE),
                       progress=progress)
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
    return chains, result, atoms, metrics


def residue_labels(chains) -> list[tuple[str, int, str]]:
    return [(c.id, num, icode) for c in chains for num, icode in c.res_numbers]


def reference_metrics(chains, refinement: CaRefinement, ref_chains, ref_path) -> list[dict]:
    """lDDT-Ca, RMSD and TM-score of input and refined traces against a reference structure.

    Residues are matched by chain ID, residue number and insertion code.
    """
    ref_index = {lab: k for k, lab in enumerate(residue_labels(ref_chains))}
    ref_ca = np.concatenate([c.ca for c in ref_chains])
    pairs = [(i, ref_index[lab]) for i, lab in enumerate(residue_labels(chains)) if lab in ref_index]
    if len(pairs) < 3:
        raise InputError(f"{ref_path}: shares {len(pairs)} residues (chain, number) with the input; "
                         "need at least 3 to compare")
    mine, theirs = map(list, zip(*pairs))
    ref = ref_ca[theirs]
    x_in, x_out = refinement.ca_input[mine], refinement.ca_refined[mine]
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
