"""`attnbio motifs` as one library call: read -> validate -> model -> discovery -> write."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from attnbio.errors import InputError
from attnbio.io.fasta import read_all
from attnbio.io.weights import sha256_file
from attnbio.motifs.discover import DiscoverConfig, discover
from attnbio.motifs.grammar import PairConfig
from attnbio.motifs.intervene import InterveneConfig
from attnbio.motifs.model import MODEL_KIND, ModelConfig, load_model
from attnbio.motifs.grammar import interaction_rows
from attnbio.motifs.shuffle import shuffled_controls
from attnbio.motifs.train import MIN_PER_CLASS, TrainConfig, train_model


@dataclass
class MotifsRequest:
    """What `attnbio motifs` (and attnbio.find_motifs) is asked to do; run() computes it."""
    positives: str | list              # FASTA/BED path, or a list of io.fasta.Record (Python API)
    outdir: Path | None = None         # run_motifs writes here: a staging folder the caller makes appear atomically
    negatives: str | list | None = None
    model: str | None = None
    seed: int = 0
    epochs: int = TrainConfig.epochs
    max_length: int = 1000
    device: str = "cpu"
    discover: DiscoverConfig = field(default_factory=DiscoverConfig)
    taxon: str = "vertebrates"
    motif_db: str | None = None        # a MEME file instead of JASPAR CORE for `taxon`
    grammar: PairConfig = field(default_factory=PairConfig)
    intervene: InterveneConfig = field(default_factory=InterveneConfig)
    all_motifs: bool = False           # report every motif, not only those enriched at q < 0.05
    restarts: int = 1                  # training starts; the best validation AUROC is kept
    # ChIP-seq route (chip.py): BED/narrowPeak positives or negatives read from this genome
    genome: str | None = None
    size: int | None = 200             # bp centred on the summit/midpoint; None = regions as given
    mask_repeats: bool = False
    max_n_fraction: float = 0.25
    background_ratio: float = 1.0      # genomic background regions per peak
    command: str = ""                  # provenance (results.h5, report, model card): the command line


@dataclass
class MotifsSummary:
    n_positives: int
    n_negatives: int
    negatives_source: str
    metrics: dict
    n_motifs: int
    n_enriched: int
    n_cropped: int
    model_sha256: str
    n_pairs: int = 0
    n_confirmed: int = 0


@dataclass
class MotifsRun:
    """What one motifs run found, before anything is written (outputs.write_outputs writes it).

    Sequences are as the model saw them before cropping; `offsets` (one per positive) map
    encoded positions back to them. `discovery.motifs` are the reported motifs (all of them with
    request.all_motifs), `all_motifs` every motif tested.
    """
    request: MotifsRequest
    positives: list                   # io.fasta.Record of each positive, in input order
    pos_seqs: list[str]
    neg_seqs: list[str]
    negatives_source: str
    model: object                     # motifs.model.MotifAttentionModel, eval mode
    card: dict                        # the model card as model.json holds it
    model_sha256: str
    model_file: str | None            # the given model (copied verbatim); None when trained here
    model_bytes: bytes | None         # the trained weights as a safetensors file; None when given
    discovery: object                 # motifs.discover.Discovery
    all_motifs: list
    pairs: object                     # motifs.grammar.GrammarResult, pairs checked by intervention
    interactions: list[dict]          # rows of interactions.tsv
    offsets: np.ndarray               # (n_positives,) int: bp cropped off each positive's start
    background: tuple                 # (4,) base composition of the positives, A C G T
    inputs: dict                      # input name -> SHA-256 of what was read
    n_cropped: int
    motif_db: list | None = None
    chip: object = None               # chip.ChipInputs on the BED route, else None
    timings: dict | None = None       # {"train_seconds": s} when trained here (timings.json)

    @property
    def motifs(self) -> list:
        return self.discovery.motifs

    @property
    def metrics(self) -> dict:
        return self.card.get("metrics", {})

    @property
    def seq_ids(self) -> list[str]:
        return [r.id for r in self.positives]

    def summary(self) -> MotifsSummary:
        n_enriched = sum(is_significant(m) for m in self.motifs)
        n_confirmed = sum(c.status == "attention+effect" for c in self.pairs.pairs)
        return MotifsSummary(len(self.pos_seqs), len(self.neg_seqs), self.negatives_source, self.metrics,
                             len(self.motifs), n_enriched, self.n_cropped, self.model_sha256,
                             len(self.pairs.pairs), n_confirmed)


def run_motifs(req: MotifsRequest, log=lambda msg: None, progress=None) -> MotifsSummary:
    """run(req) and write its outputs into req.outdir (outputs.write_outputs); returns a summary."""
    from attnbio.motifs.outputs import write_outputs

    result = run(req, log, progress)
    write_outputs(result, req.outdir, log)
    return result.summary()


def run(req: MotifsRequest, log=lambda msg: None, progress=None) -> MotifsRun:
    """Everything the motifs command computes; writes nothing (outputs.write_outputs does).

    `req.positives` / `req.negatives` are FASTA (or BED) paths, or lists of io.fasta.Record
    (the Python API). `log(str)` gets one line per step, "warning: ..." for warnings;
    `progress(stage, done, total)` is called as training and discovery advance.
    """
    from attnbio.motifs.chip import chip_inputs

    # Training needs MIN_PER_CLASS of each class; a given --model only needs sequences to read.
    min_count = 1 if req.model else MIN_PER_CLASS
    in_memory = _in_memory(req.positives) or _in_memory(req.negatives)
    chip = None if in_memory else chip_inputs(req, log, min_count)   # BED peaks/negatives + --genome
    if chip is not None:
        pos, neg, neg_source = chip.positives, chip.negatives, chip.negatives_source
    else:
        pos = _read(req.positives, min_count, "positive sequences")
        if req.negatives is not None:
            neg = _read(req.negatives, min_count, "negative sequences")
            neg_source = _input_name(req.negatives, "negatives")
        else:
            neg = None
            neg_source = f"dinucleotide-shuffled positives (seed {req.seed})"
    # A bad input (or a bad --model) fails before the database loads (seconds); a bad
    # --motif-db fails before any training.
    motif_db = None if req.model else _motif_db(req)
    pos_seqs = [r.sequence for r in pos]
    neg_seqs = [r.sequence for r in neg] if neg else shuffled_controls(pos_seqs, req.seed)
    n_cropped = sum(len(s) > req.max_length for s in pos_seqs)
    if n_cropped:
        log(f"warning: {n_cropped} sequences longer than {req.max_length} bp are cropped to their centre")
    model, card, model_bytes, timings = _get_model(req, pos_seqs, neg_seqs, neg_source, log, progress)
    model_sha256 = card["sha256"] if model_bytes is not None else sha256_file(req.model)
    if motif_db is None:
        motif_db = _motif_db(req)
    log("reading motifs out of the attention heads")
    _progress(progress, "discovery", 0, 3)
    disc = discover(model, pos_seqs, neg_seqs, DiscoverConfig(**{**req.discover.__dict__, "seed": req.seed}),
                    max_length=req.max_length, device=req.device)
    _progress(progress, "discovery", 1, 3)
    log(f"naming {len(disc.motifs)} motifs by Tomtom against {req.motif_db or 'JASPAR CORE ' + req.taxon}")
    annotate_motifs(disc.motifs, motif_db)
    all_motifs = disc.motifs
    if not req.all_motifs:             # report what is significant; motifs_all.tsv keeps the rest
        disc.motifs = [m for m in all_motifs if is_significant(m)]
        log(f"{len(disc.motifs)} of {len(all_motifs)} motifs enriched at q < {SIGNIFICANT_Q}, also on their own "
            f"sites, are reported (all in motifs_all.tsv; --all reports every motif)")
    warning = other_taxa_warning(disc.motifs, req)
    if warning:
        log(warning)
    _progress(progress, "discovery", 2, 3)
    pairs = find_and_check_pairs(model, pos_seqs, neg_seqs, disc, req, log)
    _progress(progress, "discovery", 3, 3)
    inputs = {_input_name(req.positives, "positives"): _digest(req.positives)}
    if req.negatives is not None:
        inputs[_input_name(req.negatives, "negatives")] = _digest(req.negatives)
    if chip is not None:
        inputs.update(chip.inputs)
    return MotifsRun(req, pos, pos_seqs, neg_seqs, neg_source, model, card, model_sha256,
                     None if model_bytes is not None else req.model, model_bytes, disc, all_motifs, pairs,
                     interaction_rows(pairs, disc.motifs), _offsets(pos_seqs, req.max_length),
                     _composition(pos_seqs), inputs, n_cropped, motif_db, chip, timings)


def _progress(progress, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _in_memory(source) -> bool:
    """Records given in memory (the Python API), not a path to read."""
    return isinstance(source, (list, tuple))


def _read(source, min_count: int, what: str) -> list:
    """Records of a FASTA path, or the in-memory records themselves; too few is InputError."""
    if not _in_memory(source):
        return read_all(source, min_count=min_count, what=what)
    if len(source) < min_count:
        raise InputError(f"{what} (in memory): {len(source)}, too few to train (need at least {min_count})")
    return list(source)


def _input_name(source, what: str) -> str:
    """How an input is named in provenance: its path, or '<N positives in memory>'."""
    return f"<{len(source)} {what} in memory>" if _in_memory(source) else str(source)


SIGNIFICANT_Q = 0.05


def is_significant(m) -> bool:
    """A reported motif: enriched in the positives at BH q < 0.05 (log2 enrichment > 0), also on
    the sites more significant motifs leave (q_conditional; NaN where it was not computed)."""
    return m.q_value < SIGNIFICANT_Q and m.log2_enrichment > 0 and not m.q_conditional >= SIGNIFICANT_Q


def other_taxa_warning(motifs, req) -> str | None:
    """One line when motifs unnamed in the chosen JASPAR taxon (q >= 0.05) match another taxon's
    profiles at q < 0.05 (Drosophila promoter elements named after vertebrate factors, issue 12)."""
    if req.motif_db or req.taxon == "all":
        return None
    unnamed = [m for m in motifs if not ((getattr(m, "match", None) or {}).get("q", 1.0) < SIGNIFICANT_Q)]
    if not unnamed:
        return None
    from attnbio.motifs.annotate import best_matches
    from attnbio.motifs.jaspar import load_jaspar

    other = [m for m in load_jaspar("all") if m.meta.get("taxon") != req.taxon]
    hits = [(m, b) for m, b in zip(unnamed, best_matches([m.probs for m in unnamed], other,
                                                          [m.site_windows for m in unnamed]))
            if b.get("q", 1.0) < SIGNIFICANT_Q]
    if not hits:
        return None
    taxa = sorted({next(o.meta["taxon"] for o in other if o.id == b["id"]) for _, b in hits})
    names = ", ".join(f"{m.id} ~ {b['name']} (q {b['q']:.2g})" for m, b in hits[:4])
    return (f"warning: {len(unnamed)} reported motifs have no JASPAR CORE {req.taxon} match at q < 0.05, "
            f"but {len(hits)} match {'/'.join(taxa)} profiles ({names}): try --taxon {taxa[0]} or --taxon all")


def _motif_db(req):
    """The motif database to name motifs with; unreadable or empty files are InputError."""
    from attnbio.motifs.annotate import load_motif_db

    try:
        db = load_motif_db(req.taxon, req.motif_db)
    except (OSError, ValueError, IndexError) as err:
        raise InputError(f"{req.motif_db}: cannot read motif database ({err})") from None
    if not db:
        raise InputError(f"{req.motif_db or req.taxon}: the motif database holds no motifs")
    return db


def annotate_motifs(motifs, db) -> None:
    """Set m.match = {id, name, q} (best match in `db`, annotate.best_matches) on every motif."""
    from attnbio.motifs.annotate import best_matches

    if motifs:
        windows = [m.site_windows for m in motifs]
        for m, match in zip(motifs, best_matches([m.probs for m in motifs], db, windows)):
            m.match = match


def find_and_check_pairs(model, pos_seqs, neg_seqs, disc, req, log):
    """Attention-supported motif pairs (grammar.py), each checked by intervention (intervene.py)."""
    from attnbio.motifs.grammar import find_pairs
    from attnbio.motifs.intervene import background_sequences, check_pairs

    log("testing motif pairs linked by attention against shuffled, re-implanted backgrounds")
    gcfg = PairConfig(**{**req.grammar.__dict__, "seed": req.seed})
    result = find_pairs(model, pos_seqs, disc.motifs, disc.head_names, gcfg, req.max_length, req.device)
    if result.pairs:
        icfg = InterveneConfig(**{**req.intervene.__dict__, "seed": req.seed})
        log(f"{len(result.pairs)} pairs at q < {gcfg.q_threshold}; planting each into "
            f"{icfg.n_background} background sequences")
        bg = background_sequences(neg_seqs, icfg.n_background, req.seed, req.max_length)
        check_pairs(model, result.pairs, disc.motifs, pos_seqs, bg, icfg, req.max_length, req.device)
    return result


def _get_model(req, pos_seqs, neg_seqs, neg_source, log, progress=None):
    """Train a model or load the given one -> (model, card, safetensors bytes or None, timings or None).

    A trained model's card is the one model.json gets (kind, architecture, weights_file and the
    SHA-256 of the bytes), so the API reports the hash the written file will have.
    """
    if req.model:
        model, card = load_model(req.model)
        log(f"using trained model {req.model} (held-out AUROC {card.get('metrics', {}).get('test_auroc', 'n/a')})")
        return model.to(req.device), card, None, None
    import torch

    log(f"training on {len(pos_seqs)} positives vs {len(neg_seqs)} negatives ({neg_source})")
    cfg = TrainConfig(epochs=req.epochs, max_length=req.max_length, seed=req.seed, restarts=req.restarts)
    result = train_model(pos_seqs, neg_seqs, cfg, ModelConfig(), log=log, device=req.device, progress=progress)
    log(f"held-out AUROC {result.metrics['test_auroc']:.3f} (test split, both strands)")
    warning = low_auroc_warning(result.metrics, req)
    if warning:
        log(warning)
    # Wall-clock time varies run to run: it goes to timings.json, never into the card or report.
    seconds = result.metrics.pop("train_seconds", None)
    card = model_card(req, neg_source, result.metrics, cfg)
    model = result.model.cpu()
    data = weights_bytes(model)
    card = dict(card, kind=MODEL_KIND, architecture=model.cfg.to_dict(), weights_file=MODEL_FILE,
                sha256=hashlib.sha256(data).hexdigest())
    # The model depends on the thread count too (float sums split differently): a run is
    # reproduced by the same seed and the same --threads, so the count is kept beside the time.
    return model, card, data, {"train_seconds": seconds, "torch_threads": torch.get_num_threads()}


MODEL_FILE = "model.safetensors"


def weights_bytes(model) -> bytes:
    """The model's weights as the bytes of a safetensors file (what io.weights.save_weights writes)."""
    from safetensors.torch import save

    return save({k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()})


LOW_AUROC = 0.85


def low_auroc_warning(metrics: dict, req) -> str | None:
    """One line when the held-out AUROC stays low, saying what to try.

    On the planted benchmarks a model below about 0.85 sat on the plateau where it uses single
    motifs and not their spacing (example data, seed 0: 0.795); motifs and pairs read out of it
    are incomplete. Real data may simply be harder, so this warns and does not stop.
    """
    auc = metrics.get("test_auroc", float("nan"))
    if not auc < LOW_AUROC:
        return None
    tries = [f"--epochs {2 * req.epochs}"]
    if req.restarts < 3:
        tries.append("--restarts 3 (keeps the start with the best validation AUROC)")
    tries.append("another --seed")
    return (f"warning: held-out AUROC {auc:.3f} is below {LOW_AUROC}: the model may use single motifs and not "
            f"their spacing, so motifs and pairs read out of it can be missing; try {', '.join(tries)}")


def model_card(req, neg_source: str, metrics: dict, cfg: TrainConfig) -> dict:
    """What a user needs to trust a model: data, seed, command, held-out metrics."""
    data = {"positives": _input_name(req.positives, "positives"), "positives_sha256": _digest(req.positives),
            "negatives": neg_source}
    if req.negatives is not None:
        data["negatives_sha256"] = _digest(req.negatives)
    return {"data": data, "seed": req.seed, "command": req.command,
            "training": cfg.__dict__, "metrics": metrics,
            "metrics_note": "AUROC on a stratified held-out test split (10%), both strands averaged"}


def _digest(source) -> str:
    """SHA-256 of an input as it was read (hashed while parsed, so '-' and pipes have one too);
    of in-memory records, the SHA-256 of them written as FASTA (io.fasta.write_fasta)."""
    if _in_memory(source):
        import io

        from attnbio.io.fasta import write_fasta

        text = io.StringIO()
        write_fasta(text, source)
        return hashlib.sha256(text.getvalue().encode()).hexdigest()
    from attnbio.io.source import input_digest

    return input_digest(path=source)


def _offsets(seqs, max_length):
    from attnbio.motifs.encode import crop_offsets

    lengths = np.array([len(s) for s in seqs])
    return crop_offsets(lengths, min(int(lengths.max()), max_length))


def _composition(seqs) -> tuple:
    counts = np.array([sum(s.count(b) for s in seqs) for b in "ACGT"], float) + 1
    return tuple(counts / counts.sum())
