import numpy as np
import pytest
import torch
from click.testing import CliRunner

from attnbio.commands.gan import command
from attnbio.domains import gan
from attnbio.errors import InputError


@pytest.fixture(scope="module")
def judged():
    torch.set_num_threads(1)
    xtr, ytr, xte, yte = gan.load_digits_split()
    clf = gan.train_classifier(xtr, ytr)
    noise = gan.sample_quality(clf, np.random.default_rng(0).uniform(-1, 1, (1000, 64)))
    return xtr, clf, noise, clf.score(xte, yte)


def test_judge_is_a_good_digit_classifier(judged):
    assert judged[3] > 0.93


@pytest.mark.parametrize("attention", [False, True])
def test_short_gan_makes_digits_the_judge_recognises(judged, attention):
    xtr, clf, noise, _ = judged
    run = gan.train_gan(xtr, attention, steps=500, seed=0, n_samples=1000)
    q = gan.summarise(run, clf)
    assert q["digit_score"] > 1.1 * noise["digit_score"]     # sharper and more diverse than noise
    assert q["coverage"] >= 7
    assert np.isfinite([q["d_grad_norm"], q["g_grad_norm"]]).all()
    if attention:
        assert abs(run.gamma) > 0.05                       # the discriminator uses its attention


@pytest.mark.parametrize("attention", [False, True])
def test_spectral_norm_in_every_discriminator_layer(attention):
    torch.manual_seed(0)
    d = gan.build_discriminator(attention)
    d(torch.randn(16, 64))                                  # power iterations run in training mode
    d.eval()
    mats = [m.weight for m in d.modules() if isinstance(m, torch.nn.Linear)]
    assert len(mats) == (6 if attention else 3)
    for w in mats:
        sigma = torch.linalg.matrix_norm(w.detach(), ord=2).item()
        assert 0.8 < sigma < 1.05


def test_attention_block_is_identity_at_start_and_rows_sum_to_one():
    torch.manual_seed(0)
    block = gan._self_attention(32)
    x = torch.randn(4, 16, 32)
    assert torch.equal(block(x), x)
    torch.testing.assert_close(block.last_map.sum(-1), torch.ones(4, 16))


def test_cli_rejects_bad_steps(tmp_path):
    r = CliRunner().invoke(command, ["--steps", "0", "-o", str(tmp_path / "g")])
    assert isinstance(r.exception, InputError)


def test_cli_writes_tables_for_both_variants(tmp_path):
    from attnbio.io.tables import read_tsv

    out = tmp_path / "g"
    r = CliRunner().invoke(command, ["--steps", "20", "--seeds", "2", "--samples", "50",
                                     "--threads", "1", "-o", str(out)])
    assert r.exit_code == 0, r.output
    rows = read_tsv(out / "per_seed.tsv")
    assert [(x["seed"], x["discriminator"]) for x in rows] == [
        ("0", "plain"), ("0", "attention"), ("1", "plain"), ("1", "attention")]
    groups = [x["group"] for x in read_tsv(out / "summary.tsv")]
    assert groups == ["gan_plain", "gan_attention", "real_heldout", "uniform_noise"]
    assert (out / "samples.png").exists() and (out / "curves.png").exists()


def test_same_seed_same_bytes(tmp_path):
    args = ["--steps", "15", "--seeds", "1", "--samples", "20", "--seed", "5"]
    for name in ("a", "b"):
        assert CliRunner().invoke(command, args + ["-o", str(tmp_path / name)]).exit_code == 0
    for f in ("per_seed.tsv", "history.tsv", "summary.tsv", "judge.tsv", "samples.png", "curves.png"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_parallel_runs_give_the_same_results_as_one_process():
    import numpy as np

    from attnbio.domains import gan

    xtr, ytr, _, _ = gan.load_digits_split(seed=0)
    clf = gan.train_classifier(xtr, ytr)
    one, h1 = gan.compare(xtr, clf, [0, 1], steps=20, n_samples=50, workers=1)
    two, h2 = gan.compare(xtr, clf, [0, 1], steps=20, n_samples=50, workers=2)
    assert [(r["seed"], r["discriminator"]) for r in two] == [(0, "plain"), (0, "attention"), (1, "plain"), (1, "attention")]
    for a, b in zip(one, two):
        assert np.array_equal(a["_samples"], b["_samples"]) and a["d_loss"] == b["d_loss"]
    assert h1 == h2


def test_run_api_request_to_result_leaves_global_rng_alone():
    state = torch.get_rng_state()
    res = gan.run(gan.GanRequest(steps=10, n_seeds=1, samples=50, seed=2))
    assert torch.equal(torch.get_rng_state(), state)   # weights seeded locally
    assert [(r["seed"], r["discriminator"]) for r in res.rows] == [(2, "plain"), (2, "attention")]
    assert res.judge[0][1] > 0.9                       # the judge reads real digits
    groups = {r["group"]: r for r in res.summary}
    assert groups["real_heldout"]["digit_score_mean"] > 5 > groups["uniform_noise"]["digit_score_mean"]
    with pytest.raises(InputError, match="--steps"):
        gan.run(gan.GanRequest(steps=1))
