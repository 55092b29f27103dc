"""How far contacts may trust attention: the attention cap, chosen out of fold on training chains.

Why: each member's full contact logit (attention term + prior, model.contact_terms) is fitted on
its own training chains, where its attention is in-sample. On held-out families the attention
term mostly adds noise to the long-range ranking (by-family cross-validation of 2026-12-02: the
prior alone beat attention + prior on long P@L/5 in four of five folds), and the stacked head
fitted on in-sample attention over-weighted it alike. So the weight attention gets is measured
where attention is out of sample:

- for each family fold g that the training chains fall in (data/protein/folds.tsv), an inner
  model, trained by the same recipe on the training chains outside g (`attnbio train protein
  --without-fold g`), scores the chains of g;
- for each cap c in CAPS, those chains are ranked by c * full + (1 - c) * prior (the inner
  model's calibrated probabilities) and scored by (long P@L + long P@L/5) / 2, averaged over
  units (a dssp50 chain, or a family counted once);
- the cap with the best mean is kept (ties: the smaller cap, the one nearer the prior).

model.combine then uses cap x agreement weight as the weight of the full probability.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CAPS = tuple(k / 10 for k in range(11))


@dataclass
class ScoredChain:
    """One out-of-fold chain: its unit, the inner model's calibrated full and prior-only
    probabilities (L, L), contacts and the valid-pair mask."""
    id: str
    unit: str
    full: np.ndarray
    prior: np.ndarray
    contacts: np.ndarray
    valid: np.ndarray


def chain_key(ex) -> str:
    """How a training chain is named in a card: dssp50 id, or 'group/id' for a family chain."""
    return ex.id if ex.group == "dssp50" else f"{ex.group}/{ex.id}"


def seen_by(card: dict) -> set:
    """Chain keys a model (its card) was trained on."""
    data = card["data"]
    return set(data["train_ids"]) | set(data.get("family_ids", []))


def without_fold(train_ids, family_keys, fold: int, folds: dict) -> tuple[list, list]:
    """The training chains outside family fold `fold`: (dssp50 ids, family keys)."""
    return ([i for i in train_ids if folds.get(i) != fold],
            [k for k in family_keys if folds.get(k) != fold])


def assign_unseen(inner_models, examples) -> list[tuple]:
    """[(model, its examples)]: each example goes to the first inner model (model, card) whose
    card does not list it; an example every inner model trained on is left out."""
    seen = [seen_by(card) for _, card in inner_models]
    groups = [[] for _ in inner_models]
    for ex in examples:
        k = next((i for i, s in enumerate(seen) if chain_key(ex) not in s), None)
        if k is not None:
            groups[k].append(ex)
    return [(m, g) for (m, _), g in zip(inner_models, groups) if g]


def score_unseen(inner_models, examples) -> list[ScoredChain]:
    """Score the examples (at most head.FAMILY_CHAINS per family) each with an inner model that
    did not train on it (assign_unseen); in (group, id) order."""
    import torch

    from attnbio.protein.head import pick_chains, unit_of
    from attnbio.protein.model import predict_full

    picked = pick_chains(examples)
    model_of = {chain_key(ex): m for m, mine in assign_unseen(inner_models, picked) for ex in mine}
    out = []
    with torch.no_grad():
        for ex in sorted(picked, key=lambda e: (e.group, e.id)):
            if chain_key(ex) not in model_of:
                continue
            r = predict_full(model_of[chain_key(ex)], ex.sequence)
            valid = ~np.isnan(ex.cb).any(1)
            out.append(ScoredChain(ex.id, unit_of(ex), r["full_prob"], r["prior_prob"], ex.contacts,
                                   valid[:, None] & valid[None, :]))
    return out


def choose_cap(chains: list[ScoredChain], caps=CAPS, seed: int = 0) -> tuple[float, dict]:
    """(best cap, {cap: mean score}) over the out-of-fold chains; see the module docstring."""
    from attnbio.protein.analyze import precision_at

    if not chains:
        raise ValueError("choose_cap: no out-of-fold chains to choose the attention cap on")
    scores = {}
    for c in caps:
        rng = np.random.default_rng(seed)     # the same tie-breaks for every cap
        units = {}
        for ch in chains:
            blend = c * ch.full + (1 - c) * ch.prior
            s = np.nanmean([precision_at(blend, ch.contacts, 24, None, k, ch.valid, rng) for k in (1, 5)])
            if np.isfinite(s):
                units.setdefault(ch.unit, []).append(s)
        scores[c] = float(np.mean([np.mean(v) for v in units.values()]))
    best = max(caps, key=lambda c: (round(scores[c], 12), -c))
    return best, scores


def cap_record(cap: float, scores: dict, chains: list[ScoredChain], inner_cards: list) -> dict:
    """The card entry for a chosen cap."""
    return {"value": cap,
            "protocol": "attnbio.protein.attention_cap: inner models each trained without one family fold "
                        "of the training chains score that fold; cap maximising mean (long P@L + long P@L/5)/2 "
                        "over units; contacts = cap * w * full + (1 - cap * w) * prior",
            "scores": {f"{c:g}": round(s, 5) for c, s in scores.items()},
            "chains": len(chains), "units": len({c.unit for c in chains}),
            "inner_models": [{"without_fold": c["data"].get("without_fold"), "seed": c.get("seed"),
                              "sha256": c.get("sha256")} for c in inner_cards]}
