"""What a trained model learned of the planted truth: the ceiling of discovery on that model.

Discovery reads motifs and pairs out of a model; a planted pair the model does not reward
cannot be confirmed by `attnbio motifs`, however its attention is read. So each suite run
also asks the model directly, with the answer key in hand:

- a planted pair is *learned* when planting sites the simulator wrote (their own bases, taken
  from the positives) at the planted distance and orientation into background sequences gives
  an interaction the pipeline would confirm: `intervene.test_pair`, the same background
  sequences as the pipeline's check (`background_sequences` of the negatives, same seed), and
  the same rule (effect >= min_effect, Benjamini-Hochberg q of the Wilcoxon p < alpha, here
  over the planted pairs);
- a planted profile is *used* when one of its planted sites alone raises the logit by at
  least min_effect (Wilcoxon signed-rank of f(site) - f(background), q < alpha over the
  profiles), or when it is a member of a learned pair (a factor the model reads only beside
  its partner gains little alone).

Discovery's recovery is then split: of what the model learned, how much it recovered, and
what it recovered that the model did not learn (should be nothing). No discovery code runs
here; the scores come from the files a run wrote (motifs_suite).
"""
from __future__ import annotations

import numpy as np


def planted_instances(data) -> dict[str, list[str]]:
    """motif id -> the bases of its sites planted in the positives, in the motif's orientation."""
    from attnbio.motifs.simulate import _revcomp

    out: dict[str, list[str]] = {}
    for s in data.sites_pos:
        site = data.positives[s.seq][s.start:s.end].upper()
        out.setdefault(s.motif_id, []).append(site if s.strand == "+" else _revcomp(site))
    return out


def single_gains(model, background: list[str], instances: list[str], rng) -> np.ndarray:
    """(n,) logit gain of one planted site at a random position in each background sequence."""
    from attnbio.motifs.encode import one_hot
    from attnbio.motifs.train import predict

    planted = []
    for bg in background:
        site = instances[int(rng.integers(len(instances)))]
        start = int(rng.integers(0, len(bg) - len(site) + 1))
        planted.append(bg[:start] + site + bg[start + len(site):])
    x, mask, _ = one_hot(list(background) + planted)
    f = predict(model, x, mask).astype(np.float64)
    return f[len(background):] - f[:len(background)]


def learned_by_model(model, data, seed: int, max_length: int = 1000) -> dict:
    """Per planted pair its interaction and `learned`; per planted profile its gain and `used`."""
    from scipy.stats import wilcoxon

    from attnbio.motifs.intervene import InterveneConfig, background_sequences, test_pair
    from attnbio.stats import bh_qvalues

    cfg = InterveneConfig()
    bg = background_sequences(data.negatives, cfg.n_background, seed, max_length)
    inst = planted_instances(data)
    rng = np.random.default_rng(seed + 4099)
    pairs = []
    for p in data.pairs:
        r = test_pair(model, bg, inst[p["a"]], inst[p["b"]], p["distance"], p["orientation"], cfg, rng)
        pairs.append({"a": p["a"], "b": p["b"], "effect": r.effect,
                      "p": 1.0 if np.isnan(r.effect_p) else r.effect_p})
    for p, q in zip(pairs, bh_qvalues(np.array([p["p"] for p in pairs])) if pairs else []):
        p["q"] = float(q)
        p["learned"] = bool(q < cfg.alpha and p["effect"] >= cfg.min_effect)
    in_learned = {m for p in pairs if p["learned"] for m in (p["a"], p["b"])}
    motifs = []
    for m in data.motifs:
        gain = single_gains(model, bg, inst[m.id], rng) if inst.get(m.id) else np.zeros(0)
        pv = float(wilcoxon(gain, alternative="greater").pvalue) if np.any(gain != 0) else 1.0
        motifs.append({"id": m.id, "name": m.name, "role": m.meta["role"],
                       "gain": float(gain.mean()) if len(gain) else float("nan"), "p": pv})
    for m, q in zip(motifs, bh_qvalues(np.array([m["p"] for m in motifs]))):
        m["q"] = float(q)
        m["used"] = bool((q < cfg.alpha and m["gain"] >= cfg.min_effect) or m["id"] in in_learned)
    return {"pairs": pairs, "motifs": motifs}


def split_recovery(learned: dict, recovered_motifs: list[str], recovered_pairs: list[int]) -> dict:
    """Counts of discovery's recovery within and outside what the model learned.

    recovered_motifs: ids of planted enriched profiles discovery recovered; recovered_pairs:
    indices (into the planted pairs) of the pairs it recovered and confirmed.
    """
    enriched = [m for m in learned["motifs"] if m["role"] in ("pair", "single")]
    used = {m["id"] for m in enriched if m["used"]}
    got = set(recovered_motifs)
    learned_pairs = {k for k, p in enumerate(learned["pairs"]) if p["learned"]}
    got_pairs = set(recovered_pairs)
    return {"motifs_used": len(used), "motifs_used_recovered": len(used & got),
            "motifs_recovered_not_used": len(got - used),
            "decoys_used": sum(m["used"] for m in learned["motifs"] if m["role"] == "decoy"),
            "pairs_learned": len(learned_pairs), "pairs_learned_recovered": len(learned_pairs & got_pairs),
            "pairs_recovered_not_learned": len(got_pairs - learned_pairs)}
