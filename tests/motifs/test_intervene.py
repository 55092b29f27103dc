"""intervene.py: planting pairs and the interaction-beyond-additive effect on stand-in models."""
import numpy as np
import pytest

from attnbio.motifs.grammar import PairCall
from attnbio.motifs.intervene import InterveneConfig, check_pairs, plant_pair_sets, test_pair as run_pair
from attnbio.motifs.simulate import _revcomp
from tests.motifs.helpers_grammar import A_SITE, B_SITE, PairModel, found_motifs, pair_sequences, random_seq

D = 20      # centre-to-centre; both sites are 10 bp, so B starts 20 bp after A


def background(n=120, length=100, seed=0):
    rng = np.random.default_rng(seed)
    return [random_seq(rng, length) for _ in range(n)]


def test_planted_sets_put_a_and_b_at_the_distance_and_elsewhere():
    sets = plant_pair_sets(background(30), [A_SITE], [B_SITE], D, "+-", np.random.default_rng(1))
    assert len(sets["f0"]) == 30
    for f0, fa, fab, fabr, dr in zip(sets["f0"], sets["fA"], sets["fAB"], sets["fABr"], sets["d_random"]):
        ia, ib = fab.find(A_SITE), fab.find(_revcomp(B_SITE))
        assert ia >= 0 and ib - ia == D and fa.find(A_SITE) == ia
        ibr = fabr.find(_revcomp(B_SITE))
        assert ibr >= 0 and ibr - ia == dr and abs(dr - D) > 6
        assert sum(x != y for x, y in zip(f0, fab)) <= 20   # only the two sites differ


@pytest.mark.parametrize("model, confirmed", [
    (PairModel(D), True),                    # rewards the spacing: cooperative
    (PairModel(D, w_ab=0.0), False),         # additive: no interaction
    (PairModel(None), False),                # A and B anywhere: interaction, but not the spacing
    (PairModel(D + 9), False),               # rewards another spacing
])
def test_effect_needs_the_spacing(model, confirmed):
    cfg = InterveneConfig(n_background=120)
    r = run_pair(model, background(), [A_SITE], [B_SITE], D, "++", cfg, np.random.default_rng(0))
    assert r.n == 120
    assert (r.effect_p < 0.05 and r.effect > 0) == confirmed
    if confirmed:
        assert abs(r.effect - 2.0) < 0.05 and abs(r.effect_random) < 0.1 and r.effect_p < 1e-10
    if isinstance(model.distance, type(None)):
        assert abs(r.effect - 2.0) < 0.05 and abs(r.effect_random - 2.0) < 0.05


def test_check_pairs_marks_pairs_without_effect():
    seqs = pair_sequences(60, 120, D, seed=2)
    motifs = found_motifs(seqs)
    hist = np.zeros(101)
    calls = [PairCall(0, 1, D, "++", 1.0, ["L1H1"], 50, 1.0, 1e-9, 1e-8, 0.3, hist, hist),
             PairCall(0, 2, D, "++", 1.0, ["L1H1"], 30, 1.0, 1e-5, 1e-4, 0.3, hist, hist)]
    check_pairs(PairModel(D), calls, motifs, seqs, background(), InterveneConfig(n_background=120))
    assert calls[0].status == "attention+effect" and calls[0].effect_p < 1e-6
    assert calls[1].status == "attention_only" and not calls[1].effect_p < 0.05


def _checked(effect, effect_p, shadow_of=None):
    hist = np.zeros(101)
    c = PairCall(0, 1, D, "++", 1.0, ["L1H1"], 50, 1.0, 1e-9, 1e-8, 0.3, hist, hist, shadow_of=shadow_of)
    c.effect, c.effect_p = effect, effect_p
    return c


def test_status_needs_a_real_gain_a_corrected_p_and_a_claim_of_its_own():
    from attnbio.motifs.intervene import set_status

    calls = [_checked(3.0, 1e-30), _checked(0.02, 1e-4),       # significant but negligible gain
             _checked(1.0, 0.035), _checked(1.0, 0.045),        # p < 0.05 alone, not after BH over 5
             _checked(1.0, 0.9), _checked(2.0, 1e-20, shadow_of=0)]
    set_status(calls, InterveneConfig())
    assert [c.status for c in calls] == ["attention+effect", "attention_only", "attention_only",
                                         "attention_only", "attention_only", "shadow"]
    calls = [_checked(3.0, 1e-30), _checked(1.0, 0.04)]        # over 2 pairs, 0.04 -> q 0.04
    set_status(calls, InterveneConfig())
    assert [c.status for c in calls] == ["attention+effect", "attention+effect"]
    calls[1].supported = False                                  # too few linked site pairs to claim
    set_status(calls, InterveneConfig())
    assert [c.status for c in calls] == ["attention+effect", "low_support"]


def test_site_instances_keep_their_flanks_and_orientation():
    from attnbio.motifs.discover import FoundMotif, Site
    from attnbio.motifs.intervene import site_instances

    seqs = ["AAACCCGGGTTTA", "CCGATTACAGGTT"]
    m = FoundMotif(np.full((6, 4), 0.25), ["L1H1"], 0)
    m.sites = [Site(0, 3, 9, "+", 1.0, 0.0), Site(1, 4, 10, "-", 1.0, 0.0), Site(1, 0, 6, "+", 1.0, 0.0)]
    assert site_instances(seqs, m, flank=2) == ["AACCCGGGTT", _revcomp("GATTACAGGT")]   # the edge site has no room
    assert site_instances(seqs, m, flank=0) == ["CCCGGG", _revcomp("TTACAG"), "CCGATT"]
    m.sites = [Site(1, 0, 6, "+", 1.0, 0.0)]
    assert site_instances(seqs, m, flank=2) == ["CCGATT"]                               # none has room: bare sites
