"""Train the protein attention model on the bundled structures and write weights + model card.

Command line: `attnbio train protein --seed 0 --threads 1 -o build/protein/seed0.safetensors`
(attnbio/commands/train.py); `make models-protein` trains the bundled members this way.

Objective: binary cross-entropy on CB-CB contacts (< 8 A) for pairs at least 6 residues apart,
predicted by the logistic regression over APC-corrected attention (Rao et al. 2021) added to
the plain sequence prior (model.prior_features), and the same for the prior alone, plus
3-state secondary structure from the DSSP strings (Kabsch & Sander 1983; dssp50 chains only)
and masked-residue prediction (Devlin et al. 2019) as auxiliary losses. Training chains are the
dssp50 training proteins plus, as augmentation, a few family chains per epoch.
"""
from __future__ import annotations

import logging
import time

import numpy as np

log = logging.getLogger("attnbio.protein.train")

DEFAULT_TRAINING = {"epochs": 40, "lr": 2e-3, "weight_decay": 0.1, "accumulate": 1,
                    "family_chains_per_epoch": 6, "mask_rate": 0.1, "ss_weight": 0.5,
                    "mlm_weight": 0.2, "long_weight": 4.0, "min_separation": 6,
                    "entropy_weight": 0.01, "entropy_layers": 1}


def _loss(model, ex, cfg, gen):
    import torch
    import torch.nn.functional as F

    from attnbio.protein.model import MASK_INDEX, SS_STATES, encode

    tokens = encode(ex.sequence)
    n = len(tokens)
    masked = torch.rand(n, generator=gen) < cfg["mask_rate"]
    inp = torch.where(masked, torch.full_like(tokens, MASK_INDEX), tokens)
    out = model(inp)
    i, j = torch.triu_indices(n, n, offset=cfg["min_separation"])
    valid = torch.from_numpy(~np.isnan(ex.cb).any(1))
    keep = valid[i] & valid[j]
    i, j = i[keep], j[keep]
    target = torch.from_numpy(ex.contacts)[i, j].float()
    weight = torch.where(j - i >= 24, cfg["long_weight"], 1.0)
    loss = F.binary_cross_entropy_with_logits(out["contact_logits"][i, j], target, weight=weight)
    if out["prior_logits"] is not None:  # the prior learns alone (it enters the sum detached)
        loss = loss + F.binary_cross_entropy_with_logits(out["prior_logits"][i, j], target,
                                                         weight=weight)
    # Sparse heads in the first `entropy_layers` layers (0: all) read as lenses; later layers
    # stay free to serve the contact regression.
    ent = out["attention_entropy"]
    ent = ent[: cfg["entropy_layers"]] if cfg["entropy_layers"] else ent
    loss = loss + cfg["entropy_weight"] * ent.mean()
    if ex.ss is not None:
        ss = torch.tensor([SS_STATES.index(s) if s in SS_STATES else 2 for s in ex.ss])
        loss = loss + cfg["ss_weight"] * F.cross_entropy(out["ss_logits"], ss)
    if masked.any():
        loss = loss + cfg["mlm_weight"] * F.cross_entropy(out["residue_logits"][masked],
                                                          tokens[masked])
    return loss


def platt(logits: np.ndarray, labels: np.ndarray, iterations: int = 50) -> tuple[float, float]:
    """(a, b) minimising the log loss of sigmoid(a * logit + b) (Platt 1999), by Newton steps
    with a small ridge; (1, 0) when the labels are all one class."""
    y = labels.astype(np.float64)
    if y.size == 0 or y.min() == y.max():
        return 1.0, 0.0
    x = np.stack([logits.astype(np.float64), np.ones_like(y)], 1)
    w = np.array([1.0, 0.0])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(x @ w)))
        g = x.T @ (p - y) + 1e-6 * w
        h = (x * (p * (1 - p))[:, None]).T @ x + 1e-6 * np.eye(2)
        step = np.linalg.solve(h, g)
        w = w - step
        if np.abs(step).max() < 1e-9:
            break
    return float(w[0]), float(w[1])


def fit_calibration(model, examples, min_separation: int = 6) -> list:
    """Platt-scale the full and the prior-only contact logits per separation range on
    `examples` (the training chains; eval mode), unweighted, and store them in
    model.calibration. Returns the (2, 3, 2) values as nested lists."""
    import torch

    from attnbio.protein.model import encode, range_index

    if not hasattr(model, "calibration"):
        return []
    model.eval()
    logits = {0: [], 1: []}
    labels, ranges = [], []
    with torch.no_grad():
        for ex in examples:
            out = model(encode(ex.sequence))
            n = len(ex.sequence)
            i, j = np.triu_indices(n, min_separation)
            valid = ~np.isnan(ex.cb).any(1)
            keep = valid[i] & valid[j]
            i, j = i[keep], j[keep]
            logits[0].append(out["contact_logits"].double().numpy()[i, j])
            logits[1].append(out["prior_logits"].double().numpy()[i, j])
            labels.append(ex.contacts[i, j])
            ranges.append(range_index(n)[i, j])
    y, r = np.concatenate(labels), np.concatenate(ranges)
    cal = [[list(platt(np.concatenate(logits[k])[r == g], y[r == g])) for g in range(3)]
           for k in (0, 1)]
    model.calibration.copy_(torch.tensor(cal))
    return cal


def evaluate(model, examples, seed=0) -> dict:
    """Mean contact precisions of the model and of the Kyte-Doolittle and random baselines
    (both baselines: mean over 20 random tie-breaks or rankings per protein).

    Returns {'model': {...}, 'kd_sum': {...}, 'random': {...}} of '{range}_P@{top}' means.
    """
    from attnbio.protein.analyze import contact_precisions
    from attnbio.protein.model import predict
    from attnbio.protein.scales import kd_pair_score

    rng = np.random.default_rng(seed)
    rows = {"model": [], "kd_sum": [], "random": []}
    for ex in examples:
        valid = ~np.isnan(ex.cb).any(1)
        valid = valid[:, None] & valid[None, :]
        prob, _, _ = predict(model, ex.sequence)
        rows["model"].append(contact_precisions(prob, ex.contacts, valid, rng))
        # kd_i + kd_j takes few distinct values, so its precision depends on how ties are
        # broken: report the mean over 20 random tie-breaks (its expectation), like random.
        kd = kd_pair_score(ex.sequence)
        kds = [contact_precisions(kd, ex.contacts, valid, rng) for _ in range(20)]
        rows["kd_sum"].append({k: float(np.mean([r[k] for r in kds])) for k in kds[0]})
        n = len(ex.sequence)
        rand = [contact_precisions(rng.random((n, n)), ex.contacts, valid, rng) for _ in range(20)]
        rows["random"].append({k: float(np.mean([r[k] for r in rand])) for k in rand[0]})
    return {name: {k: float(np.nanmean([r[k] for r in rs])) for k in rs[0]}
            for name, rs in rows.items()}


def train(seed: int = 0, training: dict | None = None, model_config: dict | None = None,
          train_ids=None, use_families: bool = True, callback=None, families=None, progress=None):
    """Train a model from scratch; returns (model, record) with losses and the data used.

    families: the family chains for augmentation (default: all of data/protein/families when
    use_families). After training, probabilities are Platt-scaled on the dssp50 training chains.
    progress(stage, done, total), if given, is called after every epoch ("training"). Threads
    are the caller's (the command sets them); torch's global RNG is seeded inside
    torch.random.fork_rng, so the caller's random state is left as it was.
    """
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)       # the initial weights and dropout masks
        return _train(seed, training, model_config, train_ids, use_families, callback, families, progress)


def _train(seed, training, model_config, train_ids, use_families, callback, families, progress):
    import torch

    from attnbio.protein.data import load_dssp50, load_families, split_ids
    from attnbio.protein.model import ProteinAttentionModel

    cfg = dict(DEFAULT_TRAINING, **(training or {}))
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    if train_ids is None:
        train_ids, _ = split_ids()
    core = load_dssp50(train_ids)
    if families is None:
        families = load_families() if use_families else []
    model = ProteinAttentionModel(**(model_config or {}))
    decay = [p for n, p in model.named_parameters() if not n.endswith("log_scale")]
    free = [p for n, p in model.named_parameters() if n.endswith("log_scale")]
    opt = torch.optim.AdamW([{"params": decay}, {"params": free, "weight_decay": 0.0}],
                            lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    steps_per_epoch = math_ceil((len(core) + (cfg["family_chains_per_epoch"] if families else 0))
                                / cfg["accumulate"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg["lr"], pct_start=0.1,
                                                total_steps=cfg["epochs"] * steps_per_epoch)
    losses = []
    t0 = time.perf_counter()
    for epoch in range(cfg["epochs"]):
        model.train()
        chosen = list(core)
        if families:
            pick = rng.choice(len(families), size=cfg["family_chains_per_epoch"], replace=False)
            chosen += [families[k] for k in sorted(pick)]
        order = rng.permutation(len(chosen))
        total = 0.0
        for start in range(0, len(order), cfg["accumulate"]):
            opt.zero_grad()
            batch = [chosen[k] for k in order[start:start + cfg["accumulate"]]]
            for ex in batch:
                loss = _loss(model, ex, cfg, gen) / len(batch)
                loss.backward()
                total += float(loss.detach()) * len(batch)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
        losses.append(total / len(chosen))
        log.info("epoch %d loss %.4f (%.0f s)", epoch + 1, losses[-1], time.perf_counter() - t0)
        if callback is not None:
            callback(model, epoch + 1)
        if progress is not None:
            progress("training", epoch + 1, cfg["epochs"])
    calibration = fit_calibration(model, core)
    record = {"training": cfg, "train_ids": list(train_ids), "calibration": calibration,
              "family_ids": [f"{ex.group}/{ex.id}" for ex in families],
              "losses": [round(x, 5) for x in losses], "seconds": round(time.perf_counter() - t0, 1)}
    return model, record


def math_ceil(x: float) -> int:
    return int(-(-x // 1))


def _without_fold(train_ids, use_families: bool, fold: int):
    """(dssp50 ids, family chains) of the training set outside family fold `fold`."""
    from attnbio.errors import InputError
    from attnbio.protein.attention_cap import chain_key, without_fold
    from attnbio.protein.data import load_families, read_folds

    folds = read_folds()
    if fold not in set(folds.values()):
        raise InputError(f"--without-fold {fold}: no such fold in data/protein/folds.tsv "
                         f"(folds {', '.join(str(f) for f in sorted(set(folds.values())))})")
    families = load_families() if use_families else []
    ids, keys = without_fold(train_ids, [chain_key(e) for e in families], fold, folds)
    return ids, [e for e in families if chain_key(e) in set(keys)]


def train_protein(seed: int = 0, training: dict | None = None, model_config: dict | None = None,
                  dev: bool = False, use_families: bool = True, command: str = "", progress=None,
                  without_fold: int | None = None):
    """One protein model as `attnbio train protein` trains it: (model, card without sha256).

    training / model_config: overrides of DEFAULT_TRAINING / model.DEFAULT_CONFIG. dev: tuning
    mode, every 4th training protein is held out and reported on instead of the validation
    proteins (which stay untouched). The card's held-out metrics are evaluate() on the held-out
    proteins; `command` is the command line recorded in the card. without_fold: an inner model
    (for the contact head's out-of-fold attention or the attention cap; protein.ensemble), trained
    without the training chains of that family fold (data/protein/folds.tsv).
    """
    import torch

    from attnbio.errors import InputError
    from attnbio.protein.data import load_dssp50, split_ids
    from attnbio.protein.model import DEFAULT_CONFIG

    for what, given, known in (("training", training, DEFAULT_TRAINING),
                               ("model", model_config, DEFAULT_CONFIG)):
        unknown = sorted(set(given or {}) - set(known))
        if unknown:
            raise InputError(f"unknown {what} setting {unknown[0]!r} (known: {', '.join(known)})")
    train_ids, val_ids = split_ids()
    if dev:
        val_ids = train_ids[::4]
        train_ids = [i for i in train_ids if i not in val_ids]
    families = None
    if without_fold is not None:
        train_ids, families = _without_fold(train_ids, use_families, without_fold)
    model, record = train(seed=seed, training=training, model_config=model_config,
                          train_ids=train_ids, use_families=use_families, progress=progress,
                          families=families)
    if without_fold is not None:
        record["without_fold"] = without_fold
    metrics = evaluate(model, load_dssp50(val_ids), seed=seed)
    for name, m in metrics.items():
        log.info("%-7s long P@L %.3f  long P@L/5 %.3f  medium P@L/5 %.3f", name,
                 m["long_P@L"], m["long_P@L/5"], m["medium_P@L/5"])
    card = {
        "kind": "attnbio.protein",
        "format_version": "1",
        "description": "Protein transformer (per-head W_Q/W_K, relative bias, null key); "
                       "contacts by logistic regression over APC-corrected attention.",
        "config": model.config,
        "seed": seed,
        "command": command,
        "data": {
            "source": "data/protein (copies of wwPDB entries: dssp50 from MDAnalysisTests "
                      "2.11.0, families from THESEUS 3.3.0)",
            "split": "whole dssp50 proteins: every 4th name in sorted order from the 2nd "
                     "is validation; families used for training augmentation only",
            "validation_ids": val_ids,
            **record,
        },
        "contact_definition": "CB-CB < 8 A (virtual CB for Gly), pairs >= 6 apart",
        "heldout_metrics": metrics,
        "torch_version": torch.__version__,
    }
    return model, card


if __name__ == "__main__":   # the old entry point: say where it went instead of exiting 0 silently
    raise SystemExit("python -m attnbio.protein.train is gone: use `attnbio train protein --help`")
