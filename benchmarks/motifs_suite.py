"""Benchmark suite: motifs and pairs on 12 `simulate grammar` configurations x 2 seeds.

FROZEN 2026-12-01 (before anything was tuned on it; issue 12): the configurations below, and
which half is "tuned" (discovery may be developed on it) and which is "held-out" (never used
for tuning, never changed). Each knob theme has two configurations; which of the two is tuned
was drawn by `np.random.default_rng(20261201).integers(0, 2, 5)` -> [0, 1, 0, 0, 1] over the
themes background, prevalence, length, orientation, scale (0: the first is tuned). The
look-alike theme is fixed by hand: `independent` is the independent simulation the issue
describes (the one discovery is being fixed for), so it is tuned and its twin is held out.
"""
from __future__ import annotations

FROZEN = "2026-12-01"

# name, split, per-class size, modisco (attribution + tfmodisco-lite run on it), seed_base, and
# knobs of attnbio.motifs.simulate.GrammarSimConfig: n_sequences = 2 x per_class, simulation seed =
# seed_base + suite seed (so each configuration draws its own JASPAR profiles; the training and
# discovery seed is the suite seed). max_similarity 0.55 (0.65 for 24 profiles): the default
# 0.45 finds only 8-11 mutually dissimilar profiles.
CONFIGS = [
    # look-alikes: the independent-style simulation (3 cooperative pairs + 1 enriched
    # single + 1 decoy, 5,000 per class, 200 bp, i.i.d. GC 0.42, MEF2 / SRF / YY1 and a short GATA)
    dict(name="independent", seed_base=100, split="tuned", per_class=5000, modisco=True,
         knobs=dict(max_similarity=0.55, length=200, n_pairs=3, n_singles=1, n_decoys=1, gc=0.42,
                    include=("MEF2A", "SRF", "Yy1", "GATA1"))),
    dict(name="lookalike_paralogs", seed_base=200, split="held-out", per_class=3000, modisco=True,
         knobs=dict(max_similarity=0.55, length=200, n_pairs=3, n_singles=2, n_decoys=1, gc=0.45,
                    include=("SRF", "MEF2D", "GATA2"), paralogs=2)),
    # background model
    dict(name="markov2_gc60", seed_base=300, split="tuned", per_class=2500, modisco=True,
         knobs=dict(max_similarity=0.55, length=200, n_pairs=3, n_singles=1, n_decoys=1, gc=0.60, background="markov2",
                    markov_alpha=1.0, min_distance=10, max_distance=60)),
    dict(name="markov1_gc35", seed_base=400, split="held-out", per_class=2500, modisco=True,
         knobs=dict(max_similarity=0.55, length=200, n_pairs=3, n_singles=1, n_decoys=2, gc=0.35, background="markov1",
                    markov_alpha=1.0, min_distance=10, max_distance=50)),
    # prevalence of enriched singles (fraction of positives; negatives at a tenth of it)
    dict(name="rare_10pct", seed_base=500, split="tuned", per_class=3000, modisco=False,
         knobs=dict(max_similarity=0.55, length=200, n_pairs=2, n_singles=3, n_decoys=1, gc=0.45,
                    single_rate_pos=0.10, single_rate_neg=0.01)),
    dict(name="rare_5pct", seed_base=600, split="held-out", per_class=4000, modisco=False,
         knobs=dict(max_similarity=0.55, length=200, n_pairs=2, n_singles=3, n_decoys=1, gc=0.40,
                    single_rate_pos=0.05, single_rate_neg=0.005)),
    # sequence length
    dict(name="long_1000", seed_base=700, split="tuned", per_class=2000, modisco=False,
         knobs=dict(max_similarity=0.55, length=1000, n_pairs=3, n_singles=1, n_decoys=2, gc=0.38,
                    min_distance=10, max_distance=60)),
    dict(name="long_400", seed_base=800, split="held-out", per_class=2000, modisco=False,
         knobs=dict(max_similarity=0.55, length=400, n_pairs=3, n_singles=2, n_decoys=1, gc=0.50,
                    min_distance=20, max_distance=60)),
    # relative orientation, strand flips of the whole configuration, pairs per sequence
    dict(name="orient_multi", seed_base=900, split="tuned", per_class=2500, modisco=False,
         knobs=dict(max_similarity=0.55, length=250, n_pairs=4, pairs_per_seq=2, n_singles=1, n_decoys=1, gc=0.42,
                    orientations=("++", "+-", "-+", "--"), flip_rate=0.5,
                    min_distance=10, max_distance=50)),
    dict(name="flip_none_dist60", seed_base=1000, split="held-out", per_class=2500, modisco=False,
         knobs=dict(max_similarity=0.55, length=200, n_pairs=3, n_singles=1, n_decoys=1, gc=0.48,
                    orientations=("+-", "-+"), flip_rate=0.0, min_distance=30, max_distance=60)),
    # scale: factors shared between pairs (Data-40 style: 20 factors, 40 cooperative pairs)
    dict(name="factors10", seed_base=1100, split="tuned", per_class=2500, modisco=False,
         knobs=dict(max_similarity=0.55, length=250, n_factors=10, n_pairs=15, pairs_per_seq=2, n_singles=1, n_decoys=1,
                    gc=0.42, min_distance=10, max_distance=50)),
    dict(name="data40", seed_base=1200, split="held-out", per_class=5000, modisco=False,
         knobs=dict(max_similarity=0.65, length=300, n_factors=20, n_pairs=40, pairs_per_seq=3, n_singles=2, n_decoys=2,
                    gc=0.42, min_distance=10, max_distance=60)),
]
SEEDS = (0, 1)

USAGE = """
For each configuration and seed, in one fresh process (so time and peak memory are its own):
simulate; the attention route exactly as `attnbio motifs pos.fa --negatives neg.fa --seed S -o
out` runs it (attnbio.motifs.pipeline.run_motifs; scored from the files it writes: results.h5
for the matrices, interactions.tsv for the pairs); the random-seqlet control (the same seqlet
-> PWM route from random positions, benchmarks/motifs_recovery.py) on the trained model; and,
on the configurations marked modisco, attribution + tfmodisco-lite (benchmarks/motifs_grammar.py).

Scores (the rules of motifs_recovery.py and motifs_grammar.py, imported from them): a planted
enriched motif (pair member or single) is recovered when a reported motif (listed in motifs.tsv,
enrichment q < 0.05, enriched) matches its JASPAR profile at Tomtom q < 0.05 against all of JASPAR CORE vertebrates; precision
is the share of reported motifs that match some planted profile; a decoy is reported when a
reported motif matches it; a planted pair is recovered when a reported pair (interactions.tsv
status attention+effect) links motifs that best match its two profiles (Tomtom q < 0.05 against
the planted set) at |distance error| <= 3 bp; reported pairs true is the share of reported
pairs that are such a match. TF-MoDISco: patterns trimmed by information, matched to the
planted set (it reports no pairs).

What the model learned (benchmarks/motifs_learned.py, every run, after discovery): the planted
pairs the trained model rewards at the planted configuration (the pipeline's own intervention
rule on the planted sites) and the planted profiles it uses; the last table splits discovery's
recovery into what the model learned and what it did not (the ceiling of discovery on that
model, with the answer key; discovery itself never sees it).

    python benchmarks/motifs_suite.py --jobs 2 --threads 1 --save /tmp/suite   # everything
    python benchmarks/motifs_suite.py --configs independent --seeds 0 --no-modisco
    python benchmarks/motifs_suite.py --configs independent --simulate-only --save DIR
    python benchmarks/motifs_suite.py --from-save /tmp/suite                   # tables again
    python benchmarks/motifs_suite.py --from-save /tmp/suite --rediscover --jobs 2 --threads 1
        # discovery again with the saved models (current code); add --without conditional variants
        # for the discovery before those two steps (same models: a before/after comparison)

Class size 50,000 works in the generator (`attnbio simulate grammar --n 100000`) but no suite
configuration uses it: on 2 cores the suite has to fit in about an hour.
"""
__doc__ += USAGE

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from motifs_learned import learned_by_model, split_recovery  # noqa: E402

Q = 0.05
BY_NAME = {c["name"]: c for c in CONFIGS}


def sim_config(entry: dict, seed: int):
    """The GrammarSimConfig of one configuration and suite seed."""
    from attnbio.motifs.simulate import GrammarSimConfig

    return GrammarSimConfig(n_sequences=2 * entry["per_class"], seed=entry["seed_base"] + seed, **entry["knobs"])


def simulate_to(entry: dict, seed: int, folder: Path):
    """Simulate one configuration into folder (positives.fa, negatives.fa, truth.*); the data."""
    from attnbio.motifs.simulate import simulate_grammar, write_grammar

    cfg = sim_config(entry, seed)
    data = simulate_grammar(cfg)
    folder.mkdir(parents=True, exist_ok=True)
    write_grammar(cfg, folder, data)
    return data


def _reported_from_files(outdir: Path):
    """Every motif of results.h5 (probs, q, enrichment), those motifs.tsv lists, and the pair
    calls of interactions.tsv (a, b index the first list)."""
    import csv
    from types import SimpleNamespace

    import h5py
    import numpy as np

    motifs = []
    with h5py.File(outdir / "results.h5", "r") as h5:
        for mid, g in h5["motifs"].items():
            motifs.append(SimpleNamespace(id=mid, probs=np.array(g["probs"]), q_value=float(g.attrs["q_value"]),
                                          log2_enrichment=float(g.attrs["log2_enrichment"])))
    index = {m.id: i for i, m in enumerate(motifs)}
    with open(outdir / "motifs.tsv") as fh:   # what the user is shown (significant ones, once filtered)
        listed = {r["motif_id"] for r in csv.DictReader(fh, delimiter="\t")}
    pairs = []
    with open(outdir / "interactions.tsv") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            def num(k, default=float("nan")):
                return float(r[k]) if r.get(k) not in (None, "", "NA", "nan") else default
            pairs.append(SimpleNamespace(a=index.get(r["motif_a"]), b=index.get(r["motif_b"]), distance=int(float(r["distance"])),
                                         orientation=r["orientation"], status=r["status"], q_value=num("q_value"),
                                         effect=num("effect"), effect_p=num("effect_p"), heads=r["head"]))
    return motifs, [m for m in motifs if m.id in listed], pairs


def _pair_score(pairs, motifs, truth, data) -> dict:
    """motifs_grammar._score_pairs on the pair calls (a call naming a motif the files lack is false)."""
    from motifs_grammar import _score_pairs, _truth_map

    tmap = _truth_map([m.probs for m in motifs], truth) + [None]
    fixed = [p if p.a is not None and p.b is not None else
             type(p)(**{**p.__dict__, "a": len(motifs) if p.a is None else p.a,
                        "b": len(motifs) if p.b is None else p.b}) for p in pairs]
    s = _score_pairs(fixed, tmap, truth, data)
    return {"pairs_planted": s["planted"], "pairs_reported": s["reported"], "pairs_true": s["reported_true"],
            "pairs_recovered": s["recall"], "pairs_recovered_ids": s["recovered_ids"],
            "pairs_with_decoy": s["decoy_pairs_reported"]}


def _motif_score(motifs, truth, db) -> dict:
    """motifs_recovery.score_against_truth, plus precision of the reported (q < 0.05) motifs."""
    from motifs_recovery import score_against_truth

    from attnbio.motifs.annotate import tomtom_qvalues

    s = score_against_truth(motifs, truth, db, tomtom_qvalues)
    s["true_reported"] = s["enriched"] - s["false"]
    s["decoy_reported"] = bool(s.pop("decoy_enriched"))
    return s


def _attention_scores(outdir: Path, data, db) -> dict:
    """Motif and pair scores of the attention route from the files it wrote into outdir."""
    motifs, listed, pairs = _reported_from_files(outdir)
    return {**_motif_score(listed, data.motifs, db), **_pair_score(pairs, motifs, data.motifs, data)}


def _empty_dir(path: Path) -> Path:
    """path, created empty (a previous run's outputs removed)."""
    import shutil

    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def _limit_threads(threads: int) -> None:
    """BLAS / numba threads of a worker process, before anything imports them."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[var] = str(threads)


def run_one(name: str, seed: int, save: str | None, threads: int, modisco: bool, control: bool) -> dict:
    """One configuration and seed, all routes, in this (fresh) process."""
    import resource
    import tempfile

    import torch

    torch.set_num_threads(threads)
    from attnbio.motifs.annotate import load_motif_db
    from attnbio.motifs.encode import one_hot
    from attnbio.motifs.pipeline import MotifsRequest, run_motifs

    entry = BY_NAME[name]
    folder = Path(save) / name / f"seed{seed}" if save else Path(tempfile.mkdtemp(prefix=f"suite_{name}_"))
    log = lambda msg: print(f"[{name} s{seed}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    t0 = time.perf_counter()
    data = simulate_to(entry, seed, folder)
    t_sim = time.perf_counter() - t0
    truth = data.motifs
    db = load_motif_db("vertebrates")
    out = _empty_dir(folder / "attnbio")
    t0 = time.perf_counter()
    summary = run_motifs(MotifsRequest(positives=str(folder / "positives.fa"), negatives=str(folder / "negatives.fa"),
                                       outdir=out, seed=seed), log=log)
    t_attn = time.perf_counter() - t0
    peak_attn = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    row = {"config": name, "split": entry["split"], "seed": seed, "sim_seed": entry["seed_base"] + seed,
           "per_class": entry["per_class"], "length": entry["knobs"]["length"], "t_simulate": t_sim,
           "auroc": summary.metrics.get("test_auroc", float("nan")),
           "planted": [(t.id, t.name, t.meta["role"]) for t in truth], "truth_pairs": data.pairs,
           "attention": {**_attention_scores(out, data, db), "seconds": t_attn, "peak_mb": peak_attn}}
    a = row["attention"]
    log(f"attention: {a['recovered']}/{a['planted']} motifs, {a['true_reported']}/{a['enriched']} reported true, "
        f"pairs {a['pairs_recovered']}/{a['pairs_planted']}, {a['pairs_true']}/{a['pairs_reported']} reported true, {t_attn:.0f} s")
    from attnbio.motifs.discover import DiscoverConfig
    from attnbio.motifs.model import load_model

    model, _ = load_model(out / "model.safetensors")
    row["learned"] = learned_by_model(model, data, seed)
    if control:
        from motifs_recovery import random_seqlet_control

        x, mask, _ = one_hot(data.positives)
        xn, maskn, _ = one_hot(data.negatives, length=x.shape[1])
        t0 = time.perf_counter()
        base = random_seqlet_control(model, x, mask, xn, maskn, DiscoverConfig(seed=seed), seed)
        row["control"] = {**_motif_score(base, truth, db), "seconds": time.perf_counter() - t0,
                          "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        log(f"random seqlets: {row['control']['recovered']}/{row['control']['planted']} motifs")
    if modisco and entry["modisco"]:
        from motifs_grammar import modisco_route

        enriched = {i for i, t in enumerate(truth) if t.meta["role"] in ("pair", "single")}
        m = modisco_route(model, data.positives, truth, enriched)
        if "skipped" not in m:
            m["seconds"] = m["t_attr"] + m["t_modisco"]
            m["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        row["modisco"] = m
        log(f"modisco: {m}")
    return row


def _not_saved_runs(folders, needs: str) -> list[str]:
    """The folders that are no --save run folder: no attnbio/<needs> (the committed
    benchmarks/results/ folders keep result.json only; nothing may be written there)."""
    return [str(f) for f in folders if not (Path(f) / "attnbio" / needs).exists()]


def rescore(folder: Path) -> dict:
    """The attention route's scores again from a saved run's files (no training); other routes kept.
    The truth is simulated again in memory, so nothing but result.json is written."""
    from attnbio.motifs.annotate import load_motif_db
    from attnbio.motifs.simulate import simulate_grammar

    row = json.loads((folder / "result.json").read_text())
    data = simulate_grammar(sim_config(BY_NAME[row["config"]], row["seed"]))
    keep = {k: row["attention"][k] for k in ("seconds", "peak_mb")}
    row["attention"] = {**_attention_scores(folder / "attnbio", data, load_motif_db("vertebrates")), **keep}
    if "learned" not in row and (folder / "attnbio" / "model.safetensors").exists():   # runs saved before it
        from attnbio.motifs.model import load_model

        row["learned"] = learned_by_model(load_model(folder / "attnbio" / "model.safetensors")[0], data, row["seed"])
    (folder / "result.json").write_text(json.dumps(row, indent=1, default=str) + "\n")
    return row


# --rediscover --without NAME: the discovery steps that can be switched off for a before/after
# comparison on the same saved models (DiscoverConfig fields and the value that turns each off).
WITHOUT = {"conditional": ("conditional", False), "variants": ("variant_similarity", None)}


def rediscover(folder: Path, without=(), threads: int = 1) -> dict:
    """Discovery, naming, pairs and interventions again with a saved run's model (no training),
    into attnbio_rediscovered/ (attnbio_rediscovered_without_X/ with steps off); the row of
    result.json with the attention route's scores replaced (the other routes kept)."""
    import torch

    torch.set_num_threads(threads)
    from attnbio.motifs.annotate import load_motif_db
    from attnbio.motifs.discover import DiscoverConfig
    from attnbio.motifs.pipeline import MotifsRequest, run_motifs

    row = json.loads((folder / "result.json").read_text())
    data = simulate_to(BY_NAME[row["config"]], row["seed"], folder)
    out = _empty_dir(folder / ("attnbio_rediscovered" + "".join(f"_without_{w}" for w in without)))
    cfg = DiscoverConfig(**dict(WITHOUT[w] for w in without))
    t0 = time.perf_counter()
    run_motifs(MotifsRequest(positives=str(folder / "positives.fa"), negatives=str(folder / "negatives.fa"),
                             outdir=out, seed=row["seed"], model=str(folder / "attnbio" / "model.safetensors"),
                             discover=cfg), log=lambda msg: None)
    row["attention"] = {**_attention_scores(out, data, load_motif_db("vertebrates")),
                        "seconds": time.perf_counter() - t0, "peak_mb": float("nan")}   # peak: not this run's own
    (out / "result.json").write_text(json.dumps(row, indent=1, default=str) + "\n")
    return row


def _rediscover_worker(folder, without, threads):
    _limit_threads(threads)
    return rediscover(Path(folder), without, threads)


def _worker(name, seed, save, threads, modisco, control):
    _limit_threads(threads)
    row = run_one(name, seed, save, threads, modisco, control)
    if save:
        (Path(save) / name / f"seed{seed}" / "result.json").write_text(json.dumps(row, indent=1, default=str) + "\n")
    return row


def _pct(num, den) -> str:
    return f"{num}/{den} ({num / den:.0%})" if den else f"{num}/0"


ROUTES = [("attention", "attnbio (attention)"), ("control", "random seqlets"), ("modisco", "attribution + modisco")]


def config_table(rows: list[dict]) -> str:
    """One markdown table: every seed x route of one configuration."""
    e = BY_NAME[rows[0]["config"]]
    head = (f"**{e['name']}** ({e['split']}; {e['per_class']:,} per class, {e['knobs']['length']} bp; "
            + ", ".join(f"{k}={v}" for k, v in e["knobs"].items() if k not in ("length", "max_similarity")) + ")")
    out = [head, "", "| seed | AUROC | route | planted motifs recovered | reported motifs true (q<0.05) | decoy reported "
           "| pairs recovered | reported pairs true | s | peak MB | missed |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: r["seed"]):
        for key, label in ROUTES:
            s = r.get(key)
            if not s:
                continue
            if "skipped" in s:
                out.append(f"| {r['seed']} | | {label} | {s['skipped']} | | | | | | | |")
                continue
            if key == "modisco":
                n_en = sum(1 for t in r["planted"] if t[2] in ("pair", "single"))
                out.append(f"| {r['seed']} | | {label} | {s['recovered']}/{n_en} | {s['matched_enriched']}/{s['patterns']} "
                           f"patterns | {'yes' if s['decoy_reported'] else 'no'} | (none) | | {s['seconds']:.0f} | "
                           f"{s['peak_mb']:.0f} | |")
                continue
            pairs = (f"{s['pairs_recovered']}/{s['pairs_planted']} | {s['pairs_true']}/{s['pairs_reported']}" if key == "attention"
                     else "(none) | ")
            auroc = f"{r['auroc']:.3f}" if key == "attention" else ""
            out.append(f"| {r['seed']} | {auroc} | {label} | {s['recovered']}/{s['planted']} | {s['true_reported']}/{s['enriched']} | "
                       f"{'yes' if s['decoy_reported'] else 'no'} | {pairs} | {s['seconds']:.0f} | {s['peak_mb']:.0f} | "
                       f"{s['missed'] or '-'} |")
    return "\n".join(out)


def summary(rows: list[dict]) -> str:
    """Totals per half and route, and the issue's goals, met or not."""
    out = ["| half | route | runs | planted motifs recovered | worst config | reported motifs true | decoys reported "
           "| pairs recovered | reported pairs true | mean s | max peak MB |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    goals = []
    for split in ("tuned", "held-out", "all"):
        sub = [r for r in rows if split in ("all", r["split"])]
        for key, label in ROUTES:
            runs = [r for r in sub if r.get(key) and "skipped" not in r[key]]
            if not runs:
                continue
            n_en = lambda r: sum(1 for t in r["planted"] if t[2] in ("pair", "single"))  # noqa: E731
            rec = sum(r[key]["recovered"] for r in runs)
            den = sum(n_en(r) for r in runs)
            per_cfg = {}
            for r in runs:
                a, b = per_cfg.get(r["config"], (0, 0))
                per_cfg[r["config"]] = (a + r[key]["recovered"], b + n_en(r))
            worst = min(per_cfg.items(), key=lambda kv: kv[1][0] / kv[1][1])
            if key == "modisco":
                tr, rep = sum(r[key]["matched_enriched"] for r in runs), sum(r[key]["patterns"] for r in runs)
            else:
                tr, rep = sum(r[key]["true_reported"] for r in runs), sum(r[key]["enriched"] for r in runs)
            dec = sum(bool(r[key]["decoy_reported"]) for r in runs)
            if key == "attention":
                pr = _pct(sum(r[key]["pairs_recovered"] for r in runs), sum(r[key]["pairs_planted"] for r in runs))
                pt = _pct(sum(r[key]["pairs_true"] for r in runs), sum(r[key]["pairs_reported"] for r in runs))
            else:
                pr = pt = "-"
            out.append(f"| {split} | {label} | {len(runs)} | {_pct(rec, den)} | {worst[0]} {_pct(*worst[1])} | "
                       f"{_pct(tr, rep)} | {dec}/{len(runs)} | {pr} | {pt} | "
                       f"{sum(r[key]['seconds'] for r in runs) / len(runs):.0f} | {max(r[key]['peak_mb'] for r in runs):.0f} |")
            if key == "attention" and split == "all":
                goals += _goals(runs, per_cfg, rec, den, tr, rep, dec)
            if key == "attention" and split == "held-out":
                bad = [f"{c} {_pct(*v)}" for c, v in per_cfg.items() if v[0] / v[1] < 0.8]
                goals.append(f"- held-out configs each >= 80% recovered: {'met' if not bad else 'NOT met (' + ', '.join(bad) + ')'}")
    return "\n".join(out + [""] + goals)


def _goals(runs, per_cfg, rec, den, tr, rep, dec) -> list[str]:
    def verdict(ok):
        return "not measured (nothing to count)" if ok == 0 and not isinstance(ok, bool) else ("met" if ok else "NOT met")

    prec = sum(r["attention"]["pairs_true"] for r in runs), sum(r["attention"]["pairs_reported"] for r in runs)
    recall = sum(r["attention"]["pairs_recovered"] for r in runs), sum(r["attention"]["pairs_planted"] for r in runs)
    return [f"- planted enriched motifs recovered >= 90% overall: {verdict(den and rec / den >= 0.9)} ({_pct(rec, den)})",
            f"- precision of reported motifs >= 90%: {verdict(rep and tr / rep >= 0.9)} ({_pct(tr, rep)})",
            f"- decoys never reported: {verdict(dec == 0)} ({dec} of {len(runs)} runs)",
            f"- planted pairs recovered >= 80%: {verdict(recall[1] and recall[0] / recall[1] >= 0.8)} ({_pct(*recall)})",
            f"- reported pairs true >= 90%: {verdict(prec[1] and prec[0] / prec[1] >= 0.9)} ({_pct(*prec)})"]


def config_list() -> str:
    out = ["| configuration | half | per class | bp | knobs (GrammarSimConfig) | modisco |", "|---|---|---|---|---|---|"]
    for c in CONFIGS:
        knobs = ", ".join(f"{k}={v}" for k, v in c["knobs"].items() if k != "length")
        out.append(f"| {c['name']} | {c['split']} | {c['per_class']:,} | {c['knobs']['length']} | {knobs} | "
                   f"{'yes' if c['modisco'] else ''} |")
    return "\n".join(out)


def learned_table(rows: list[dict]) -> str:
    """Discovery against what each model learned (motifs_learned): per run, then per half."""
    rows = [r for r in rows if "learned" in r and "recovered_ids" in r["attention"]]
    if not rows:
        return ""
    out = ["| run | half | AUROC | planted motifs the model uses | of them recovered | recovered, not used | decoys used "
           "| planted pairs the model learned | of them recovered | recovered, not learned |", "|---" * 10 + "|"]
    tot: dict[str, np.ndarray] = {}
    for r in sorted(rows, key=lambda r: (r["config"], r["seed"])):
        c = split_recovery(r["learned"], r["attention"]["recovered_ids"], r["attention"]["pairs_recovered_ids"])
        n_en = sum(1 for t in r["planted"] if t[2] in ("pair", "single"))
        v = np.array([c["motifs_used"], n_en, c["motifs_used_recovered"], c["motifs_recovered_not_used"], c["decoys_used"],
                      c["pairs_learned"], len(r["learned"]["pairs"]), c["pairs_learned_recovered"],
                      c["pairs_recovered_not_learned"]])
        for split in (r["split"], "all"):
            tot[split] = tot.get(split, 0) + v
        out.append(_learned_row(f"{r['config']} s{r['seed']}", r["split"], f"{r['auroc']:.3f}", v))
    out += [_learned_row(f"**{k}**", k, "", tot[k]) for k in ("tuned", "held-out", "all") if k in tot]
    return "\n".join(out)


def _learned_row(name, split, auroc, v) -> str:
    used, n_en, used_rec, rec_not, dec, learned, n_pairs, learned_rec, prec_not = (int(x) for x in v)
    return (f"| {name} | {split} | {auroc} | {used}/{n_en} | {_pct(used_rec, used)} | {rec_not} | {dec} | "
            f"{learned}/{n_pairs} | {_pct(learned_rec, learned)} | {prec_not} |")


def print_tables(rows: list[dict]) -> None:
    for c in CONFIGS:
        sub = [r for r in rows if r["config"] == c["name"]]
        if sub:
            print(config_table(sub) + "\n")
    print(summary(rows))
    table = learned_table(rows)
    if table:
        print("\nWhat each model learned of the planted truth (benchmarks/motifs_learned.py) and what discovery "
              "recovered of it:\n\n" + table)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=USAGE,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", nargs="+", default=None, choices=list(BY_NAME), metavar="NAME",
                    help="subset of: " + ", ".join(BY_NAME))
    ap.add_argument("--split", choices=["tuned", "held-out"], default=None, help="only this half")
    ap.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    ap.add_argument("--jobs", type=int, default=1, help="configurations x seeds run at once (processes)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads per process")
    ap.add_argument("--save", default=None, help="keep data, outputs and result.json per config/seed here")
    ap.add_argument("--reuse", action="store_true", help="with --save: skip runs whose result.json exists")
    ap.add_argument("--no-modisco", action="store_true", help="skip attribution + tfmodisco-lite")
    ap.add_argument("--modisco-seeds", type=int, nargs="+", default=None,
                    help="run attribution + modisco only for these seeds (default: every seed)")
    ap.add_argument("--no-control", action="store_true", help="skip the random-seqlet control")
    ap.add_argument("--simulate-only", action="store_true", help="with --save: write the simulations only")
    ap.add_argument("--from-save", default=None, help="print the tables of the result.json files under this folder")
    ap.add_argument("--rescore", action="store_true",
                    help="with --from-save: score the saved attention outputs again (after a scoring change)")
    ap.add_argument("--rediscover", action="store_true",
                    help="with --from-save: discovery again with each saved model (current code; no training)")
    ap.add_argument("--without", nargs="+", default=(), choices=list(WITHOUT),
                    help="with --rediscover: switch these discovery steps off (the code before them)")
    ap.add_argument("--list", action="store_true", help="print the configurations as a markdown table")
    args = ap.parse_args(argv)
    if args.list:
        print(config_list())
        return 0
    names = [c["name"] for c in CONFIGS if (args.configs is None or c["name"] in args.configs)
             and (args.split is None or c["split"] == args.split)]
    if args.from_save:
        found = [p for p in sorted(Path(args.from_save).glob("*/seed*/result.json"))
                 if p.parent.parent.name in names and int(p.parent.name[4:]) in args.seeds]
        needs = "model.safetensors" if args.rediscover else "results.h5" if args.rescore else None
        bad = _not_saved_runs([p.parent for p in found], needs) if needs else []
        if bad:
            print(f"motifs_suite: {bad[0]} is not a saved run (no attnbio/{needs}); --rescore and "
                  f"--rediscover need a folder written by --save", file=sys.stderr)
            return 2
        if args.rediscover:
            import concurrent.futures as cf
            import multiprocessing as mp

            with cf.ProcessPoolExecutor(args.jobs, mp_context=mp.get_context("spawn"), max_tasks_per_child=1) as pool:
                rows = list(pool.map(_rediscover_worker, [str(p.parent) for p in found],
                                     [tuple(args.without)] * len(found), [args.threads] * len(found)))
            print_tables(rows)
            return 0
        print_tables([rescore(p.parent) if args.rescore else json.loads(p.read_text()) for p in found])
        return 0
    if (args.simulate_only or args.reuse) and not args.save:
        ap.error("--simulate-only and --reuse need --save")
    if args.simulate_only:
        for n in names:
            for s in args.seeds:
                simulate_to(BY_NAME[n], s, Path(args.save) / n / f"seed{s}")
                print(f"{args.save}/{n}/seed{s}")
        return 0
    todo, rows = [], []
    # Seed-major, cheapest configuration first (bases to train on): when time runs out, most
    # configurations have a first seed.
    cost = {n: BY_NAME[n]["per_class"] * BY_NAME[n]["knobs"]["length"] for n in names}
    for s in args.seeds:
        for n in sorted(names, key=lambda n: (cost[n], names.index(n))):
            done = Path(args.save or ".") / n / f"seed{s}" / "result.json"
            if args.reuse and done.exists():
                rows.append(json.loads(done.read_text()))
            else:
                todo.append((n, s))
    import concurrent.futures as cf
    import multiprocessing as mp

    t0 = time.perf_counter()
    with cf.ProcessPoolExecutor(args.jobs, mp_context=mp.get_context("spawn"), max_tasks_per_child=1) as pool:
        futures = {pool.submit(_worker, n, s, args.save, args.threads,
                               not args.no_modisco and (args.modisco_seeds is None or s in args.modisco_seeds),
                               not args.no_control): (n, s) for n, s in todo}
        for f in cf.as_completed(futures):
            try:
                rows.append(f.result())
            except Exception as err:  # one failed run must not lose the others' results
                print(f"{futures[f]}: failed: {type(err).__name__}: {err}", file=sys.stderr, flush=True)
    print_tables(rows)
    print(f"\n{len(todo)} runs in {time.perf_counter() - t0:.0f} s ({args.jobs} jobs x {args.threads} thread(s)); "
          f"suite frozen {FROZEN}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
