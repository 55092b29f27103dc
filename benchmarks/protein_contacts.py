"""Benchmark of `attnbio protein`: held-out contact precision, head lenses, time vs length.

Prints markdown tables (quoted in docs/protein.md):
1. long- and medium-range P@L, P@L/2, P@L/5 on the validation proteins (whole dssp50 proteins
   never seen in training) for the model, the Kyte-Doolittle sum kd_i + kd_j and random
   ranking, all computed in this run (random: mean of 20 shuffles per protein; Kyte-Doolittle:
   mean over 20 random tie-breaks per protein, as kd_i + kd_j has many ties);
2. the per-head lens table on the same proteins (attention > 0.3, BH q < 0.01);
3. with --retrain-seed N: the lenses of a model retrained from scratch with seed N;
4. wall time of the whole command (`attnbio protein`, 2 threads) per protein vs length.

5. with --by-family (instead of 1-4): cross-validation that holds out whole families (the
   frozen folds of data/protein/folds.tsv): every fold's members trained from scratch as
   `make models-protein` trains them, long-range P@L and P@L/5 per fold against the
   Kyte-Doolittle and random baselines of the same run, the model's prior alone, a reliability
   table of the calibrated probabilities, and each head's lens tested on the held-out families.
   Beside attnbio's ranking (the members' attention + prior blend, as the bundled model ranks):
   the stacked contact head (attnbio.protein.head) fitted on the fold's training chains with the
   function `attnbio train protein-ensemble --contact-head` uses, and the same head without its
   attention features (ablation).

Usage: python benchmarks/protein_contacts.py [--retrain-seed 1] [--threads 2]
       python benchmarks/protein_contacts.py --by-family [--members 3] [--jobs 2]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def lens_table(model, proteins, threshold=0.3):
    from attnbio.protein.analyze import analyze

    _, rows = analyze(model, proteins, threshold=threshold)
    return rows


def to_proteins(examples):
    from attnbio.protein.analyze import proteins_from_examples

    return proteins_from_examples(examples, "data/protein/dssp50")


def print_lenses(rows, title):
    print(f"\n### {title}\n")
    print("| layer | head | lens | enrichment | n pairs > 0.3 | q of lens | contact enrichment |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        if not r["lens"]:
            continue
        k = r["lens"]
        ce = r["contact_prop"] / r["contact_bg"] if r.get("contact_bg") else float("nan")
        print(f"| {r['layer']} | {r['head']} | {k} | {r['lens_enrichment']:.2f} | {r['n_pairs']} "
              f"| {r[k + '_q']:.1e} | {ce:.2f} |")
    lenses = sorted({r["lens"] for r in rows if r["lens"]})
    print(f"\ndistinct lenses: {len(lenses)} ({', '.join(lenses)})")
    return set(lenses)


# ---------------------------------------------------------------------------------------------
# --by-family: cross-validation over the frozen family folds (data/protein/folds.tsv)

RELIABILITY_EDGES = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
FOLD_KEYS = ("long_P@L", "long_P@L/5")


def fold_data(fold: int, folds: dict):
    """(training dssp50 ids, training family keys 'group/id', test examples) of one fold."""
    from attnbio.protein.data import load_dssp50, load_families

    train_ids, fams = fold_data_ids(fold, folds)
    test = load_dssp50(sorted(k for k in folds if "/" not in k and folds[k] == fold))
    test += [e for e in load_families() if folds[f"{e.group}/{e.id}"] == fold]
    return train_ids, fams, test


def train_member(job):
    """One fold member, trained from scratch as `make models-protein` trains it (in a fresh
    one-thread process); writes its weights to job['path']. Returns the path."""
    import torch

    from attnbio.io.weights import save_weights
    from attnbio.protein.data import load_families
    from attnbio.protein.train import train

    torch.set_num_threads(1)
    keep = set(job["families"])
    families = [e for e in load_families() if f"{e.group}/{e.id}" in keep]
    training = {"epochs": job["epochs"]} if job.get("epochs") else None
    model, record = train(seed=job["seed"], training=training, train_ids=job["train_ids"],
                          families=families)
    if job.get("without_fold") is not None:
        record["without_fold"] = job["without_fold"]
    card = {"kind": "attnbio.protein", "format_version": "1", "config": model.config,
            "seed": job["seed"], "command": f"benchmarks/protein_contacts.py --by-family (fold {job['fold']})",
            "data": {"validation_ids": [f"fold {job['fold']}"], **record}}
    save_weights(job["path"], dict(model.state_dict()), card)
    return job["path"]


def _unit(ex):
    """Averaging unit: each dssp50 chain alone, a family's chains together (they are redundant)."""
    return ex.id if ex.group == "dssp50" else ex.group


def evaluate_fold(model, test, seed: int = 0, extra=None):
    """Per test chain: long-range precisions of the model, its prior alone, each head of `extra`
    (name -> head.ContactHead, e.g. the stacked head and the one fitted without attention),
    Kyte-Doolittle (mean of 20 tie-breaks) and random (mean of 20); plus agreement/weight and,
    per ranking ('model' and each of extra), the (probability, contact) pairs for the
    reliability table."""
    from attnbio.protein.analyze import contact_precisions, precision_at
    from attnbio.protein.model import predict_full
    from attnbio.protein.scales import kd_pair_score

    rng = np.random.default_rng(seed)
    cap = getattr(model, "attention_cap", None)
    recs, pairs = [], {"model": [], "capped": [], **{name: [] for name in (extra or {})}}
    for ex in test:
        n = len(ex.sequence)
        valid = ~np.isnan(ex.cb).any(1)
        valid = valid[:, None] & valid[None, :]
        r = predict_full(model, ex.sequence)
        rec = {"id": ex.id, "group": ex.group, "unit": _unit(ex), "L": n,
               "agreement": r["agreement"], "weight": r["weight"]}
        scored = [("model", r["prob"]), ("prior", r["prior_prob"])]
        if r["prior_prob"] is not None:   # the members' blend with and without the attention cap
            aw = r["agreement_weight"]
            scored.append(("uncapped", aw * r["full_prob"] + (1 - aw) * r["prior_prob"]))
            if cap is not None:
                cw = cap * aw
                scored.append(("capped", cw * r["full_prob"] + (1 - cw) * r["prior_prob"]))
        scored += [(name, h.prob(ex.sequence, r["attention_term"], r["weight"], r["ss"]))
                   for name, h in (extra or {}).items()]
        for name, scores in scored:
            if scores is None:
                continue
            rec.update({f"{name}_{k}": v for k, v in contact_precisions(scores, ex.contacts, valid, rng).items()})

        def mean_of(make):  # long range only: 20 rankings per chain
            runs = [{f"long_P@{t}": precision_at(make(), ex.contacts, 24, None, k, valid, rng)
                     for t, k in (("L", 1), ("L/5", 5))} for _ in range(20)]
            return {k: float(np.mean([x[k] for x in runs])) for k in runs[0]}

        kd = kd_pair_score(ex.sequence)
        rec.update({f"kd_{k}": v for k, v in mean_of(lambda: kd).items()})
        rec.update({f"random_{k}": v for k, v in mean_of(lambda: rng.random((n, n))).items()})
        recs.append(rec)
        i, j = np.triu_indices(n, 6)
        keep = valid[i, j]
        for name, scores in scored:
            if name in pairs:
                pairs[name].append((scores[i[keep], j[keep]], ex.contacts[i[keep], j[keep]],
                                    j[keep] - i[keep], _unit(ex)))
    return recs, pairs


def unit_means(recs, keys):
    """Mean over units of the per-unit means (a family counts once)."""
    units = {}
    for r in recs:
        units.setdefault(r["unit"], []).append(r)
    out = {}
    for k in keys:
        vals = [np.nanmean([r[k] for r in rs]) for rs in units.values() if any(k in r for r in rs)]
        out[k] = float(np.nanmean(vals)) if vals else float("nan")
    return out, len(units)


def reliability(pairs, edges=RELIABILITY_EDGES, min_separation: int = 6):
    """Rows of (bin, pairs, mean predicted, observed rate); each chain weighted 1 / (chains in
    its unit), so a family counts as much as one dssp50 protein."""
    units = {}
    for _, _, _, u in pairs:
        units[u] = units.get(u, 0) + 1
    p = np.concatenate([x[0] for x in pairs])
    y = np.concatenate([x[1] for x in pairs]).astype(np.float64)
    sep = np.concatenate([x[2] for x in pairs])
    w = np.concatenate([np.full(len(x[0]), 1.0 / units[x[3]]) for x in pairs])
    sel = sep >= min_separation
    p, y, w = p[sel], y[sel], w[sel]
    rows, ece = [], 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if not m.any():
            rows.append((lo, hi, 0, float("nan"), float("nan")))
            continue
        mp, obs = np.average(p[m], weights=w[m]), np.average(y[m], weights=w[m])
        ece += w[m].sum() / w.sum() * abs(mp - obs)
        rows.append((lo, hi, int(m.sum()), float(mp), float(obs)))
    return rows, float(ece)


def lens_replication(model, train_examples, test_examples):
    """analyze.lens_replication on data.Example chains."""
    from attnbio.protein.analyze import lens_replication as replicate

    return replicate(model, to_proteins(train_examples), to_proteins(test_examples))


def by_family(args):
    """Train every fold from scratch (members: seeds 0..members-1), report per fold."""
    import concurrent.futures as cf
    import multiprocessing as mp

    import torch

    from attnbio.io.weights import load_weights
    from attnbio.protein.data import load_dssp50, load_families, read_folds
    from attnbio.protein.model import ProteinAttentionModel, ProteinEnsemble

    folds = read_folds()
    fold_ids = sorted(set(folds.values()))
    if args.folds:
        fold_ids = [int(f) for f in args.folds.split(",")]
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    seeds = list(range(args.members))
    jobs = []  # seed-major, so that every fold has its first members early
    for s in seeds:
        for f in fold_ids:
            train_ids, fams = fold_data_ids(f, folds)
            path = work / f"fold{f}_seed{s}.safetensors"
            if not path.exists():
                jobs.append({"fold": f, "seed": s, "train_ids": train_ids, "families": fams,
                             "path": str(path), "epochs": args.epochs})
    if args.cap:
        jobs += inner_jobs(fold_ids, folds, work, args.epochs)
    t0 = time.perf_counter()
    if jobs:
        with cf.ProcessPoolExecutor(args.jobs, mp_context=mp.get_context("spawn")) as pool:
            for path in pool.map(train_member, jobs):
                print(f"(trained {Path(path).name}, {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    torch.set_num_threads(1)
    from attnbio.protein.head import chain_data, fit_contact_head, out_of_fold_chain_data, training_examples

    all_recs, all_pairs, lens_rows, heads, caps = [], {}, [], [], []
    for f in fold_ids:
        _, _, test = fold_data(f, folds)
        members = []
        for s in seeds:
            tensors, card = load_weights(work / f"fold{f}_seed{s}.safetensors")
            m = ProteinAttentionModel(**card["config"])
            m.load_state_dict(tensors)
            members.append(m)
        model = ProteinEnsemble([m.config for m in members])
        for slot, m in zip(model.members, members):
            slot.load_state_dict(m.state_dict())
        if args.cap:   # as make models-protein: the head on out-of-fold attention ranks; the cap beside
            inner, examples = fold_inner(f, folds, work)
            model.attention_cap, cap_scores = fold_cap(f, folds, inner, examples)
            caps.append((f, model.attention_cap, cap_scores))
            model.contact_head = fit_contact_head(out_of_fold_chain_data(inner, examples))
        # The stacked contact head, fitted with the same function as for the bundled model
        # (ensemble.train_protein_ensemble) on this fold's training chains only, and the same
        # head without the attention features (ablation).
        chains = chain_data(list(model.members), training_examples(card))
        if any(c.fold == f for c in chains):
            raise SystemExit(f"fold {f}: a held-out chain is among the head's training chains")
        head = fit_contact_head(chains)
        no_attention = fit_contact_head(chains, attention=False)
        heads.append((f, head, no_attention))
        recs, pairs = evaluate_fold(model, test, seed=args.seed, extra={"head": head, "noattn": no_attention})
        for r in recs:
            r["fold"] = f
        all_recs += recs
        for name, rows in pairs.items():
            all_pairs.setdefault(name, []).extend(rows)
        train_ids, _ = fold_data_ids(f, folds)
        for r in lens_replication(model, load_dssp50(train_ids), test):
            r["fold"] = f
            lens_rows.append(r)
    print_by_family(all_recs, all_pairs, lens_rows, fold_ids, args, heads, caps)
    return all_recs, lens_rows


def inner_jobs(fold_ids, folds, work, epochs):
    """Training jobs of the inner models of every outer fold f: one per other fold g, trained on
    f's training chains outside g (seed 0), for the attention cap (attnbio.protein.attention_cap)."""
    from attnbio.protein.attention_cap import without_fold

    jobs = []
    for f in fold_ids:
        train_ids, fams = fold_data_ids(f, folds)
        for g in sorted(set(folds.values()) - {f}):
            path = work / f"fold{f}_without{g}_seed0.safetensors"
            if not path.exists():
                ids, keys = without_fold(train_ids, fams, g, folds)
                jobs.append({"fold": f, "seed": 0, "train_ids": ids, "families": keys, "path": str(path),
                             "epochs": epochs, "without_fold": g})
    return jobs


def fold_inner(f, folds, work):
    """([(inner model, card)], training examples) of outer fold f."""
    from attnbio.io.weights import load_weights
    from attnbio.protein.data import load_dssp50, load_families
    from attnbio.protein.model import ProteinAttentionModel

    inner = []
    for g in sorted(set(folds.values()) - {f}):
        tensors, card = load_weights(work / f"fold{f}_without{g}_seed0.safetensors")
        m = ProteinAttentionModel(**card["config"])
        m.load_state_dict(tensors)
        inner.append((m, card))
    train_ids, fams = fold_data_ids(f, folds)
    return inner, load_dssp50(train_ids) + [e for e in load_families() if f"{e.group}/{e.id}" in set(fams)]


def fold_cap(f, folds, inner, examples):
    """The attention cap of outer fold f, chosen on its training chains by its inner models
    (the same functions as `attnbio train protein-ensemble --inner`): (cap, scores)."""
    from attnbio.protein.attention_cap import choose_cap, score_unseen

    chains = score_unseen(inner, examples)
    if any(folds.get(c.id, 0) == f for c in chains):
        raise SystemExit(f"fold {f}: a held-out chain is among the attention cap's chains")
    return choose_cap(chains)


def fold_data_ids(fold, folds):
    """(training dssp50 ids, training family keys 'group/id') of one fold."""
    return ([k for k in sorted(folds) if "/" not in k and folds[k] != fold],
            [k for k in sorted(folds) if "/" in k and folds[k] != fold])


def print_by_family(recs, pairs, lens_rows, fold_ids, args, heads=(), caps=()):
    # (column label, record prefix): attnbio is the ranking the run's model uses (with inner
    # models: the head on out-of-fold attention, as make models-protein ships it)
    cols = [("capped blend", "capped"), ("blend without cap", "uncapped"), ("prior alone", "prior"),
            ("head on in-sample attention", "head"), ("head without attention", "noattn")]
    keys = [f"{who}_{k}" for who in ["model", "kd", "random"] + [c for _, c in cols] for k in FOLD_KEYS]
    print(f"## By-family cross-validation ({len(fold_ids)} folds of data/protein/folds.tsv, "
          f"{args.members} member(s) per fold trained from scratch"
          + (f", {args.epochs} epochs" if args.epochs else "") + ")\n")
    print("Means over held-out units (a dssp50 chain, or a whole family counted once); "
          "Kyte-Doolittle kd_i + kd_j and random in the same run (mean of 20 tie-breaks / shuffles).\n")
    print("| fold | units (chains) | attnbio long P@L | KD long P@L | attnbio long P@L/5 | KD long P@L/5 | cap | "
          + " | ".join(f"{label} P@L / P@L/5" for label, _ in cols) + " | random P@L/5 | attnbio >= KD on both |")
    print("|---" * (9 + len(cols)) + "|")
    cap_of = {f: c for f, c, _ in caps}

    def pair(m, who):
        return f"{100 * m[who + '_long_P@L']:.1f}% / {100 * m[who + '_long_P@L/5']:.1f}%"

    def passes(m, who):
        return m[f"{who}_long_P@L"] >= m["kd_long_P@L"] and m[f"{who}_long_P@L/5"] >= m["kd_long_P@L/5"]

    per_fold = []
    for f in fold_ids:
        rs = [r for r in recs if r["fold"] == f]
        m, nu = unit_means(rs, keys)
        per_fold.append(m)
        print(f"| {f} | {nu} ({len(rs)}) | {100 * m['model_long_P@L']:.1f}% | {100 * m['kd_long_P@L']:.1f}% "
              f"| {100 * m['model_long_P@L/5']:.1f}% | {100 * m['kd_long_P@L/5']:.1f}% | {cap_of.get(f, '-')} | "
              + " | ".join(pair(m, c) for _, c in cols)
              + f" | {100 * m['random_long_P@L/5']:.1f}% | {'yes' if passes(m, 'model') else 'NO'} |")
    mean = {k: float(np.mean([m[k] for m in per_fold])) for k in keys}
    print(f"| mean of folds | | {100 * mean['model_long_P@L']:.1f}% | {100 * mean['kd_long_P@L']:.1f}% "
          f"| {100 * mean['model_long_P@L/5']:.1f}% | {100 * mean['kd_long_P@L/5']:.1f}% | | "
          + " | ".join(pair(mean, c) for _, c in cols) + f" | {100 * mean['random_long_P@L/5']:.1f}% | |")
    for f, c, sc in caps:
        print(f"fold {f}: attention cap {c:g} (out-of-fold score on its training chains by cap: "
              + ", ".join(f"{k:g} {v:.3f}" for k, v in sc.items()) + ")")
    for f, h, h0 in heads:
        print(f"fold {f}: in-sample contact head lambda {h.lam:g} (inner CV score by lambda {h.inner_scores}); "
              f"without attention lambda {h0.lam:g} ({h0.inner_scores})")
    print()
    for label, who in [("attnbio", "model")] + cols:
        if not np.isfinite(mean[f"{who}_long_P@L"]):
            continue
        n_ok = sum(passes(m, who) for m in per_fold)
        r5 = mean[f"{who}_long_P@L/5"] / mean["kd_long_P@L/5"]
        r1 = mean[f"{who}_long_P@L"] / mean["kd_long_P@L"]
        goals = (f" (every fold: {'met' if n_ok == len(fold_ids) else 'NOT met'}; P@L/5 goal >= 2x: "
                 f"{'met' if r5 >= 2 else 'NOT met'}; P@L goal >= 1.3x: {'met' if r1 >= 1.3 else 'NOT met'})"
                 if who == "model" else "")
        print(f"{label}: {n_ok} of {len(fold_ids)} folds >= KD on long P@L and P@L/5; mean long P@L/5 "
              f"{r5:.2f}x KD, mean long P@L {r1:.2f}x KD{goals}")
    worse = [r for r in recs if r["model_long_P@L"] < r["kd_long_P@L"]]
    low = [r for r in recs if r["weight"] < 1]
    agree = np.array([r["agreement"] for r in recs], dtype=np.float64)
    agree = agree[np.isfinite(agree)]
    spread = (f"median {np.median(agree):.2f} (range {agree.min():.2f}-{agree.max():.2f})" if agree.size
              else "not defined (one member per fold)")
    print(f"chains below KD on long P@L: {len(worse)} of {len(recs)}; chains whose attention weight "
          f"fell below 1 (members disagree): {len(low)}; agreement {spread}")
    rows, ece = reliability(pairs["model"])
    print("\n### Reliability of the contact probabilities (held-out chains of all folds, pairs |i-j| >= 6)\n")
    print("| predicted | pairs | mean predicted | observed contact rate |")
    print("|---|---|---|---|")
    for lo, hi, n, mp_, obs in rows:
        print(f"| {lo:.2f}-{hi:.2f} | {n} | {mp_:.3f} | {obs:.3f} |")
    print(f"\nexpected calibration error (weighted |predicted - observed| over bins): {ece:.3f}")
    rows, ece = reliability(pairs["model"], min_separation=24)
    print(f"long range only (|i-j| >= 24): ECE {ece:.3f}; "
          + "; ".join(f"{lo:.2f}-{hi:.2f}: {mp_:.3f} vs {obs:.3f} (n {n})" for lo, hi, n, mp_, obs in rows if n))
    for label, who in (("capped blend", "capped"), ("head on in-sample attention", "head")):
        if pairs.get(who):
            rows, ece = reliability(pairs[who])
            print(f"{label} (|i-j| >= 6): ECE {ece:.3f}; " + "; ".join(
                f"{lo:.2f}-{hi:.2f}: {mp_:.3f} vs {obs:.3f} (n {n})" for lo, hi, n, mp_, obs in rows if n))
    print("\n### Lenses out of family: each fold's first member, lens from its training chains, "
          "tested on the held-out fold\n")
    print("| fold | layer | head | lens (training chains) | enrichment train | enrichment held-out "
          "| pairs > 0.3 held-out | q held-out | replicates (q < 0.01) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in lens_rows:
        print(f"| {r['fold']} | {r['layer']} | {r['head']} | {r['lens']} | {r['train_enrichment']:.2f} "
              f"| {r['heldout_enrichment']:.2f} | {r['heldout_pairs']} | {r['heldout_q']:.1e} "
              f"| {'yes' if r['replicates'] else 'no'} |")
    per = {f: sorted({r["lens"] for r in lens_rows if r["fold"] == f and r["replicates"]}) for f in fold_ids}
    every = sorted(set.intersection(*[set(v) for v in per.values()])) if per else []
    anyf = sorted({r["lens"] for r in lens_rows if r["replicates"]})
    for f, v in per.items():
        print(f"fold {f}: {len(v)} lenses replicate out of family ({', '.join(v) or 'none'})")
    print(f"lenses replicating in every fold: {len(every)} ({', '.join(every) or 'none'}); in at least "
          f"one fold: {len(anyf)}; goal >= 3 at q < 0.01: "
          f"{'met' if min((len(v) for v in per.values()), default=0) >= 3 else 'NOT met'} (per fold)")
    if args.records:
        import json

        Path(args.records).write_text(json.dumps({"chains": recs, "lenses": lens_rows}, indent=1, default=float))


def main(argv=None):
    import torch

    from attnbio.io.weights import load_weights
    from attnbio.protein.data import load_dssp50, split_ids
    from attnbio.protein.model import build_model
    from attnbio.protein.train import evaluate, train

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "attnbio/weights/protein.safetensors"))
    ap.add_argument("--retrain-seed", type=int, default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--by-family", action="store_true",
                    help="cross-validation over the family folds of data/protein/folds.tsv")
    ap.add_argument("--members", type=int, default=3, help="--by-family: members per fold (seeds 0..)")
    ap.add_argument("--jobs", type=int, default=1, help="--by-family: trainings run in parallel")
    ap.add_argument("--epochs", type=int, default=None, help="--by-family: epochs (default: as make models)")
    ap.add_argument("--no-cap", dest="cap", action="store_false",
                    help="--by-family: no inner models, no attention cap (the blend as before)")
    ap.add_argument("--folds", default=None, help="--by-family: only these folds, e.g. 1,2")
    ap.add_argument("--workdir", default="build/protein/cv",
                    help="--by-family: trained fold members (reused when present)")
    ap.add_argument("--records", default=None, help="--by-family: per-chain records as JSON")
    ap.add_argument("--train-member", default=None, metavar="FOLD:SEED",
                    help="only train this fold member into --workdir (then --by-family reuses it)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    if args.train_member:  # one fold member alone (for spreading the folds over processes)
        from attnbio.protein.data import read_folds

        f, s = (int(x) for x in args.train_member.split(":"))
        train_ids, fams = fold_data_ids(f, read_folds())
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
        train_member({"fold": f, "seed": s, "train_ids": train_ids, "families": fams,
                      "epochs": args.epochs,
                      "path": str(Path(args.workdir) / f"fold{f}_seed{s}.safetensors")})
        return
    if args.by_family:
        by_family(args)
        return

    tensors, card = load_weights(args.model, expect_kind="attnbio.protein")
    model = build_model(card)
    model.load_state_dict(tensors)
    _, val_ids = split_ids()
    val = load_dssp50(val_ids)
    print(f"## Held-out contacts ({len(val)} validation proteins, "
          f"{min(len(e.sequence) for e in val)}-{max(len(e.sequence) for e in val)} residues)\n")
    m = evaluate(model, val, seed=args.seed)
    keys = ["long_P@L", "long_P@L/2", "long_P@L/5", "medium_P@L", "medium_P@L/5"]
    print("| ranking | " + " | ".join(keys) + " |")
    print("|---|" + "---|" * len(keys))
    members = getattr(model, "members", [model])
    rows = [("model", "attnbio protein (bundled" + (f", {len(members)} members)" if len(members) > 1 else ")"), m)]
    if len(members) > 1:   # the ensemble against its first member alone, same proteins
        rows.append(("model", "first member alone (seed 0)", evaluate(members[0], val, seed=args.seed)))
    head = getattr(model, "contact_head", None)
    if head is not None:   # the same members' attention + prior blend, without the head
        del model.contact_head
        rows.insert(1, ("model", "the same members without the contact head (blend)", evaluate(model, val, seed=args.seed)))
        model.contact_head = head
    cap = getattr(model, "attention_cap", None)
    if cap is not None and cap < 1:   # the same members without the attention cap, same proteins
        model.attention_cap = 1.0
        rows.insert(1, ("model", f"the same without the attention cap ({cap:g})", evaluate(model, val, seed=args.seed)))
        model.attention_cap = cap
    rows += [("kd_sum", "Kyte-Doolittle kd_i + kd_j", m), ("random", "random", m)]
    for name, label, mm in rows:
        print(f"| {label} | " + " | ".join(f"{100 * mm[name][k]:.1f}%" for k in keys) + " |")
    ratio = m["model"]["long_P@L/5"] / m["kd_sum"]["long_P@L/5"]
    print(f"\nlong-range P@L/5: model / Kyte-Doolittle = {ratio:.2f}x (goal >= 2x: "
          f"{'met' if ratio >= 2 else 'NOT met'}); model long P@L "
          f"{100 * m['model']['long_P@L']:.1f}% vs ESM-2 8M 15.9% (its own benchmark, "
          f"{15.9 - 100 * m['model']['long_P@L']:.1f} points higher)")

    lenses = print_lenses(lens_table(model, to_proteins(val)), "Head lenses, bundled model (seed "
                          f"{card.get('seed')})")
    if args.retrain_seed is not None:
        t0 = time.perf_counter()
        other, _ = train(seed=args.retrain_seed)
        print(f"\n(retrained with seed {args.retrain_seed} in {time.perf_counter() - t0:.0f} s)")
        m2 = evaluate(other, val, seed=args.seed)
        print(f"retrained model: long P@L/5 {100 * m2['model']['long_P@L/5']:.1f}% "
              f"(Kyte-Doolittle {100 * m2['kd_sum']['long_P@L/5']:.1f}%)")
        lenses2 = print_lenses(lens_table(other, to_proteins(val)),
                               f"Head lenses, retrained with seed {args.retrain_seed}")
        shared = sorted(lenses & lenses2)
        print(f"\nlenses found with both seeds: {len(shared)} ({', '.join(shared) or 'none'}); "
              f"goal >= 3: {'met' if len(shared) >= 3 else 'NOT met'}")

    print(f"\n## Time per protein (`attnbio protein`, {args.threads} threads, whole command)\n")
    print("| protein | length | wall s |")
    print("|---|---|---|")
    picks = [ROOT / "data/protein/dssp50" / f"{val_ids[0]}.pdb.gz",
             ROOT / "data/protein/families/trypsin/1A0J_A.pdb.gz",
             ROOT / "data/protein/families/ldh/1o6z_A.pdb.gz"]
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    for p in picks:
        from attnbio.io.structure import read_structure

        n = len(read_structure(p)[0])
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "attnbio.cli", "-q", "protein", str(p),
                                "--threads", str(args.threads), "-o", f"{tmp}/out"],
                               capture_output=True, text=True, env=env)
            wall = time.perf_counter() - t0
        if r.returncode != 0:
            raise SystemExit(f"attnbio protein failed on {p}: {r.stderr}")
        print(f"| {p.name.split('.')[0]} | {n} | {wall:.1f} |")


if __name__ == "__main__":
    main()
