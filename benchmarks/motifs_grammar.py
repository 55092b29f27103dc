"""Benchmark: motif pairs (grammar) from attention vs the attribution + TF-MoDISco route.

For each seed of `simulate grammar` (defaults: 10,000 x 200 bp, 3 planted pairs, 1 enriched
single, 1 decoy), one model is trained with the project defaults and then read two ways:

* attnbio: motifs from the heads (discover.py), Tomtom names against JASPAR, pairs from
  attention (grammar.py), each checked by intervention (intervene.py).
* attribution route: integrated gradients from dinucleotide-shuffled references, centred over
  the four bases at each position (Majdandzic et al. 2023, Genome Biol 24:109; the DeepLIFT-style
  "hypothetical contributions" TF-MoDISco expects), then tfmodisco-lite (`modisco`, optional;
  pinned in requirements-bench.txt) for motifs. That route reports motifs, not spacings.

Also "oracle motifs": the grammar and intervention steps run on the true planted matrices
(sites scanned in the positives), which separates the pair step from motif discovery.

Pair rules: a reported pair (q < 0.05 and effect_p < 0.05, effect > 0) is true when its two
motifs match the two motifs of a planted pair (Tomtom q < 0.05 against the truth) and its
distance is within 3 bp of the planted one. Recall counts planted pairs found that way.

    python benchmarks/motifs_grammar.py --seeds 0 1 2 [--n 10000] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np


def _truth_map(probs_list, truth, q_max=0.05) -> list[int | None]:
    """Index of the best-matching planted motif for each matrix (Tomtom q < q_max), else None."""
    from attnbio.motifs.annotate import tomtom_qvalues

    if not probs_list:
        return []
    q = tomtom_qvalues(probs_list, [t.probs for t in truth])
    return [int(r.argmin()) if r.min() < q_max else None for r in q]


def _score_pairs(pairs, tmap, truth, data) -> dict:
    """Recall/precision of pair calls against the planted pairs (+-3 bp rule)."""
    ids = [t.id for t in truth]
    planted = [({ids.index(p["a"]), ids.index(p["b"])}, abs(p["distance"])) for p in data.pairs]
    decoys = {i for i, t in enumerate(truth) if t.meta["role"] == "decoy"}

    def is_true(c):
        ta, tb = tmap[c.a], tmap[c.b]
        if ta is None or tb is None:
            return None
        return next((k for k, (s, d) in enumerate(planted) if {ta, tb} == s and abs(c.distance - d) <= 3), None)

    attn = [(c, is_true(c)) for c in pairs]
    conf = [(c, k) for c, k in attn if c.status == "attention+effect"]
    found_attn = {k for _, k in attn if k is not None}
    found_conf = {k for _, k in conf if k is not None}
    true_eff = [c.effect for c, k in attn if k is not None]
    false_eff = [c.effect for c, k in attn if k is None]
    involves_decoy = sum(tmap[c.a] in decoys or tmap[c.b] in decoys for c, _ in conf)
    return {"planted": len(planted), "attn_calls": len(attn), "attn_true": sum(k is not None for _, k in attn),
            "recall_attn": len(found_attn), "reported": len(conf), "reported_true": sum(k is not None for _, k in conf),
            "recall": len(found_conf), "recovered_ids": sorted(found_conf), "decoy_pairs_reported": involves_decoy,
            "effect_true": float(np.mean(true_eff)) if true_eff else float("nan"),
            "effect_false": float(np.mean(false_eff)) if false_eff else float("nan"),
            "effect_p_true": [round(c.effect_p, 4) for c, k in attn if k is not None],
            "calls": [{"a": c.a, "b": c.b, "truth_a": tmap[c.a], "truth_b": tmap[c.b], "distance": c.distance,
                       "orientation": c.orientation, "q": c.q_value, "effect": c.effect, "effect_p": c.effect_p,
                       "heads": c.heads, "true_pair": k} for c, k in attn]}


def _naming(disc_motifs, truth, enriched) -> dict:
    """Planted enriched motifs named by their own JASPAR profile (or the same TF) at q < 0.05."""
    tmap = _truth_map([m.probs for m in disc_motifs], truth)
    named = set()
    for m, t in zip(disc_motifs, tmap):
        match = getattr(m, "match", {}) or {}
        if t is None or not match or match.get("q", 1) >= 0.05:
            continue
        tt = truth[t]
        same_tf = match["name"].upper().split("::")[0] == tt.name.upper() or match["id"].split(".")[0] == tt.id.split(".")[0]
        if same_tf:
            named.add(t)
    return {"named": len(named & enriched), "recovered": len(set(x for x in tmap if x is not None) & enriched)}


def _named_by_tomtom_alone(motifs, truth, enriched, db) -> int:
    """Naming baseline, same motifs: Tomtom's best p, without the site re-ranking of annotate."""
    from types import SimpleNamespace

    from attnbio.motifs.annotate import best_matches

    plain = [SimpleNamespace(probs=m.probs, match=match)
             for m, match in zip(motifs, best_matches([m.probs for m in motifs], db))]
    return _naming(plain, truth, enriched)["named"]


def attributions(model, x, mask, seed: int = 0, steps: int = 8, batch_size=256) -> np.ndarray:
    """Hypothetical contributions (N, L, 4) for TF-MoDISco: integrated gradients of the both-strand
    logit (Sundararajan et al. 2017) from a dinucleotide-shuffled copy of each sequence, averaged
    over `steps` midpoints of the path, centred over the four bases at each position (Majdandzic
    et al. 2023). Plain gradients at the input gave modisco 0-3 of 7 planted motifs here; averaging
    along the path gave more (seed 2: 4 vs 0)."""
    import torch

    from attnbio.motifs.encode import one_hot
    from attnbio.motifs.shuffle import dinucleotide_shuffle

    rng = np.random.default_rng(seed)
    codes = np.array(list("ACGT"))[x.argmax(-1)]
    lengths = mask.sum(1)
    ref, _, _ = one_hot([dinucleotide_shuffle("".join(c[:n]), rng) for c, n in zip(codes, lengths)], length=x.shape[1])
    grad = np.zeros_like(x)
    model.eval()
    for alpha in (np.arange(steps) + 0.5) / steps:
        for i in range(0, len(x), batch_size):
            r, xi = ref[i:i + batch_size], x[i:i + batch_size]
            xb = torch.from_numpy((r + alpha * (xi - r)).astype(np.float32)).requires_grad_(True)
            model.predict_both_strands(xb, torch.from_numpy(mask[i:i + batch_size])).sum().backward()
            grad[i:i + batch_size] += xb.grad.numpy() / steps
    return (grad - grad.mean(axis=-1, keepdims=True)).astype(np.float32)


def modisco_route(model, pos, truth, enriched) -> dict:
    """Attributions + tfmodisco-lite; recovered planted motifs and the time each half took."""
    try:
        from modiscolite import tfmodisco
    except ImportError:
        return {"skipped": "tfmodisco-lite not installed (pip install -r requirements-bench.txt)"}
    from attnbio.motifs.encode import one_hot
    from attnbio.motifs.pwm import trim

    x, mask, _ = one_hot(pos)
    t0 = time.perf_counter()
    hyp = attributions(model, x, mask)
    t_attr = time.perf_counter() - t0
    t0 = time.perf_counter()
    pos_patterns, _ = tfmodisco.TFMoDISco(one_hot=x, hypothetical_contribs=hyp, max_seqlets_per_metacluster=2000,
                                          sliding_window_size=20, flank_size=5, target_seqlet_fdr=0.05,
                                          n_leiden_runs=2, verbose=False)
    t_mod = time.perf_counter() - t0
    ppms = []
    for p in pos_patterns or []:
        a, b = trim(p.sequence)
        if b - a >= 5:
            ppms.append(p.sequence[a:b])
    tmap = _truth_map(ppms, truth)
    found = {t for t in tmap if t is not None}
    return {"patterns": len(ppms), "recovered": len(found & enriched),
            "matched_enriched": sum(t is not None and t in enriched for t in tmap),
            "decoy_reported": len(found - enriched), "t_attr": t_attr, "t_modisco": t_mod}


def run_seed(seed: int, n: int, log, save_dir=None, reuse=False, modisco=True) -> dict:
    import torch

    from attnbio.motifs.discover import DiscoverConfig, FoundMotif, Site, discover, find_sites
    from attnbio.motifs.encode import one_hot
    from attnbio.motifs.grammar import PairConfig, find_pairs
    from attnbio.motifs.intervene import InterveneConfig, background_sequences, check_pairs
    from attnbio.motifs.model import ModelConfig, head_name
    from attnbio.motifs.pipeline import annotate_motifs
    from attnbio.motifs.annotate import load_motif_db
    from attnbio.motifs.simulate import GrammarSimConfig as SimConfig, simulate_grammar
    from attnbio.motifs.train import TrainConfig, train_model

    torch.manual_seed(seed)
    data = simulate_grammar(SimConfig(n_sequences=n, seed=seed))
    truth = data.motifs
    enriched = {i for i, t in enumerate(truth) if t.meta["role"] in ("pair", "single")}
    row = {"seed": seed, "pairs": data.pairs, "motifs": [(t.id, t.name, t.meta["role"]) for t in truth]}
    t0 = time.perf_counter()
    saved = _saved_model(save_dir, seed) if reuse else None
    if saved:
        model, card = saved
        metrics, row["t_train"] = card["metrics"], card["metrics"].get("train_seconds", float("nan"))
        log(f"seed {seed}: reusing the model saved in {save_dir}")
    else:
        res = train_model(data.positives, data.negatives, TrainConfig(seed=seed), ModelConfig(),
                          log=lambda m: log(f"seed {seed}: {m}"))
        model, metrics, row["t_train"] = res.model, res.metrics, time.perf_counter() - t0
        if save_dir:
            _save(save_dir, seed, data, model, metrics)
    row["auroc"], row["model_config"], row["train_metrics"] = metrics["test_auroc"], model.cfg.to_dict(), metrics
    log(f"seed {seed}: trained, held-out AUROC {row['auroc']:.3f} in {row['t_train']:.0f} s")

    t0 = time.perf_counter()
    disc = discover(model, data.positives, data.negatives, DiscoverConfig(seed=seed))
    row["t_discover"] = time.perf_counter() - t0
    db = load_motif_db("vertebrates")
    annotate_motifs(disc.motifs, db)
    reported = [m for m in disc.motifs if m.q_value < 0.05 and m.log2_enrichment > 0]
    row.update({f"motifs_{k}": v for k, v in _naming(reported, truth, enriched).items()})
    row["motifs_named_tomtom"] = _named_by_tomtom_alone(reported, truth, enriched, db) if reported else 0
    row["motifs_enriched_planted"] = len(enriched)
    log(f"seed {seed}: {len(reported)} enriched motifs, {row['motifs_recovered']}/{len(enriched)} planted recovered, "
        f"{row['motifs_named']} named by JASPAR ({row['motifs_named_tomtom']} by Tomtom's best p alone)")

    bg = background_sequences(data.negatives, 200, seed)
    t0 = time.perf_counter()
    g = find_pairs(model, data.positives, disc.motifs, disc.head_names, PairConfig(seed=seed))
    row["t_grammar"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    check_pairs(model, g.pairs, disc.motifs, data.positives, bg, InterveneConfig(seed=seed))
    row["t_intervene"] = time.perf_counter() - t0
    row["attnbio"] = _score_pairs(g.pairs, _truth_map([m.probs for m in disc.motifs], truth), truth, data)
    log(f"seed {seed}: attnbio pairs {row['attnbio']['recall']}/3 reported-true, "
        f"{row['attnbio']['reported_true']}/{row['attnbio']['reported']} reported true")

    # oracle motifs: the pair step alone, on the planted matrices
    x, mask, _ = one_hot(data.positives)
    oracle = []
    for i, t in enumerate(truth):
        f = FoundMotif(t.probs, [], 0)
        s, p, st, sc = find_sites(f, x, mask, 1e-4)
        f.sites = [Site(int(a), int(b), int(b) + t.width, c, float(d), 0.0) for a, b, c, d in zip(s, p, st, sc)]
        f.id, f.p_value = t.id, float(i)
        oracle.append(f)
    names = [head_name(i // model.cfg.n_heads, i % model.cfg.n_heads) for i in range(model.cfg.n_layers * model.cfg.n_heads)]
    go = find_pairs(model, data.positives, oracle, names, PairConfig(seed=seed))
    check_pairs(model, go.pairs, oracle, data.positives, bg, InterveneConfig(seed=seed))
    row["oracle"] = _score_pairs(go.pairs, list(range(len(truth))), truth, data)
    log(f"seed {seed}: oracle-motif pairs {row['oracle']['recall_attn']}/3 by attention, "
        f"{row['oracle']['recall']}/3 confirmed by intervention")

    row["modisco"] = (modisco_route(model, data.positives, truth, enriched) if modisco
                      else {"skipped": "skipped (--no-modisco)"})
    log(f"seed {seed}: modisco {row['modisco']}")
    return row


def _saved_model(save_dir, seed):
    """(model, card) saved by an earlier run with --save, or None."""
    from pathlib import Path

    from attnbio.motifs.model import load_model

    path = Path(save_dir or ".") / f"seed{seed}" / "model.safetensors"
    return load_model(path) if save_dir and path.exists() else None


def _save(save_dir, seed, data, model, metrics) -> None:
    """The simulation and the trained model, so `attnbio motifs --model` can rerun on them."""
    from pathlib import Path

    from attnbio.io.fasta import write_fasta
    from attnbio.motifs.model import save_model

    d = Path(save_dir) / f"seed{seed}"
    d.mkdir(parents=True, exist_ok=True)
    write_fasta(d / "positives.fa", [(f"pos{i}", s) for i, s in enumerate(data.positives)])
    write_fasta(d / "negatives.fa", [(f"neg{i}", s) for i, s in enumerate(data.negatives)])
    save_model(d / "model.safetensors", model.cpu(), {"metrics": metrics, "seed": seed,
                                                      "data": "benchmarks/motifs_grammar.py simulation"})


def _table(rows) -> str:
    def f(v, nd=2):
        return "" if v is None or (isinstance(v, float) and np.isnan(v)) else (f"{v:.{nd}f}" if isinstance(v, float) else str(v))

    out = ["| seed | AUROC | train s | route | planted motifs recovered | named by JASPAR (q<0.05): attnbio / Tomtom best p alone | pairs by attention (true/calls) "
           "| pairs recovered: attention / +intervention | reported pairs true | decoy pairs reported | effect true / false pairs | read-out s |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        a, o, m = r["attnbio"], r["oracle"], r["modisco"]
        ne = r["motifs_enriched_planted"]
        out.append(f"| {r['seed']} | {f(r['auroc'], 3)} | {f(r['t_train'], 0)} | attnbio (heads) | {r['motifs_recovered']}/{ne} | "
                   f"{r['motifs_named']}/{ne} / {r.get('motifs_named_tomtom', '?')}/{ne} | {a['attn_true']}/{a['attn_calls']} | {a['recall_attn']}/3 / {a['recall']}/3 | "
                   f"{a['reported_true']}/{a['reported']} | {a['decoy_pairs_reported']} | {f(a['effect_true'], 3)} / {f(a['effect_false'], 3)} | "
                   f"{f(r['t_discover'] + r['t_grammar'] + r['t_intervene'], 0)} (motifs {f(r['t_discover'], 0)}, pairs {f(r['t_grammar'], 0)}, interventions {f(r['t_intervene'], 0)}) |")
        out.append(f"| {r['seed']} | | | oracle motifs + attnbio pairs | (given) | | {o['attn_true']}/{o['attn_calls']} | "
                   f"{o['recall_attn']}/3 / {o['recall']}/3 | {o['reported_true']}/{o['reported']} | {o['decoy_pairs_reported']} | "
                   f"{f(o['effect_true'], 3)} / {f(o['effect_false'], 3)} | |")
        if "skipped" in m:
            out.append(f"| {r['seed']} | | | attribution + modisco | {m['skipped']} | | | | | | | |")
        else:
            out.append(f"| {r['seed']} | | | attribution + modisco | {m['recovered']}/{ne} ({m['patterns']} patterns) | | "
                       f"(no pairs) | | | | | {f(m['t_attr'] + m['t_modisco'], 0)} (attributions {f(m['t_attr'], 0)}, modisco {f(m['t_modisco'], 0)}) |")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--n", type=int, default=10_000, help="sequences per simulation (half positives)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", default=None, help="also write every number here")
    ap.add_argument("--save", default=None, help="keep each seed's simulation and trained model in this folder")
    ap.add_argument("--reuse", action="store_true",
                    help="with --save: read the models an earlier run saved there instead of training (same seeds, same data)")
    ap.add_argument("--no-modisco", action="store_true", help="skip the attribution + TF-MoDISco route")
    ap.add_argument("--from-json", nargs="+", default=None,
                    help="print the table of earlier runs (their --json files, e.g. seeds run in parallel)")
    args = ap.parse_args(argv)
    if args.from_json:
        rows = [r for path in args.from_json for r in json.load(open(path))]
        print(_table(sorted(rows, key=lambda r: r["seed"])))
        print(f"\nmodel: ModelConfig{rows[0].get('model_config')}; wall time per seed (train + read-outs): "
              + ", ".join(f"{r['seed']}: {r.get('t_total', float('nan')):.0f} s" for r in rows))
        return 0
    import torch

    torch.set_num_threads(args.threads)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    rows = []
    t0 = time.perf_counter()
    for seed in args.seeds:
        t1 = time.perf_counter()
        rows.append(run_seed(seed, args.n, log, args.save, args.reuse, not args.no_modisco))
        rows[-1]["t_total"] = time.perf_counter() - t1
        if args.json:
            with open(args.json, "w") as fh:
                json.dump(rows, fh, indent=1, default=str)
    from attnbio.motifs.model import ModelConfig

    print(_table(rows))
    print(f"\nmodel: ModelConfig{ModelConfig().to_dict()}")
    print(f"\n{len(args.seeds)} seeds, {args.n} sequences each, {time.perf_counter() - t0:.0f} s in all "
          f"({args.threads} torch thread(s))")
    return 0


if __name__ == "__main__":
    sys.exit(main())
