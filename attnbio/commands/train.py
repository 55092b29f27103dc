"""`attnbio train motifs|protein|protein-ensemble|refine`: retrain a bundled model (or train your own).

Every subcommand sets threads and seeds (commands.common.setup_runtime), hands its options to
attnbio.training.run and says where the weights and their card went. `make models` retrains
the bundled weights with these commands; each card's `command` field records the line used.
"""
from __future__ import annotations

import click

from attnbio.commands.common import (command_line, device_option, log, make_progress, motif_training_options,
                                     seed_option, setup_runtime, threads_option)


def out_option(f):
    return click.option("-o", "--out", required=True, type=click.Path(dir_okay=False),
                        help="Weights file to write (.safetensors); its model card goes beside it (.json).")(f)


@click.group("train")
def command():
    """Retrain a bundled model (or train your own) and write weights + model card.

    `make models` retrains every bundled model with these subcommands; the card of each bundled
    weights file (attnbio/weights/*.json) records the exact command line.
    """


def _run(kind: str, out, threads, seed: int, settings: dict, device: str = "cpu") -> None:
    from attnbio.training import TrainRequest, run

    dev = setup_runtime(threads, seed, device)
    if "device" in settings:
        settings["device"] = str(dev)
    with make_progress() as progress:
        result = run(TrainRequest(kind, out, settings, command_line()), progress=progress)
    log.info("wrote %s and %s (sha256 %s)", result.path, result.path.with_suffix(".json").name,
             result.card["sha256"][:12])


@command.command("motifs")
@click.argument("positives", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--negatives", type=click.Path(allow_dash=True, dir_okay=False), default=None,
              help="Negative FASTA (default: dinucleotide-shuffled positives).")
@out_option
@motif_training_options
@threads_option
@seed_option
@device_option
def motifs(positives, negatives, out, epochs, restarts, max_length, threads, seed, device):
    """The DNA motif model, trained as `attnbio motifs` trains it without --model.

    The same options give the same weights as `attnbio motifs ... -o DIR` writes to
    DIR/model.safetensors; use the file with `attnbio motifs --model` or `attnbio scan --model`.
    """
    from attnbio.io.source import only_one_stdin

    only_one_stdin(POSITIVES=positives, **{"--negatives": negatives})
    _run("motifs", out, threads, seed, dict(positives=positives, negatives=negatives, seed=seed, epochs=epochs,
                                            max_length=max_length, restarts=restarts, device=device), device)


@command.command("protein")
@out_option
@click.option("--epochs", type=click.IntRange(1, 10_000), default=40, show_default=True, help="Training epochs.")
@click.option("--dev", is_flag=True, default=False,
              help="Tuning mode: hold out every 4th training protein and report on those "
                   "(the validation proteins stay untouched).")
@click.option("--no-families", is_flag=True, default=False,
              help="Train on the dssp50 chains only (no family chains as augmentation).")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="Override a training setting, e.g. --set entropy_weight=0.02 (repeatable).")
@click.option("--model-set", "model_sets", multiple=True, metavar="KEY=VALUE",
              help="Override a model setting, e.g. --model-set init_sharpness=1 (repeatable).")
@click.option("--without-fold", type=int, default=None, metavar="N",
              help="An inner model: leave out the training chains of family fold N (data/protein/folds.tsv); "
                   "give one per fold to protein-ensemble --inner (the contact head's out-of-fold attention).")
@threads_option
@seed_option
def protein(out, epochs, dev, no_families, sets, model_sets, without_fold, threads, seed):
    """One protein attention model on data/protein (a member of the bundled ensemble).

    Contacts, secondary structure and masked residues as in attnbio/protein/train.py; the card
    holds the held-out contact precisions against the Kyte-Doolittle and random baselines.
    """
    from attnbio.protein.model import DEFAULT_CONFIG
    from attnbio.protein.train import DEFAULT_TRAINING
    from attnbio.training import parse_settings

    training = {"epochs": epochs, **parse_settings(sets, DEFAULT_TRAINING, "--set")}
    model_config = parse_settings(model_sets, DEFAULT_CONFIG, "--model-set")
    _run("protein", out, threads, seed, dict(seed=seed, training=training, model_config=model_config, dev=dev,
                                             use_families=not no_families, without_fold=without_fold))


@command.command("protein-ensemble")
@click.argument("members", nargs=-1, required=True, type=click.Path(dir_okay=False))
@out_option
@click.option("--contact-head", is_flag=True, default=False,
              help="Also fit the stacked contact head (attnbio.protein.head) on the members' training "
                   "chains and rank contacts by it; with --inner on out-of-fold attention (as make "
                   "models-protein does; see README, by-family cross-validation).")
@click.option("--inner", multiple=True, type=click.Path(dir_okay=False),
              help="Inner models (attnbio train protein --without-fold N, one per fold; repeatable): the "
                   "contact head's out-of-fold attention, or without --contact-head the attention cap.")
@threads_option
def protein_ensemble(members, out, contact_head, inner, threads):
    """Join MEMBERS (weights from `attnbio train protein`, same split) into one ensemble.

    Contacts are the members' mean probability; heads and lenses are the first member's. The
    card keeps each member's card and adds the ensemble's held-out metrics and lens replication.
    """
    _run("protein-ensemble", out, threads, 0, dict(members=list(members), contact_head=contact_head,
                                                   inner=list(inner)))


@command.command("refine")
@out_option
@click.option("--steps", type=click.IntRange(1, 10_000_000), default=1500, show_default=True, help="Training steps.")
@click.option("--batch", type=click.IntRange(1, 1024), default=2, show_default=True, help="Crops per step.")
@click.option("--crop", type=click.IntRange(8, 4096), default=64, show_default=True, help="Crop length (residues).")
@click.option("--lr", type=click.FloatRange(0, 10, min_open=True), default=2e-3, show_default=True,
              help="Peak learning rate (one-cycle schedule).")
@click.option("--tri-weight", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Weight of the triangle-inequality loss.")
@click.option("--tri-slack", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Room (A) the triangle-inequality hinge asks for.")
@click.option("--init", type=click.Path(dir_okay=False), default=None,
              help="Start from these refine weights (.safetensors with card) instead of random ones.")
@click.option("--no-eval", is_flag=True, default=False, help="Skip scoring the held-out proteins (about 2 min).")
@threads_option
@seed_option
def refine(out, steps, batch, crop, lr, tri_weight, tri_slack, init, no_eval, threads, seed):
    """The pair-representation refiner, as a denoiser of perturbed data/refine structures."""
    _run("refine", out, threads, seed, dict(steps=steps, batch=batch, crop=crop, lr=lr, seed=seed,
                                            tri_weight=tri_weight, tri_slack=tri_slack, init=init,
                                            evaluate=not no_eval))
