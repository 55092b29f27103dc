"""The Python API: what the commands do, as functions that take data in memory and return objects.

    >>> import attnbio
    >>> result = attnbio.find_motifs(sequences, model="example")   # doctest: +SKIP
    >>> result.motifs, result.sites, result.interactions, result.pwms  # doctest: +SKIP

(README.md "Python API" has a complete example that the test suite runs.)

The functions build the same request a command builds and call the same pipeline
(attnbio.motifs.pipeline.run for find_motifs), so a call and the command line give the same
numbers for the same input and seed; nothing is written unless asked (MotifResult.write).
Heavy modules (torch, pandas) are imported on the first call, not by `import attnbio`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

EXAMPLE_MODEL = "example"      # model="example": the bundled attnbio/weights/motifs_example.safetensors


@dataclass(repr=False)
class MotifResult:
    """Motifs read out of a DNA attention model's heads (what `attnbio motifs` writes, in memory).

    Attributes
    ----------
    motifs : pandas.DataFrame
        One row per reported motif, the columns of motifs.tsv (motif_id, consensus, width,
        n_sites, heads, log2_enrichment, p_value, q_value, match_id, match_name, match_q,
        match_alternatives, q_conditional, explained_by); missing values are NaN/None.
    sites : pandas.DataFrame
        One row per motif site in the positives, the columns of sites.tsv: seq_id, start
        (0-based), end (exclusive), strand, motif_id, score (PWM log2-odds), attention.
    interactions : pandas.DataFrame
        One row per motif pair linked by attention, the columns of interactions.tsv (motif_a,
        motif_b, distance in bp (B minus A), orientation, head, n_obs, n_background, p_value,
        q_value, effect, effect_p, distance_spread, status, shadow_of).
    pwms : dict of str to numpy.ndarray
        motif_id -> position probability matrix of shape (width, 4), columns A C G T, rows sum to 1.
    model : attnbio.motifs.model.MotifAttentionModel
        The model the motifs were read from (trained in the call or loaded), in eval mode.
    metrics : dict
        The model's held-out metrics (test_auroc, val_auroc, epochs_run, ...).
    all_motifs : pandas.DataFrame
        Every motif tested, also those not enriched at q < 0.05 (motifs_all.tsv).
    run : attnbio.motifs.pipeline.MotifsRun
        Everything else the pipeline computed (discovery, pair calls, card, provenance).
    """
    motifs: Any
    sites: Any
    interactions: Any
    pwms: dict
    model: Any
    metrics: dict
    all_motifs: Any
    run: Any = field(default=None)

    def write(self, outdir, command: str = "") -> None:
        """Write the folder `attnbio motifs` writes (motifs.meme, tables, results.h5, report.html,
        model) into `outdir`, which appears complete or not at all; `command` is recorded as
        the provenance command line."""
        from dataclasses import replace

        from attnbio.io.outdir import staged_outdir
        from attnbio.motifs.outputs import write_outputs

        run = self.run
        if command != run.request.command:
            run = replace(run, request=replace(run.request, command=command))
        with staged_outdir(outdir) as tmp:
            write_outputs(run, tmp)

    def __repr__(self) -> str:
        return (f"MotifResult({len(self.motifs)} motifs, {len(self.sites)} sites, "
                f"{len(self.interactions)} interactions, test_auroc={self.metrics.get('test_auroc')})")


def find_motifs(positives, negatives=None, model=None, seed: int = 0, *, epochs: int = 60, restarts: int = 1,
                max_length: int = 1000, site_pvalue: float = 1e-4, taxon: str = "vertebrates",
                motif_db: str | None = None, all_motifs: bool = False, keep_variants: bool = False,
                intervention_seqs: int = 200,
                device: str = "cpu", threads: int | None = None, log: Callable[[str], None] | None = None,
                progress: Callable[[str, int, int], None] | None = None) -> MotifResult:
    """Train (or reuse) a DNA attention model on `positives` and read motifs out of its heads.

    The same computation as ``attnbio motifs`` (attnbio.motifs.pipeline.run): motifs from
    attention seqlets, named by Tomtom against JASPAR CORE `taxon` (or `motif_db`), and motif
    pairs linked by attention at an over-represented spacing, each checked by planting it into
    `intervention_seqs` background sequences.

    Parameters
    ----------
    positives : str, os.PathLike, list of str, or list of (str, str)
        A FASTA file (plain or gzip), or sequences in memory: plain strings (IDs ``seq0``,
        ``seq1``, ... by list position) or (id, sequence) pairs. DNA letters as in FASTA files
        (case-insensitive; U read as T; N and IUPAC codes accepted).
    negatives : same types as `positives`, optional
        Background sequences; default: dinucleotide-shuffled positives (seeded by `seed`).
    model : str or os.PathLike, optional
        A trained model (.safetensors with its .json card) to reuse, or ``"example"`` for the
        bundled example model; default: train one on positives vs negatives.
    seed : int
        Random seed; the same seed and input give the same result as ``attnbio motifs --seed``.
        Seeds Python, NumPy and torch as the command line does.
    epochs, restarts : int
        Training: most epochs (early stopping on the validation split) and initialisations.
    max_length : int
        Longer sequences are cropped to their central `max_length` bases.
    site_pvalue : float
        PWM p-value threshold for motif sites.
    taxon, motif_db : str
        JASPAR CORE taxon naming the motifs ("all" for every taxon), or a MEME file instead.
    all_motifs : bool
        Report every motif found, not only those enriched at q < 0.05 (also on their own sites).
    keep_variants : bool
        Do not merge matrices that look like variants of one profile (similarity >= 0.8,
        widths within 2 bp); for data where paralogs with near-identical matrices are expected.
    intervention_seqs : int
        Background sequences each candidate pair is planted into.
    device : {"cpu", "cuda", "auto"}
        Where the model runs.
    threads : int, optional
        torch intra-op threads (global setting); default: leave torch's setting alone.
    log : callable(str), optional
        Receives one line per step ("warning: ..." for warnings).
    progress : callable(stage, done, total), optional
        Called as training and discovery advance (stages "training", "discovery").

    Returns
    -------
    MotifResult
        motifs, sites and interactions as pandas DataFrames, the PWMs (dict of (width, 4)
        arrays), the model and its metrics.

    Raises
    ------
    attnbio.errors.InputError
        Bad input: unreadable file, invalid letters, duplicate IDs, too few sequences to train.
    """
    from attnbio.motifs.discover import user_config
    from attnbio.motifs.intervene import InterveneConfig
    from attnbio.motifs.pipeline import MotifsRequest, run

    pos = _sequences(positives, "positives")          # bad sequences fail before anything loads
    neg = None if negatives is None else _sequences(negatives, "negatives")
    dev = _runtime(seed, threads, device)
    req = MotifsRequest(pos, None, neg, _model_path(model), seed, epochs, max_length, dev,
                        user_config(site_pvalue, keep_variants), taxon=taxon, motif_db=motif_db,
                        all_motifs=all_motifs, restarts=restarts,
                        intervene=InterveneConfig(n_background=intervention_seqs))
    return motif_result(run(req, log=log or (lambda msg: None), progress=progress))


def motif_result(run) -> MotifResult:
    """A MotifResult (DataFrames, PWMs) from a finished attnbio.motifs.pipeline.MotifsRun."""
    import pandas as pd

    from attnbio.motifs.outputs import (INTERACTION_COLUMNS, INTERACTION_EXTRA, MOTIF_COLUMNS, MOTIF_EXTRA,
                                        SITE_COLUMNS, motif_rows, site_rows)

    motif_cols = MOTIF_COLUMNS + MOTIF_EXTRA
    return MotifResult(
        motifs=pd.DataFrame(motif_rows(run.motifs), columns=motif_cols),
        sites=pd.DataFrame(site_rows(run.motifs, run.seq_ids, run.offsets), columns=SITE_COLUMNS),
        interactions=pd.DataFrame(run.interactions, columns=INTERACTION_COLUMNS + INTERACTION_EXTRA),
        pwms={m.id: m.probs.copy() for m in run.motifs},
        model=run.model, metrics=dict(run.metrics),
        all_motifs=pd.DataFrame(motif_rows(run.all_motifs), columns=motif_cols), run=run)


def _model_path(model) -> str | None:
    if model is None:
        return None
    if str(model) == EXAMPLE_MODEL:
        return str(Path(__file__).parent / "weights" / "motifs_example.safetensors")
    return str(model)


def _sequences(data, what: str):
    """A FASTA path as given, or in-memory sequences as io.fasta.Records checked like FASTA records."""
    if isinstance(data, (str, os.PathLike)):
        return str(data)
    from attnbio.errors import InputError
    from attnbio.io.fasta import AMINO_ACIDS, DNA_LETTERS, Record
    from attnbio.limits import FASTA_MAX_BASES

    if not isinstance(data, Iterable):
        raise InputError(f"{what}: expected a FASTA path or a list of sequences, got {type(data).__name__}")
    records, seen = [], set()
    for i, item in enumerate(data):
        if isinstance(item, Record):
            rec_id, seq = item.id, item.sequence
        elif isinstance(item, str):
            rec_id, seq = f"seq{i}", item
        elif isinstance(item, (tuple, list)) and len(item) == 2 and all(isinstance(x, str) for x in item):
            rec_id, seq = item
        else:
            raise InputError(f"{what}[{i}]: expected a sequence string or an (id, sequence) pair, "
                             f"got {type(item).__name__}")
        where = f"{what}[{i}] ('{rec_id}')"
        if not rec_id or any(c.isspace() for c in rec_id):
            raise InputError(f"{where}: the ID must be non-empty and without whitespace")
        if rec_id in seen:
            raise InputError(f"{where}: duplicate ID (IDs must be unique)")
        seen.add(rec_id)
        seq = "".join(seq.split()).upper()
        if not seq:
            raise InputError(f"{where}: empty sequence")
        if len(seq) > FASTA_MAX_BASES:
            raise InputError(f"{where}: longer than {FASTA_MAX_BASES} bp, the most one record may hold")
        bad = set(seq) - DNA_LETTERS
        if bad:
            if sum(c in AMINO_ACIDS and c not in "ACGTN" for c in seq) > 0.25 * len(seq):
                raise InputError(f"{where}: looks like protein, not DNA")
            raise InputError(f"{where}: invalid letter {sorted(bad)[0]!r} (allowed: ACGT, U, N and IUPAC codes)")
        records.append(Record(rec_id, "", seq.replace("U", "T")))
    if not records:
        raise InputError(f"{what}: no sequences")
    return records


def _runtime(seed: int, threads: int | None, device: str) -> str:
    """Seed Python, NumPy and torch as the command line's --seed does; threads only when given."""
    from attnbio.runtime import resolve_device, seed_everything, set_threads

    if threads is not None:
        set_threads(threads)
    seed_everything(seed)
    return str(resolve_device(device))


def analyze_proteins(inputs, model=None, chains=None, seed: int = 0, *, nmr_model: int | None = None,
                     attention_threshold: float = 0.3, q_cutoff: float = 0.01, top_contacts: float = 1.0,
                     device: str = "cpu", threads: int | None = None,
                     progress: Callable[[str, int, int], None] | None = None):
    """Physicochemical lenses of a protein model's attention heads and predicted contacts.

    The computation of ``attnbio protein`` (attnbio.protein.pipeline.run): per head, which
    residue-pair features its attention is enriched for (Vig et al. 2021, "BERTology meets
    biology", lenses with BH q-values), and contacts read from the attention maps.

    Parameters
    ----------
    inputs : str, os.PathLike, or list of them
        Protein FASTA or PDB/mmCIF files (plain or gzip; '-' for stdin).
    model : str or os.PathLike, optional
        Protein model weights (.safetensors with its .json card); default: the bundled model.
    chains : list of str, optional
        Only these chain IDs of structure inputs (default: every protein chain).
    seed : int
        Random seed (tie-breaking draws); seeds Python, NumPy and torch as ``--seed`` does.
    nmr_model : int, optional
        Model number to read from multi-model structures (default: the first).
    attention_threshold : float
        Attention weight above which a residue pair counts for a head, in (0, 1].
    q_cutoff : float
        BH q-value below which a feature can be a head's lens.
    top_contacts : float
        Contacts kept per protein, as a multiple of its length L.
    device : {"cpu", "cuda", "auto"}
    threads : int, optional
        torch intra-op threads (global setting); default: leave torch's setting alone.
    progress : callable(stage, done, total), optional
        Called once per protein.

    Returns
    -------
    attnbio.protein.pipeline.ProteinResult
        ``heads``: one dict per head (layer, head, lens, per-feature proportion, background, z,
        q); ``proteins``: per protein its contact probabilities (L, L), attention maps
        (layers, heads, L, L) float32, secondary-structure probabilities (L, 3) and, with a
        structure, contact precision; ``notes``: caveats, one line each.

    Raises
    ------
    attnbio.errors.InputError
        Unreadable or wrong inputs (e.g. DNA given as protein), sizes over the limits.
    """
    from attnbio.protein.pipeline import ProteinRequest, run

    paths = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    dev = _runtime(seed, threads, device)
    req = ProteinRequest(inputs=[str(p) for p in paths], model=None if model is None else str(model),
                         chains=list(chains) if chains else None, nmr_model=nmr_model,
                         attention_threshold=attention_threshold, q_cutoff=q_cutoff,
                         top_contacts=top_contacts, seed=seed, device=dev)
    return run(req, progress=progress)


def refine_structure(structure, reference=None, chains=None, seed: int = 0, *, model=None,
                     chunk_size: int | None = None, iterations: int = 200, device: str = "cpu",
                     threads: int | None = None, progress: Callable[[str, int, int], None] | None = None):
    """Refine a protein structure through a triangle-updated pair representation.

    The computation of ``attnbio refine`` (attnbio.structure.pipeline.run): the C-alpha trace
    becomes a pair representation, refined by triangle multiplicative updates and triangle
    attention (Jumper et al. 2021, AlphaFold 2 Algorithms 11-14) into a distogram, rebuilt into
    coordinates; a do-no-harm guard keeps or blends the input when the refinement is not better.

    Parameters
    ----------
    structure : str or os.PathLike
        PDB or mmCIF file (plain or gzip; '-' for stdin).
    reference : str or os.PathLike, optional
        Known structure of the same protein: adds lDDT-Ca, RMSD and TM-score rows to the metrics.
    chains : list of str, optional
        Chain IDs to refine (default: every protein chain).
    seed : int
        Seeds Python, NumPy and torch as ``--seed`` does.
    model : str or os.PathLike, optional
        Refiner weights (.safetensors with its .json card); default: the bundled model.
    chunk_size : int, optional
        Rows per block in the triangle layers (default: automatic; lower uses less memory).
    iterations : int
        L-BFGS iterations of the coordinate embedding.
    device : {"cpu", "cuda", "auto"}
    threads : int, optional
        torch intra-op threads (global setting); default: leave torch's setting alone.
    progress : callable(stage, done, total), optional
        Called for stage "refinement".

    Returns
    -------
    attnbio.structure.pipeline.RefineResult
        ``refinement.ca_input`` / ``refinement.ca_refined`` (L, 3) C-alpha coordinates in
        Angstrom, ``refinement.residue_confidence`` (L,), ``atoms`` per chain (atom name ->
        (L, 3)), ``metrics`` rows (metric, input, refined, description) as metrics.tsv, and
        ``mode`` / ``reason`` of the do-no-harm guard.

    Raises
    ------
    attnbio.errors.InputError
        Unreadable structure, fewer than 5 residues with a C-alpha atom, sizes over the limits.
    """
    from attnbio.structure.pipeline import RefineRequest, run

    dev = _runtime(seed, threads, device)
    req = RefineRequest(input=str(structure), reference=None if reference is None else str(reference),
                        chains=list(chains) if chains else None, model=None if model is None else str(model),
                        chunk_size=chunk_size, iterations=iterations, seed=seed, device=dev)
    return run(req, progress=progress)
