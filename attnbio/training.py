"""Retraining the bundled models: one runner behind `attnbio train motifs|protein|protein-ensemble|refine`.

Each kind has one library trainer that returns (model, card without sha256) and records the
command line it is given; run() calls it and writes the weights as safetensors with the card
beside them (attnbio.io.weights.save_weights: atomic, sha256 of the weights in the card).
Threads, seeds of the global RNGs and logging set-up are the caller's (attnbio/commands/train.py).
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from attnbio.errors import InputError

log = logging.getLogger("attnbio.training")

# kind -> "module:function" of its trainer (imported when used: torch loads only then)
TRAINERS = {
    "motifs": "attnbio.training:train_motifs",
    "protein": "attnbio.protein.train:train_protein",
    "protein-ensemble": "attnbio.protein.ensemble:train_protein_ensemble",
    "refine": "attnbio.structure.train:train_refine",
}


@dataclass
class TrainRequest:
    kind: str                     # a key of TRAINERS
    out: str | Path               # weights path (.safetensors); the card goes beside it (.json)
    settings: dict = field(default_factory=dict)   # keyword arguments of the kind's trainer
    command: str = ""             # provenance: the command line recorded in the card


@dataclass
class TrainResult:
    path: Path                    # the weights file written
    card: dict                    # its card as written (with sha256 and weights_file)
    model: object                 # the trained torch module


def check_out(out) -> Path:
    """The weights path, checked before any training: a .safetensors name whose folder exists or
    can be made (the card is written beside it with the suffix .json)."""
    path = Path(out)
    if path.suffix != ".safetensors":
        raise InputError(f"{out}: the weights file must end in .safetensors (its card is written beside it as .json)")
    if path.is_dir():
        raise InputError(f"{out}: is a folder; give the weights file to write")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def run(request: TrainRequest, progress=None) -> TrainResult:
    """Train request.kind with request.settings and write weights + card to request.out."""
    from attnbio.io.weights import save_weights

    if request.kind not in TRAINERS:
        raise InputError(f"unknown model kind {request.kind!r} (known: {', '.join(TRAINERS)})")
    path = check_out(request.out)
    module, name = TRAINERS[request.kind].split(":")
    trainer = getattr(importlib.import_module(module), name)
    model, card = trainer(**request.settings, command=request.command, progress=progress)
    card = save_weights(path, dict(model.state_dict()), card)
    return TrainResult(path, card, model)


def parse_settings(items, defaults: dict, option: str) -> dict:
    """KEY=VALUE strings -> {key: value}, each value of its default's type; a key not in
    `defaults` or a value that does not parse is one InputError naming `option`."""
    out = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or key not in defaults:
            raise InputError(f"{option} {item}: unknown setting {key!r} (known: {', '.join(defaults)})")
        kind = type(defaults[key])
        try:
            if kind is bool:
                if text.lower() not in ("true", "false", "1", "0"):
                    raise ValueError(text)
                value = text.lower() in ("true", "1")
            else:
                value = kind(text)
        except ValueError:
            what = {int: "an integer", float: "a number", bool: "true or false"}.get(kind, kind.__name__)
            raise InputError(f"{option} {item}: {text!r} is not {what}") from None
        out[key] = value
    return out


def train_motifs(positives, negatives=None, seed: int = 0, epochs: int = 40, max_length: int = 1000,
                 restarts: int = 1, device: str = "cpu", command: str = "", progress=None):
    """The DNA attention model as `attnbio motifs` trains it when no --model is given: FASTA
    positives vs `negatives` (default: their dinucleotide-shuffled controls, seeded), the same
    TrainConfig and card (motifs.pipeline.model_card). Returns (model on the CPU, card).

    Logs one line per epoch and the warnings `attnbio motifs` gives (those at WARNING level).
    """
    from attnbio.io.fasta import read_all
    from attnbio.motifs.model import MODEL_KIND, ModelConfig
    from attnbio.motifs.pipeline import MotifsRequest, low_auroc_warning, model_card
    from attnbio.motifs.shuffle import shuffled_controls
    from attnbio.motifs.train import MIN_PER_CLASS, TrainConfig, train_model

    pos = [r.sequence for r in read_all(positives, min_count=MIN_PER_CLASS, what="positive sequences")]
    if negatives:
        neg = [r.sequence for r in read_all(negatives, min_count=MIN_PER_CLASS, what="negative sequences")]
        neg_source = str(negatives)
    else:
        neg = shuffled_controls(pos, seed)
        neg_source = f"dinucleotide-shuffled positives (seed {seed})"
    n_cropped = sum(len(s) > max_length for s in pos)
    if n_cropped:
        say(f"warning: {n_cropped} sequences longer than {max_length} bp are cropped to their centre")
    req = MotifsRequest(positives, Path("."), negatives, seed=seed, epochs=epochs, max_length=max_length,
                        device=device, restarts=restarts, command=command)
    say(f"training on {len(pos)} positives vs {len(neg)} negatives ({neg_source})")
    cfg = TrainConfig(epochs=epochs, max_length=max_length, seed=seed, restarts=restarts)
    result = train_model(pos, neg, cfg, ModelConfig(), log=say, device=device, progress=progress)
    say(f"held-out AUROC {result.metrics['test_auroc']:.3f} (test split, both strands)")
    warning = low_auroc_warning(result.metrics, req)
    if warning:
        say(warning)
    result.metrics.pop("train_seconds", None)   # wall-clock time: never into a card
    card = dict(model_card(req, neg_source, result.metrics, cfg), kind=MODEL_KIND,
                architecture=result.model.cfg.to_dict())
    return result.model.cpu(), card


def say(message: str) -> None:
    """The log callback motifs.train_model gets: "warning: ..." lines at WARNING level (shown
    under -q), the rest at INFO."""
    (log.warning if message.startswith("warning:") else log.info)(message)

