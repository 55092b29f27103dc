"""Attention is not causation: AUROC of attention weights vs interventional effects."""
import numpy as np
import pytest
import torch

from attnbio.cli import main
from attnbio.domains.causal import make_truth, run_causal, simulate
from attnbio.io.tables import read_tsv

torch.set_num_threads(1)


def test_interventions_break_the_confounded_correlation():
    rng = np.random.default_rng(1)
    truth = make_truth(rng, 8, density=0.0, confounding=4.0)  # no causal edges at all
    k = np.argwhere(truth.conf_ligand[0])[0, 0]
    j = np.argwhere(truth.conf_conform[0])[0, 0]
    lig_o, conf_o = simulate(truth, 20000, rng, interventional=False)
    lig_i, conf_i = simulate(truth, 20000, rng, interventional=True)
    assert abs(np.corrcoef(lig_o[:, k], conf_o[:, j])[0, 1]) > 0.2
    assert abs(np.corrcoef(lig_i[:, k], conf_i[:, j])[0, 1]) < 0.03


@pytest.fixture(scope="module")
def result():
    return run_causal(seed=1)


def test_interventional_effects_recover_the_graph_attention_does_not(result):
    auroc = {row["score"]: row["auroc"] for row in result.auroc}
    assert auroc["effect_interventional"] >= 0.9
    assert auroc["attention_observational"] < 0.8
    assert auroc["effect_interventional"] - auroc["attention_observational"] > 0.15


def test_attention_follows_confounded_pairs(result):
    rows = [r for r in result.edges if not r["true_edge"]]
    conf = np.mean([r["attention_observational"] for r in rows if r["confounded"]])
    clean = np.mean([r["attention_observational"] for r in rows if not r["confounded"]])
    assert conf > 1.5 * clean


def test_cli_tables_and_bad_input(tmp_path):
    with pytest.raises(SystemExit) as ok:
        main(["-q", "causal", "--sites", "6", "--n-obs", "200", "--n-int", "200", "--epochs", "2",
              "--threads", "1", "-o", str(tmp_path / "out")])
    assert ok.value.code == 0
    assert len(read_tsv(tmp_path / "out" / "edges.tsv")) == 30
    assert len(read_tsv(tmp_path / "out" / "auroc.tsv")) == 5
    with pytest.raises(SystemExit) as bad:
        main(["causal", "--sites", "3", "-o", str(tmp_path / "bad")])
    assert bad.value.code == 2 and not (tmp_path / "bad").exists()


def test_same_seed_same_bytes(tmp_path):
    for name in ("a", "b"):
        with pytest.raises(SystemExit):
            main(["-q", "causal", "--sites", "7", "--n-obs", "300", "--n-int", "300", "--epochs", "3",
                  "--threads", "1", "--seed", "4", "-o", str(tmp_path / name)])
    for f in ("auroc.tsv", "edges.tsv", "graph.png"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_run_api_request_to_result_leaves_global_rng_alone():
    from attnbio.domains import causal
    from attnbio.errors import InputError

    state = torch.get_rng_state()
    res = causal.run(causal.CausalRequest(sites=6, n_obs=200, n_int=200, epochs=2))
    assert torch.equal(torch.get_rng_state(), state)   # weights seeded locally
    assert len(res.edges) == 30 and {r["n_pairs"] for r in res.auroc} == {30}
    assert [r["score"] for r in res.auroc] == list(causal.SCORES)
    with pytest.raises(InputError, match="--sites"):
        causal.run(causal.CausalRequest(sites=5))
