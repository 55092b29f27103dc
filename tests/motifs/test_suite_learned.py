"""benchmarks/motifs_learned.py: what a model learned of the planted truth, on stand-in models
whose answer is known (tests/motifs/helpers_grammar.PairModel)."""
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from attnbio.motifs.simulate import Planted
from tests.motifs.helpers_grammar import A_SITE, B_SITE, C_SITE, PairModel, random_seq

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from motifs_learned import learned_by_model, split_recovery  # noqa: E402

D = 20   # centre to centre; A and B are 10 bp


def planted_data(n=60, length=100, seed=0):
    """Positives with A, then B D bp later (one strand), C (a decoy) in both classes."""
    rng = np.random.default_rng(seed)
    pos, neg, sites = [], [], []
    for k in range(n):
        s = list(random_seq(rng, length))
        s[10:20], s[30:40], s[60:70] = A_SITE, B_SITE, C_SITE
        pos.append("".join(s))
        sites += [Planted(k, 10, 20, "+", "A"), Planted(k, 30, 40, "+", "B"), Planted(k, 60, 70, "+", "C")]
        neg.append(random_seq(rng, length))
    motifs = [SimpleNamespace(id=i, name=i, meta={"role": r}) for i, r in (("A", "pair"), ("B", "pair"), ("C", "decoy"))]
    return SimpleNamespace(positives=pos, negatives=neg, sites_pos=sites, motifs=motifs,
                           pairs=[{"a": "A", "b": "B", "distance": D, "orientation": "++"}])


@pytest.mark.parametrize("model, learned, used", [
    (PairModel(D), True, {"A", "B"}),                          # cooperative at the spacing
    (PairModel(D, w_ab=0.0), False, {"A", "B"}),               # additive: each site counts alone
    (PairModel(D + 9), False, {"A", "B"}),                     # another spacing than the planted one
    (PairModel(D, w_a=0.0, w_b=0.0), True, {"A", "B"}),        # read only together: used through the pair
    (PairModel(D + 9, w_a=0.0, w_b=0.0), False, set()),        # nothing of the truth
])
def test_learned_pairs_and_used_motifs(model, learned, used):
    out = learned_by_model(model, planted_data(), seed=0)
    assert [p["learned"] for p in out["pairs"]] == [learned]
    assert {m["id"] for m in out["motifs"] if m["used"]} == used
    decoy = next(m for m in out["motifs"] if m["role"] == "decoy")
    assert decoy["gain"] == 0.0 and not decoy["used"]


def test_split_recovery_counts_within_and_outside_what_was_learned():
    learned = {"pairs": [{"learned": True}, {"learned": False}, {"learned": True}],
               "motifs": [{"id": "A", "role": "pair", "used": True}, {"id": "B", "role": "pair", "used": False},
                          {"id": "S", "role": "single", "used": True}, {"id": "C", "role": "decoy", "used": True}]}
    c = split_recovery(learned, recovered_motifs=["A", "B"], recovered_pairs=[0, 1])
    assert c == {"motifs_used": 2, "motifs_used_recovered": 1, "motifs_recovered_not_used": 1, "decoys_used": 1,
                 "pairs_learned": 2, "pairs_learned_recovered": 1, "pairs_recovered_not_learned": 1}
