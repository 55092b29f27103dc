"""`attnbio protein` as a library call: ProteinRequest -> run() -> ProteinResult.

read (attnbio.protein.inputs) -> size limits -> model (bundled or given) -> analyze (lenses of
Vig et al. 2021, contacts, precision; see attnbio.protein.analyze) -> a result that
attnbio.protein.outputs writes and the Python API returns. Nothing here prints or parses options.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

BUNDLED = Path(__file__).resolve().parents[1] / "weights" / "protein.safetensors"
FORMAT_VERSION = "1"

HEAD_COLUMNS = ["layer", "head", "lens", "lens_enrichment", "n_pairs"]
REPLICATION_COLUMNS = ["training_lens", "heldout_q", "replicates_out_of_family"]
CONTACT_COLUMNS = ["protein_id", "i", "j", "prob", "res_i", "res_j", "num_i", "num_j", "separation",
                   "cb_distance"]


@dataclass
class ProteinRequest:
    """What to analyse and how (the options of `attnbio protein`).

    inputs: protein FASTA or PDB/mmCIF paths ('-' for stdin), plain or gzip; model: weights
    (.safetensors with its .json card), None for the bundled model; chains: chain IDs of
    structure inputs (None: all protein chains); nmr_model: model number of multi-model files;
    attention_threshold: weight above which a pair counts for a head; q_cutoff: BH q below which
    a feature can be a head's lens; top_contacts: contacts kept per protein as a multiple of its
    length L; heatmaps: whether outputs draws PNG heatmaps; device: torch device ('cpu', 'cuda');
    command: the command line, recorded in results.h5 ('' from the Python API).
    """
    inputs: list
    model: str | None = None
    chains: list[str] | None = None
    nmr_model: int | None = None
    attention_threshold: float = 0.3
    q_cutoff: float = 0.01
    top_contacts: float = 1.0
    heatmaps: bool = True
    seed: int = 0
    device: str = "cpu"
    command: str = ""


@dataclass
class ProteinResult:
    """What one run found.

    proteins: per protein (input order) an attnbio.protein.analyze.ProteinPrediction: .protein
    (ProteinInput: id, sequence, source, residue labels, cb (L, 3) A or None), .prob (L, L)
    contact probability, .attention (layers, heads, L, L) float32, .ss_prob (L, 3), .precision
    and .kd_precision ('{range}_P@{top}' -> float; empty without a structure), .agreement,
    .attention_weight. heads: one dict per head (layer, head, n_pairs, lens, lens_enrichment,
    '{feature}_prop/_bg/_z/_p/_q'). lens_replication: the model card's rows (each head's lens on
    the training chains and whether it held out of family), None if the card has none.
    notes: caveats for the user, one line each ("warning: ..." for warnings).
    """
    request: ProteinRequest
    proteins: list
    heads: list[dict]
    lens_replication: list[dict] | None
    input_sha256: dict[str, str]
    model_path: str
    model_sha256: str
    model_card: dict = field(repr=False, default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def feature_names(self) -> list[str]:
        """Pair features reported per head (sequence ones, plus structure ones with a structure)."""
        return feature_names(self.heads)

    def head_table(self) -> tuple[list[str], list[dict]]:
        """(columns, rows) of heads.tsv: with the card's lens_replication also each head's lens on
        the model's training chains and whether it held on the held-out families."""
        rows, cols = self.heads, list(HEAD_COLUMNS)
        replication = self.lens_replication
        if replication is not None:
            by_head = {(x["layer"], x["head"]): x for x in replication}
            rows = [dict(r, training_lens=by_head.get((r["layer"], r["head"]), {}).get("lens", ""),
                         heldout_q=by_head.get((r["layer"], r["head"]), {}).get("heldout_q"),
                         replicates_out_of_family={True: "yes", False: "no"}.get(
                             by_head.get((r["layer"], r["head"]), {}).get("replicates"), ""))
                    for r in rows]
            cols += REPLICATION_COLUMNS
        for f in self.feature_names():
            cols += [f"{f}_prop", f"{f}_bg", f"{f}_z", f"{f}_q"]
        return cols, rows

    def contact_table(self) -> tuple[list[str], list[list]]:
        """(columns, rows) of contacts.tsv: the top request.top_contacts x L pairs |i-j| >= 6 of
        each protein by probability (0-based i < j, residue labels, CB distance in A if known)."""
        from attnbio.protein.analyze import top_contacts

        rows = []
        for r in self.proteins:
            p = r.protein
            n = len(p.sequence)
            i, j = top_contacts(r.prob, top=int(round(self.request.top_contacts * n)))
            for a, b in zip(i.tolist(), j.tolist()):
                d = None
                if p.cb is not None:
                    d = float(np.linalg.norm(p.cb[a] - p.cb[b]))
                rows.append([p.id, a, b, round(float(r.prob[a, b]), 5), p.residue_names[a],
                             p.residue_names[b], p.residue_numbers[a], p.residue_numbers[b], b - a,
                             None if d is None else round(d, 2)])
        return list(CONTACT_COLUMNS), rows

    def metric_table(self) -> tuple[list[str], list[dict]]:
        """(columns, rows) of metrics.tsv: per protein the contact precision (structures only),
        the Kyte-Doolittle baseline's, and the attention term's agreement and weight; with two
        or more structures a last row 'mean'."""
        from attnbio.protein.analyze import SEPARATIONS, TOP_FRACTIONS

        keys = [f"{r}_P@{t}" for r in SEPARATIONS for t in TOP_FRACTIONS]
        cols = (["protein_id", "length", "source"] + keys + [f"kd_{k}" for k in keys]
                + ["attention_agreement", "attention_weight"])
        rows = []
        for r in self.proteins:
            row = {"protein_id": r.protein.id, "length": len(r.protein.sequence),
                   "source": r.protein.source}
            row.update(r.precision)
            # Confidence in the attention term: members' agreement and the weight it got (0: the
            # contacts are the sequence prior's).
            row.update(attention_agreement=r.agreement, attention_weight=r.attention_weight)
            row.update({f"kd_{k}": v for k, v in r.kd_precision.items()})
            rows.append(row)
        scored = [r for r in self.proteins if r.precision]
        if len(scored) > 1:
            mean = {"protein_id": "mean", "length": round(float(np.mean(
                [len(r.protein.sequence) for r in scored])), 1), "source": f"{len(scored)} structures"}
            with warnings.catch_warnings():  # a range no protein has (tiny chains) stays empty
                warnings.simplefilter("ignore", RuntimeWarning)
                for k in keys:
                    mean[k] = float(np.nanmean([r.precision[k] for r in scored]))
                    mean[f"kd_{k}"] = float(np.nanmean([r.kd_precision[k] for r in scored]))
            rows.append(mean)
        return cols, rows


def feature_names(head_rows) -> list[str]:
    """Feature names of lens_statistics() rows, in their column order."""
    return [k[:-5] for k in head_rows[0] if k.endswith("_prop")] if head_rows else []


def load_model(path=None, device="cpu"):
    """(model, card, sha256 of the weights file) for a protein model (None: the bundled one).

    The card is checked against its schema and the weights against the card (attnbio.io.weights):
    a wrong or damaged file is an InputError naming it.
    """
    from attnbio.io.weights import fit_state_dict, load_weights, sha256_file
    from attnbio.protein.model import build_model

    path = Path(path) if path else BUNDLED
    tensors, card = load_weights(path, expect_kind="attnbio.protein")
    model = fit_state_dict(lambda: build_model(card), tensors, str(path))
    model.to(device)
    return model, card, sha256_file(path)


def contact_notes(predictions) -> list[str]:
    """One line per protein whose contacts need a caveat: too short for long-range pairs, or
    an attention term the ensemble members disagree on (contacts then follow the prior)."""
    from attnbio.protein.model import FULL_AGREEMENT

    out = []
    for r in predictions:
        n = len(r.protein.sequence)
        if n <= 24:
            out.append(f"{r.protein.id}: {n} residues, too short for long-range contacts (|i-j| >= 24): "
                       "long-range precision is not defined for it")
        elif r.agreement_weight < 0.5:
            out.append(f"warning: {r.protein.id}: attention adds little over the sequence prior (members "
                       f"agree at r = {r.agreement:.2f}, full weight from {FULL_AGREEMENT:.2f}): contacts "
                       "ranked mostly by the prior (Kyte-Doolittle, hydropathy profile, separation); see "
                       "attention_weight in metrics.tsv")
    return out


def run(request: ProteinRequest, progress=None) -> ProteinResult:
    """Read the inputs, run the model, read the heads' lenses and the contacts.

    progress: optional callable progress(stage, done, total): "proteins", 0 before the first
    and then after each protein. Global torch state (threads, seeds) is the caller's; the
    analysis draws its tie-breaking random numbers from request.seed. User mistakes raise
    attnbio.errors.InputError.
    """
    from attnbio.io.source import input_digest
    from attnbio.limits import check_proteins
    from attnbio.protein.analyze import analyze
    from attnbio.protein.inputs import read_proteins

    inputs = [str(p) for p in request.inputs]
    proteins = read_proteins(inputs, chains=list(request.chains) if request.chains else None,
                             model=request.nmr_model)
    check_proteins(proteins)         # sizes: refuse at once rather than run out of memory
    model, card, sha = load_model(request.model, request.device)
    predictions, head_rows = analyze(model, proteins, request.attention_threshold, request.q_cutoff,
                                     request.seed, request.device, progress=progress)
    return ProteinResult(
        request=request, proteins=predictions, heads=head_rows,
        lens_replication=(card.get("lens_replication") or {}).get("rows"),
        input_sha256={p: input_digest(p) for p in inputs},   # as read: '-' and pipes too
        model_path=str(Path(request.model) if request.model else BUNDLED), model_sha256=sha,
        model_card=card, notes=contact_notes(predictions))
