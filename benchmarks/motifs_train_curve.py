"""Validation-AUROC curve of one training start on a tuned suite simulation (or the long-sequence
development simulation), to see where training stalls and whether it leaves the plateau.

The runs behind the patience choice (README "Training that does not stop on the plateau"):

    python benchmarks/motifs_train_curve.py independent --train-seed 0 --set patience=60
    python benchmarks/motifs_train_curve.py factors10 --train-seed 1000 --set patience=60
    python benchmarks/motifs_train_curve.py longdev --train-seed 2000

With --learned it also says how many planted pairs and profiles the trained model learned
(benchmarks/motifs_learned.py, the suite's rule), the ceiling of discovery on that model:

    python benchmarks/motifs_train_curve.py factors10 --set lr=0.001 --learned

Held-out configurations are not offered: nothing may be tuned on them.
"""
import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from motifs_suite import BY_NAME, sim_config  # noqa: E402


def simulation(name: str, sim: int):
    from attnbio.motifs.simulate import GrammarSimConfig, simulate_grammar

    if name == "longdev":   # long_1000's knobs at 400 bp, simulation seed 7000 + sim (README's dev simulation)
        knobs = dict(BY_NAME["long_1000"]["knobs"], length=400)
        return simulate_grammar(GrammarSimConfig(n_sequences=4000, seed=7000 + sim, **knobs))
    return simulate_grammar(sim_config(BY_NAME[name], sim))


def _overrides(pairs: list) -> dict:
    """KEY=NUMBER strings -> {key: int or float}."""
    return {k: float(v) if any(c in v for c in ".e") else int(v) for k, v in (s.split("=", 1) for s in pairs)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config", choices=["longdev"] + [n for n, c in BY_NAME.items() if c["split"] == "tuned"])
    ap.add_argument("--sim-seed", type=int, default=0, help="suite seed of the simulation")
    ap.add_argument("--train-seed", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=NUMBER", help="TrainConfig override")
    ap.add_argument("--model-set", action="append", default=[], metavar="KEY=NUMBER",
                    help="ModelConfig override (d_model, n_heads, n_layers ...)")
    ap.add_argument("--learned", action="store_true", help="also score what the model learned of the planted truth")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    import torch

    from attnbio.motifs.model import ModelConfig
    from attnbio.motifs.train import TrainConfig, train_model

    torch.set_num_threads(args.threads)
    over, model_over = _overrides(args.set), _overrides(args.model_set)
    data = simulation(args.config, args.sim_seed)
    t0 = time.perf_counter()
    r = train_model(data.positives, data.negatives, TrainConfig(seed=args.train_seed, **over),
                    ModelConfig(**model_over))
    out = {"config": args.config, "sim_seed": args.sim_seed, "train_seed": args.train_seed, "set": over, "model_set": model_over,
           "test_auroc": round(r.metrics["test_auroc"], 4), "val_auroc": round(r.metrics["val_auroc"], 4),
           "epochs_run": r.metrics["epochs_run"], "seconds": round(time.perf_counter() - t0)}
    if args.learned:
        from motifs_learned import learned_by_model

        got = learned_by_model(r.model, data, args.sim_seed)
        enriched = [m for m in got["motifs"] if m["role"] in ("pair", "single")]
        out.update(pairs_learned=f"{sum(p['learned'] for p in got['pairs'])}/{len(got['pairs'])}",
                   motifs_used=f"{sum(m['used'] for m in enriched)}/{len(enriched)}")
    out["val_history"] = [round(h["val_auroc"], 4) for h in r.history]
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
