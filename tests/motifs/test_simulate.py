"""`simulate grammar` knobs of the benchmark suite (issue 12): each does what truth.json says."""
import gzip
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from attnbio.errors import InputError
from attnbio.motifs.simulate import GrammarSimConfig, markov_chain, sample_markov, simulate_grammar, truth_record

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples"
QUIET = dict(pair_rate_pos=0.0, pair_random_neg=0.0, pair_alone_neg=0.0, single_rate_pos=0.0,
             single_rate_neg=0.0, decoy_rate=0.0)


def _fasta(path, n):
    seqs, cur = [], []
    with gzip.open(path, "rt") as fh:
        for line in fh:
            if line.startswith(">"):
                if cur:
                    seqs.append("".join(cur))
                cur = []
                if len(seqs) == n:
                    break
            else:
                cur.append(line.strip())
    return seqs[:n]


def test_defaults_reproduce_the_bundled_example_draw_for_draw():
    # positives are drawn first, so a smaller run's positives are the example's first ones
    data = simulate_grammar(GrammarSimConfig(n_sequences=120, seed=1))
    assert data.positives == _fasta(EXAMPLES / "positives.fa.gz", 60)
    truth = truth_record(data, GrammarSimConfig(n_sequences=120, seed=1))
    example = json.loads((EXAMPLES / "truth.json").read_text())
    assert [m["id"] for m in truth["motifs"]] == [m["id"] for m in example["motifs"]]
    assert truth["pairs"] == example["pairs"]
    assert set(truth) == set(example) and set(truth["config"]) == set(example["config"])


@pytest.mark.parametrize("gc", [0.35, 0.60])
def test_markov_background_has_the_gc_and_the_transitions_of_its_chain(gc):
    chain = markov_chain(1, gc, 1.0, np.random.default_rng(4))
    assert abs(float(chain["gc"]) - gc) < 1e-6
    codes = sample_markov(chain, 400, 500, np.random.default_rng(5))
    assert abs(np.isin(codes, (1, 2)).mean() - gc) < 0.01
    pairs = np.zeros((4, 4))
    np.add.at(pairs, (codes[:, :-1].ravel(), codes[:, 1:].ravel()), 1)
    empirical = pairs / pairs.sum(axis=1, keepdims=True)
    assert np.abs(empirical - chain["transitions"]).max() < 0.02
    # a Dirichlet(1) chain is far from i.i.d.: some transition differs from its base's marginal by > 0.1
    assert np.abs(chain["transitions"] - chain["transitions"].mean(axis=0)).max() > 0.1


def test_markov_order_two_background_in_simulation_and_truth():
    cfg = GrammarSimConfig(n_sequences=200, length=300, gc=0.6, background="markov2", seed=3, **QUIET)
    data = simulate_grammar(cfg)
    assert abs(np.mean([(s.count("G") + s.count("C")) / len(s) for s in data.positives]) - 0.6) < 0.02
    truth = truth_record(data, cfg)
    assert truth["background"]["model"] == "markov2"
    assert np.array(truth["background"]["transitions"]).shape == (16, 4)
    assert truth["config"]["background"] == "markov2" and "n_factors" not in truth["config"]


def test_shared_factors_make_distinct_pairs_covering_every_factor_in_the_distance_range():
    cfg = GrammarSimConfig(n_sequences=40, n_factors=6, n_pairs=9, n_singles=0, n_decoys=1, max_similarity=0.55,
                        min_distance=25, max_distance=45, seed=2)
    data = simulate_grammar(cfg)
    factors = [m.id for m in data.motifs if m.meta["role"] == "pair"]
    assert len(factors) == 6
    keys = {frozenset((p["a"], p["b"])) for p in data.pairs}
    assert len(keys) == 9 and all(len(k) == 2 for k in keys)
    assert {x for p in data.pairs for x in (p["a"], p["b"])} == set(factors)
    assert all(25 <= p["distance"] <= 45 for p in data.pairs)


def _pair_sites(data, sites, k):
    return sorted([s for s in sites if s.seq == k], key=lambda s: s.start)


def test_orientation_and_flip_rate_are_planted_as_recorded():
    base = dict(n_sequences=200, n_pairs=1, n_singles=0, n_decoys=0, pair_rate_pos=1.0, seed=5)
    for flip, want in [(0.0, ["-", "-"]), (1.0, ["+", "+"])]:
        data = simulate_grammar(GrammarSimConfig(orientations=("--",), flip_rate=flip, **base))
        p = data.pairs[0]
        assert p["orientation"] == "--"
        a_id = p["a"]
        for k in range(len(data.positives)):
            sites = _pair_sites(data, data.sites_pos, k)
            assert len(sites) == 2 and [s.strand for s in sites] == want
            a = next(s for s in sites if s.motif_id == a_id)
            b = next(s for s in sites if s.motif_id != a_id)
            # B's centre sits `distance` after A's on the strand the composite was planted on
            d = ((b.start + b.end - 1) - (a.start + a.end - 1)) / 2
            assert abs(d - (p["distance"] if flip == 0 else -p["distance"])) <= 0.5


def test_pairs_per_sequence_plants_distinct_pairs_without_overlaps():
    data = simulate_grammar(GrammarSimConfig(n_sequences=300, length=300, n_pairs=4, pairs_per_seq=3,
                                          pair_rate_pos=1.0, n_singles=0, n_decoys=0, max_similarity=0.55, seed=6))
    per_seq = Counter(s.seq for s in data.sites_pos)
    assert np.mean([per_seq[k] == 6 for k in range(150)]) > 0.9
    for k in range(150):
        sites = _pair_sites(data, data.sites_pos, k)
        assert all(x.end <= y.start for x, y in zip(sites, sites[1:]))


def test_rare_singles_and_decoys_in_both_classes_at_their_rates():
    cfg = GrammarSimConfig(n_sequences=2400, n_pairs=1, n_singles=1, n_decoys=1, single_rate_pos=0.05,
                        single_rate_neg=0.0, decoy_rate=0.3, seed=7)
    data = simulate_grammar(cfg)
    single = next(m.id for m in data.motifs if m.meta["role"] == "single")
    decoy = next(m.id for m in data.motifs if m.meta["role"] == "decoy")
    frac = lambda sites, mid: len({s.seq for s in sites if s.motif_id == mid}) / 1200  # noqa: E731
    assert abs(frac(data.sites_pos, single) - 0.05) < 0.02 and frac(data.sites_neg, single) == 0
    assert abs(frac(data.sites_pos, decoy) - 0.3) < 0.05 and abs(frac(data.sites_neg, decoy) - 0.3) < 0.05
    counts = truth_record(data, cfg)
    assert "site_counts" not in counts  # rates alone are original knobs: truth keeps its original keys


def test_named_look_alikes_and_paralogs_take_their_slots():
    cfg = GrammarSimConfig(n_sequences=40, n_pairs=2, n_singles=2, n_decoys=1, include=("MEF2A", "SRF", "MA0035.5"),
                        paralogs=1, max_similarity=0.55, seed=8)
    data = simulate_grammar(cfg)
    names = [m.name for m in data.motifs]
    assert names[:3] == ["MEF2A", "SRF", "GATA1"]
    paralog = data.motifs[5]  # the last enriched slot (4 pair members + 2 singles)
    source = next(m for m in data.motifs if m.id == paralog.meta["paralog_of"])
    assert paralog.meta["role"] == "single" and paralog.meta["family"] == source.meta["family"]
    assert paralog.name.upper() != source.name.upper()
    truth = truth_record(data, cfg)
    assert truth["motifs"][0]["named"] and truth["motifs"][5]["paralog_of"] == source.id
    assert truth["config"]["include"] == ["MEF2A", "SRF", "MA0035.5"]
    assert sum(truth["site_counts"][data.motifs[0].id].values()) > 0


@pytest.mark.parametrize("knobs, message", [
    (dict(gc=0.9), "gc = 0.9: must be in [0.2, 0.8]"),
    (dict(n_factors=4, n_pairs=7), "n_factors = 4: 4 factors make 2 to 6 distinct pairs"),
    (dict(orientations=("+x",)), "orientations"),
    (dict(background="markov9"), "background = 'markov9'"),
    (dict(length=100, max_distance=60), "length = 100: must be >= 2 x max_distance"),
    (dict(pairs_per_seq=4), "pairs_per_seq = 4: must be in [1, 3]"),
    (dict(include=("NOT_A_TF",)), "'NOT_A_TF' is not a JASPAR CORE vertebrates profile"),
])
def test_bad_knobs_are_one_line_input_errors(knobs, message):
    with pytest.raises(InputError) as err:
        simulate_grammar(GrammarSimConfig(n_sequences=40, **knobs))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_cli_config_file_and_options(tmp_path):
    from click.testing import CliRunner

    from attnbio.cli import cli

    cfg = tmp_path / "suite.yaml"
    cfg.write_text("n_sequences: 60\nlength: 150\ngc: 0.55\nbackground: markov1\npairs_per_seq: 2\n")
    r = CliRunner().invoke(cli, ["simulate", "grammar", "--config", str(cfg), "--gc", "0.45", "-o", str(tmp_path / "o")],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    truth = json.loads((tmp_path / "o" / "truth.json").read_text())
    assert truth["config"]["gc"] == 0.45 and truth["config"]["length"] == 150   # option wins, file fills
    assert truth["config"]["pairs_per_seq"] == 2 and truth["background"]["model"] == "markov1"


def test_cli_bad_config_value_exits_2_in_one_line(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"n_sequences": 60, "flip_rate": 2}))
    p = subprocess.run([sys.executable, "-m", "attnbio.cli", "simulate", "grammar", "--config", str(bad),
                        "-o", str(tmp_path / "b")], capture_output=True, text=True)
    assert p.returncode == 2, p.stderr
    assert f"{bad}: flip_rate = 2: must be in [0.0, 1.0]" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and not (tmp_path / "b").exists()
