"""Attention over a replay buffer: divergence on old-policy memories, stability with remedies."""
import numpy as np
import pytest

from attnbio.cli import main
from attnbio.domains.rl import REMEDIES, Buffer, ChainMDP, attention, run_rl
from attnbio.io.tables import read_tsv


@pytest.fixture(scope="module")
def table():
    rows, _ = run_rl(seeds=(0, 1, 2), steps=2500)
    return {(r["remedy"], r["seed"]): r for r in rows}


def test_chain_optimum_is_the_bellman_fixed_point():
    mdp = ChainMDP(n_states=6, gamma=0.8)
    assert np.abs(mdp.value_iteration() - mdp.q_star()).max() < 1e-8
    assert (mdp.q_star()[:, 1] > mdp.q_star()[:, 0]).all()  # advancing is optimal


def test_importance_weights_undo_attention_and_recency_discounts_age():
    buf = Buffer(4)
    for t in range(4):
        buf.add(0, 0, 0.0, 0, t=t)
    delta = np.array([3.0, 0.1, 0.2, 0.0])
    assert np.allclose(attention(buf, delta, 3, REMEDIES["importance"]), 0.25)
    w = attention(buf, np.zeros(4), 3, REMEDIES["recency"])
    assert np.all(np.diff(w) > 0) and np.isclose(w.sum(), 1)


def test_attention_to_surprise_concentrates_on_old_memories_and_diverges(table):
    for seed in (0, 1, 2):
        row = table[("none", seed)]
        assert row["diverged"] and row["final_q_error"] > 1e3
        assert row["mean_attention_on_old"] > 0.6


@pytest.mark.parametrize("remedy", ["recency", "importance", "temperature"])
def test_remedies_keep_learning_stable_and_reach_q_star(table, remedy):
    for seed in (0, 1, 2):
        row = table[(remedy, seed)]
        assert not row["diverged"]
        assert row["final_q_error"] < 1e-3
    assert table[("recency", 0)]["mean_attention_on_old"] < 0.05


def test_cli_tables_and_bad_input(tmp_path):
    with pytest.raises(SystemExit) as ok:
        main(["-q", "rl", "--seeds", "2", "--steps", "2200", "--remedies", "none,recency",
              "-o", str(tmp_path / "out")])
    assert ok.value.code == 0
    summary = {r["remedy"]: r for r in read_tsv(tmp_path / "out" / "summary.tsv")}
    assert summary["none"]["n_diverged"] == "2" and summary["recency"]["n_diverged"] == "0"
    assert len(read_tsv(tmp_path / "out" / "q_error.tsv")) == 4
    with pytest.raises(SystemExit) as bad:
        main(["rl", "--remedies", "magic", "-o", str(tmp_path / "bad")])
    assert bad.value.code == 2 and not (tmp_path / "bad").exists()


def test_recency_reaches_q_star_from_a_random_start_where_no_remedy_does_not():
    rows, _ = run_rl(seeds=(0, 1, 2), remedies=("none", "recency"), steps=2500, init="random")
    by = {(r["remedy"], r["seed"]): r for r in rows}
    assert all(by[("recency", s)]["final_q_error"] < 1e-6 for s in (0, 1, 2))
    assert all(by[("none", s)]["final_q_error"] > 1 for s in (0, 1, 2))


def test_same_seed_same_bytes(tmp_path):
    for name in ("a", "b"):
        with pytest.raises(SystemExit):
            main(["-q", "rl", "--seeds", "1", "--steps", "300", "--seed", "7", "-o", str(tmp_path / name)])
    for f in ("q_error.tsv", "summary.tsv", "curves.tsv", "q_error.png"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_run_api_request_to_result():
    from attnbio.domains import rl
    from attnbio.errors import InputError

    res = rl.run(rl.RlRequest(n_seeds=2, steps=300, remedies=("none", "temperature"), seed=4))
    assert [(r["remedy"], r["seed"]) for r in res.rows] == [("none", 4), ("none", 5),
                                                            ("temperature", 4), ("temperature", 5)]
    summary = {r["remedy"]: r for r in res.summary}
    assert summary["none"]["mean_attention_on_old"] > summary["temperature"]["mean_attention_on_old"]
    assert summary["temperature"]["n_diverged"] == 0
    assert set(res.traces) == {("none", 4), ("none", 5), ("temperature", 4), ("temperature", 5)}
    with pytest.raises(InputError, match="--remedies"):
        rl.run(rl.RlRequest(remedies=("magic",)))
