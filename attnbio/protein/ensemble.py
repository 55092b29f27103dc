"""Join protein models trained with different seeds into one ensemble weights file + card.

Command line: `attnbio train protein-ensemble build/protein/seed0.safetensors
build/protein/seed1.safetensors ... -o attnbio/weights/protein.safetensors` (attnbio/commands/train.py).

Every member must come from `attnbio train protein` on the same split. The card
keeps each member's card (seed, command, its own held-out metrics) and adds the ensemble's
held-out metrics; the first member's attention is the one read for heads and lenses.
"""
from __future__ import annotations

import logging

log = logging.getLogger("attnbio.protein.ensemble")


def join(member_paths) -> tuple[object, dict]:
    """(ProteinEnsemble with the members' weights, card without metrics or sha256)."""
    from attnbio.errors import InputError
    from attnbio.io.weights import load_weights
    from attnbio.protein.model import ProteinAttentionModel, ProteinEnsemble

    models, cards, first = [], [], None
    for path in member_paths:
        tensors, card = load_weights(path, expect_kind="attnbio.protein")
        if card.get("members"):
            raise InputError(f"{path}: already an ensemble; give single-model files")
        first = first or card
        if card["data"]["validation_ids"] != first["data"]["validation_ids"]:
            raise InputError(f"{path}: trained on another split than {member_paths[0]}")
        model = ProteinAttentionModel(**card["config"])
        model.load_state_dict(tensors)
        models.append(model)
        cards.append({k: card[k] for k in ("seed", "command", "config", "heldout_metrics", "sha256") if k in card})
    ensemble = ProteinEnsemble([c["config"] for c in cards])
    for slot, model in zip(ensemble.members, models):
        slot.load_state_dict(model.state_dict())
    card = {"kind": "attnbio.protein", "format_version": "1",
            "description": f"Ensemble of {len(models)} protein transformers (seeds "
                           f"{', '.join(str(c.get('seed')) for c in cards)}): contacts are the mean "
                           "of their probabilities; heads and lenses are the first member's.",
            "config": cards[0]["config"], "seed": cards[0].get("seed"), "members": cards,
            "data": first["data"], "contact_definition": first.get("contact_definition"),
            "torch_version": first.get("torch_version")}
    return ensemble, card


def load_inner(paths, card: dict) -> list:
    """[(model, card)] of inner models (`attnbio train protein --without-fold N`) that belong to
    the ensemble card's split; a one-line error otherwise."""
    from attnbio.errors import InputError
    from attnbio.io.weights import load_weights
    from attnbio.protein.model import ProteinAttentionModel

    out = []
    for path in paths:
        tensors, inner = load_weights(path, expect_kind="attnbio.protein")
        if inner["data"].get("without_fold") is None:
            raise InputError(f"{path}: not an inner model (train it with attnbio train protein --without-fold N)")
        if inner["data"]["validation_ids"] != card["data"]["validation_ids"]:
            raise InputError(f"{path}: trained on another split than the members")
        model = ProteinAttentionModel(**inner["config"])
        model.load_state_dict(tensors)
        out.append((model, inner))
    return out


def inner_record(cards) -> str:
    """'fold N seed S sha256 ...' of each inner model, for the card."""
    return "; ".join(f"without fold {c['data'].get('without_fold')} seed {c.get('seed')} sha256 "
                     f"{str(c.get('sha256'))[:12]}" for c in cards)


def fit_attention_cap(ensemble, card: dict, inner_paths) -> None:
    """Choose the attention cap on the members' training chains, scored out of fold by the inner
    models (attnbio.protein.attention_cap); sets ensemble.attention_cap and card['attention_cap']."""
    from attnbio.protein.attention_cap import cap_record, choose_cap, score_unseen
    from attnbio.protein.head import training_examples

    inner = load_inner(inner_paths, card)
    chains = score_unseen(inner, training_examples(card))
    cap, scores = choose_cap(chains)
    ensemble.attention_cap = cap
    card["attention_cap"] = cap_record(cap, scores, chains, [c for _, c in inner])
    log.info("attention cap %.1f (out-of-fold score by cap: %s; %d chains)", cap,
             ", ".join(f"{c:g}: {v:.3f}" for c, v in scores.items()), len(chains))


def train_protein_ensemble(members, command: str = "", progress=None, contact_head: bool = False,
                           inner=()) -> tuple[object, dict]:
    """Join single-model weights files `members` (paths) into an ensemble and score it as
    `attnbio train protein-ensemble` does: (ProteinEnsemble, card without sha256).

    With contact_head the card adds the stacked contact head (attnbio.protein.head, fitted on
    the members' training chains) and contacts are ranked by it. With inner (paths of models
    from `attnbio train protein --without-fold N`) the head sees each training chain's attention
    from the inner model that did not train on it; with inner and no head the card adds the
    attention cap chosen out of fold (attnbio.protein.attention_cap). The card adds the ensemble's
    held-out metrics (train.evaluate on the members' validation
    proteins) and which lenses of the first member replicate on those proteins; `command` is
    the command line recorded in the card. Nothing is trained, so `progress` is not called.
    """
    from attnbio.protein.analyze import lens_replication, proteins_from_examples
    from attnbio.protein.data import load_dssp50
    from attnbio.protein.head import chain_data, fit_contact_head, out_of_fold_chain_data, training_examples
    from attnbio.protein.train import evaluate

    ensemble, card = join([str(m) for m in members])
    card["command"] = command
    if inner and not contact_head:
        fit_attention_cap(ensemble, card, [str(p) for p in inner])
    if contact_head:
        # The stacked contact head (attnbio.protein.head), fitted here, after transformer
        # training, on the members' training chains only; attnbio protein then ranks by it.
        # With inner models each chain's attention comes from the one that did not train on it.
        if inner:
            models = load_inner([str(p) for p in inner], card)
            chains = out_of_fold_chain_data(models, training_examples(card))
        else:
            chains = chain_data(list(ensemble.members), training_examples(card))
        ensemble.contact_head = fit_contact_head(chains)
        card["contact_head"] = ensemble.contact_head.to_card()
        card["contact_head"]["attention_source"] = (
            "out of fold: " + inner_record([c for _, c in models]) if inner else "in-sample (the members)")
        log.info("contact head: lambda %g (inner family-fold CV %s)", ensemble.contact_head.lam,
                 ensemble.contact_head.inner_scores)
    metrics = evaluate(ensemble, load_dssp50(card["data"]["validation_ids"]), seed=card["seed"] or 0)
    for name, m in metrics.items():
        log.info("%-7s long P@L %.3f  long P@L/5 %.3f  medium P@L/5 %.3f", name,
                 m["long_P@L"], m["long_P@L/5"], m["medium_P@L/5"])
    card["heldout_metrics"] = metrics
    # Which lenses of the first member (read on its training chains) hold on the held-out
    # proteins, none of which shares a family with a training chain: heads.tsv reports this.
    card["lens_replication"] = {
        "protocol": "lens of each head of the first member on the dssp50 training chains; the same "
                    "feature's enrichment and BH q on the validation proteins (other families); "
                    "replicates = q < 0.01 and enrichment > 1",
        "rows": lens_replication(ensemble, proteins_from_examples(load_dssp50(card["data"]["train_ids"])),
                                 proteins_from_examples(load_dssp50(card["data"]["validation_ids"])))}
    for r in card["lens_replication"]["rows"]:
        log.info("layer %d head %d %-16s held-out enrichment %.2f q %.1e %s", r["layer"], r["head"],
                 r["lens"], r["heldout_enrichment"], r["heldout_q"],
                 "replicates" if r["replicates"] else "does not replicate")
    return ensemble, card


if __name__ == "__main__":   # the old entry point: say where it went instead of exiting 0 silently
    raise SystemExit("python -m attnbio.protein.ensemble is gone: use `attnbio train protein-ensemble --help`")
