"""Why a planted pair was or was not recovered, for runs saved by motifs_suite.py --save.

For every planted pair: its interaction in the model (result.json's `learned`, when present)
and the pair calls of interactions.tsv that match it (the suite's rule: motifs best matching
its two profiles, distance within 3 bp), with their distance, orientation, effect and status;
then the calls that match no planted pair, under the names of the planted profiles their
matrices best match. Reads the saved files only (no training, no discovery).

    python benchmarks/motifs_suite_pairs.py DIR/lookalike_paralogs/seed0 DIR/markov1_gc35/seed0
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from motifs_grammar import _score_pairs, _truth_map  # noqa: E402
from motifs_suite import BY_NAME, _reported_from_files, sim_config  # noqa: E402


def explain(folder: Path) -> list[str]:
    from attnbio.motifs.simulate import simulate_grammar

    row = json.loads((folder / "result.json").read_text())
    data = simulate_grammar(sim_config(BY_NAME[row["config"]], row["seed"]))
    motifs, _, calls = _reported_from_files(folder / "attnbio")
    tmap = _truth_map([m.probs for m in motifs], data.motifs)
    scored = _score_pairs(calls, tmap, data.motifs, data)["calls"]
    name = {t.id: t.name for t in data.motifs}

    def label(k):
        return data.motifs[tmap[k]].name if tmap[k] is not None else motifs[k].id

    learned = row.get("learned", {}).get("pairs", [])
    out = [f"== {folder}: {row['config']} s{row['seed']}, held-out AUROC {row['auroc']:.3f}"]
    for k, p in enumerate(data.pairs):
        model = (f"model effect {learned[k]['effect']:.2f} ({'learned' if learned[k]['learned'] else 'not learned'})"
                 if k < len(learned) else "model effect not measured")
        hits = [f"called d{s['distance']} {s['orientation']} effect {s['effect']:.2f} {c.status}"
                for s, c in zip(scored, calls) if s["true_pair"] == k]
        out.append(f"pair {k} {name[p['a']]}-{name[p['b']]} d{p['distance']} {p['orientation']}, {model}: "
                   + ("; ".join(hits) or "no call"))
    for s, c in zip(scored, calls):
        if s["true_pair"] is None:
            out.append(f"false call {label(s['a'])}-{label(s['b'])} d{s['distance']} {s['orientation']} "
                       f"effect {s['effect']:.2f} {c.status}")
    return out


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print("\n".join(explain(Path(arg))))
