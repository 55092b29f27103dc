import collections

import numpy as np
import pytest
import torch

from attnbio.io.motif_formats import Motif, read_meme, write_meme
from attnbio.motifs import pwm as P
from attnbio.motifs.discover import bh_qvalues, enrichment
from attnbio.motifs.encode import one_hot
from attnbio.motifs.model import ModelConfig, MotifAttentionModel, _rc_keep_padding
from attnbio.motifs.shuffle import dinucleotide_shuffle, shuffled_controls


def dinucs(s):
    return collections.Counter(s[i:i + 2] for i in range(len(s) - 1))


@pytest.mark.parametrize("seed", range(5))
def test_dinucleotide_shuffle_keeps_counts_and_ends(seed):
    rng = np.random.default_rng(seed)
    s = "".join(rng.choice(list("ACGTN"), size=150, p=[.3, .2, .2, .28, .02]))
    t = dinucleotide_shuffle(s, rng)
    assert dinucs(s) == dinucs(t) and s[0] == t[0] and s[-1] == t[-1] and s != t


def test_shuffled_controls_are_seeded():
    seqs = ["ACGTTGCAAGGCTTACGATCGATCGGGATC"] * 3
    assert shuffled_controls(seqs, 1) == shuffled_controls(seqs, 1)
    assert shuffled_controls(seqs, 1) != shuffled_controls(seqs, 2)


def test_one_hot_iupac_padding_and_crop():
    x, mask, off = one_hot(["ACGN", "R"], max_length=10)
    assert x.shape == (2, 4, 4) and mask.tolist() == [[1, 1, 1, 1], [1, 0, 0, 0]]
    assert np.allclose(x[0, 3], 0.25) and np.allclose(x[1, 0], [0.5, 0, 0.5, 0])
    x, mask, off = one_hot(["AAAACCCCGG"], max_length=4)
    assert off.tolist() == [3] and "".join("ACGT"[i] for i in x[0].argmax(1)) == "ACCC"


def test_score_threshold_matches_empirical_tail():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.full(4, 0.3), size=10)
    lo = P.log_odds(probs)
    thr = P.score_threshold(lo, 1e-3)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (3000, 100))]
    frac = (P.scan(x, np.ones((3000, 100), bool), lo)[..., 0] >= thr).mean()
    assert 0.4e-3 < frac < 1.6e-3


def test_scan_finds_planted_site_on_both_strands():
    probs = np.eye(4)[[0, 1, 2, 2, 3, 0]] * 0.97 + 0.0075
    lo = P.log_odds(probs)
    seq = "TTTTTTACGGTATTTTTT" + "TTTT" + "TATACCGTTTT"   # forward at 6, reverse at 24
    x, mask, _ = one_hot([seq])
    s = P.scan(x, mask, lo)[0]
    assert s[:, 0].argmax() == 6 and s[:, 1].argmax() == 24


def test_similarity_and_trim():
    rng = np.random.default_rng(1)
    a = rng.dirichlet(np.full(4, 0.2), size=10)
    assert P.similarity(a, a) > 0.99
    assert P.similarity(a, P.reverse_complement(a)) > 0.99
    assert P.similarity(a, rng.dirichlet(np.full(4, 0.2), size=10)) < 0.9
    flank = np.full((3, 4), 0.25)
    assert P.trim(np.vstack([flank, a, flank]))[0] >= 3


def test_bh_and_enrichment():
    q = bh_qvalues(np.array([0.01, 0.04, 0.03, 0.5]))
    # sorted p 0.01, 0.03, 0.04, 0.5 -> p*n/rank 0.04, 0.06, 0.0533, 0.5 -> running min from the right
    assert np.allclose(q, [0.04, 0.16 / 3, 0.16 / 3, 0.5])
    lr, p = enrichment(300, 1000, 100, 1000)
    assert lr > 1.5 and p < 1e-20
    lr, p = enrichment(100, 1000, 100, 1000)
    assert abs(lr) < 0.05 and p > 0.3


def test_meme_round_trip(tmp_path):
    rng = np.random.default_rng(2)
    ms = [Motif("attnbio_m1", "ACGT", rng.dirichlet(np.ones(4), size=7), 12)]
    write_meme(tmp_path / "m.meme", ms)
    back = read_meme(tmp_path / "m.meme")
    assert back[0].id == "attnbio_m1" and back[0].nsites == 12
    assert np.allclose(back[0].probs, ms[0].probs, atol=1e-5)
    from Bio import motifs as bio_motifs
    with open(tmp_path / "m.meme") as fh:
        parsed = bio_motifs.parse(fh, "minimal")
    assert parsed[0].name == "attnbio_m1" and parsed[0].length == 7


def test_model_attention_maps_and_padding():
    torch.manual_seed(0)
    model = MotifAttentionModel(ModelConfig(d_model=16, n_heads=2, n_layers=2)).eval()
    x, mask, _ = one_hot(["ACGT" * 10, "ACGTACGT"])
    xt, mt = torch.from_numpy(x), torch.from_numpy(mask)
    logits, maps = model(xt, mt, return_attention=True)
    assert logits.shape == (2,) and len(maps) == 2 and maps[0].shape == (2, 2, 10, 10)
    assert torch.allclose(maps[0].sum(-1), torch.ones(2, 2, 10))
    assert float(maps[0][1, :, :, 2:].detach().abs().max()) == 0.0   # no attention to padding tokens
    # the short sequence scores the same whatever padding follows it
    alone = model(xt[1:, :8], mt[1:, :8])
    assert torch.allclose(alone, logits[1:], atol=1e-5)


def test_reverse_complement_keeps_padding_at_the_end():
    x, mask, _ = one_hot(["AACG", "AC"])
    rc = _rc_keep_padding(torch.from_numpy(x), torch.from_numpy(mask)).numpy()
    back = ["".join("ACGT"[i] for i in row.argmax(1)[:m.sum()]) for row, m in zip(rc, mask)]
    assert back == ["CGTT", "GT"] and rc[1, 2:].sum() == 0


def test_query_gate_zeroes_what_a_closed_query_sees():
    from attnbio.nn.attention import MultiHeadSelfAttention

    torch.manual_seed(0)
    att = MultiHeadSelfAttention(8, 2, 4, gated=True)
    x = torch.randn(1, 6, 8)
    with torch.no_grad():
        att.gate.weight.zero_()
        att.gate.bias.fill_(-50.0)          # gate closed: output is the out-projection's bias only
        y_closed, _ = att(x)
        att.gate.bias.fill_(50.0)           # gate open: plain attention
        y_open, a = att(x)
        plain = MultiHeadSelfAttention(8, 2, 4, gated=False)
        plain.load_state_dict({k: v for k, v in att.state_dict().items() if not k.startswith("gate")})
        y_plain, _ = plain(x)
    assert torch.allclose(y_closed, att.out.bias.expand_as(y_closed), atol=1e-6)
    assert torch.allclose(y_open, y_plain, atol=1e-6)


def test_bias_gain_scales_the_relative_bias():
    from attnbio.nn.attention import RelativePositionBias

    b1, b10 = RelativePositionBias(2, 3, gain=1.0), RelativePositionBias(2, 3, gain=10.0)
    with torch.no_grad():
        b1.table.normal_()
        b10.table.copy_(b1.table)
    assert torch.allclose(b10(5), 10 * b1(5))
    assert b1(5)[0, 0, 4] == b1.table[6, 0]    # offset +4 clamps to +3, the last row


def test_mean_best_score_counts_n_as_zero_and_takes_either_strand():
    lo = np.eye(4)[[0, 1, 2, 2]] * 0.96 + 0.01                  # ACGG
    windows = np.array([[4, 0, 1, 2, 2, 4],                      # N ACGG N
                        [1, 1, 2, 3, 4, 4],                      # CCGT = revcomp(ACGG) after C
                        [4, 4, 4, 4, 4, 4]], dtype=np.uint8)     # all N
    best = P.log_odds(lo).max(axis=1).sum()
    assert P.mean_best_score(windows[:1], lo) == pytest.approx(best, rel=1e-5)
    assert P.mean_best_score(windows[1:2], lo) == pytest.approx(best, rel=1e-5)
    assert P.mean_best_score(windows[2:], lo) == 0.0
    assert P.mean_best_score(windows[:1, :3], lo) < best        # profile longer than the window


def test_site_windows_hold_each_site_with_its_flanks_on_the_motif_strand():
    from attnbio.motifs import discover as D
    from tests.motifs.helpers_grammar import A_SITE, found_motifs, pair_sequences

    seqs = pair_sequences(40, 120, 24, seed=0)
    x, mask, _ = one_hot(seqs)
    motif = found_motifs(seqs, sites=(A_SITE,))[0]
    motif.heads = ["L1H1"]
    prof = D.random_profiles(mask, 1, 4, seed=0)
    cfg = D.DiscoverConfig(min_sites=1)
    [scored] = D._score_motifs([motif], x, mask, x, mask, prof, ["L1H1"], 4, cfg, D._codes(x))
    f, w = D.SITE_FLANK, len(A_SITE)
    assert len(scored.site_windows) == len(scored.sites) > 0
    for site, win in zip(scored.sites, scored.site_windows):
        dna = seqs[site.seq][site.start:site.end]
        if site.strand == "-":
            dna = dna[::-1].translate(str.maketrans("ACGT", "TGCA"))
        assert "".join("ACGTN"[c] for c in win[f:f + w]) == dna
