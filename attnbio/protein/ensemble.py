"""Join protein models trained with different seeds into one ensemble weights file + card.

Usage: python -m attnbio.protein.ensemble --out attnbio/weights/protein.safetensors \
           build/protein/seed0.safetensors build/protein/seed1.safetensors ...

Every member must come from `python -m attnbio.protein.train` on the same split. The card
keeps each member's card (seed, command, its own held-out metrics) and adds the ensemble's
held-out metrics; the first member's attention is the one read for heads and lenses.
"""
from __future__ import annotations

import argparse
import logging
import sys

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


def main(argv=None) -> None:
    from attnbio.io.weights import save_weights
    from attnbio.protein.data import load_dssp50
    from attnbio.protein.train import evaluate

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("members", nargs="+", help="single-model weights from attnbio.protein.train")
    ap.add_argument("--out", required=True, help="ensemble weights path (.safetensors); card beside it")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    ensemble, card = join(args.members)
    card["command"] = " ".join(["python -m attnbio.protein.ensemble"] + (argv or sys.argv[1:]))
    metrics = evaluate(ensemble, load_dssp50(card["data"]["validation_ids"]), seed=card["seed"] or 0)
    for name, m in metrics.items():
        log.info("%-7s long P@L %.3f  long P@L/5 %.3f  medium P@L/5 %.3f", name,
                 m["long_P@L"], m["long_P@L/5"], m["medium_P@L/5"])
    card["heldout_metrics"] = metrics
    # Which lenses of the first member (read on its training chains) hold on the held-out
    # proteins, none of which shares a family with a training chain: heads.tsv reports this.
    from attnbio.protein.analyze import lens_replication, proteins_from_examples

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
    save_weights(args.out, dict(ensemble.state_dict()), card)
    log.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
