import numpy as np
import pytest
from click.testing import CliRunner

from attnbio.commands.oddoneout import command
from attnbio.domains import oddoneout as od
from attnbio.errors import InputError
from attnbio.io.tables import read_tsv


@pytest.mark.parametrize("attr", od.ATTRIBUTES)
def test_clean_scenes_subspace_accuracy_and_randomised_baseline(attr):
    r = od.accuracy(attr, n_scenes=1000, n_objects=6, randomise=1.0, noise=0.0, tau=0.5, seed=3)
    assert r["accuracy_subspace"] >= 0.95
    # Without the subspace, the randomised other attributes drown the signal.
    assert r["accuracy_whole_token"] < r["accuracy_subspace"] - 0.25
    assert r["accuracy_whole_token"] > r["chance"]


def test_accuracy_falls_with_noise_but_stays_above_chance():
    rows = od.noise_table(["colour"], noises=(0.0, 0.3, 0.75), n_scenes=1000, seed=1)
    acc = [r["accuracy_subspace"] for r in rows]
    assert acc[0] > acc[1] > acc[2] > 1.5 * rows[0]["chance"]


def test_attention_is_gaussian_kernel_in_subspace_without_self():
    x, _ = od.make_scenes(4, 5, "size", noise=0.1, seed=0)
    a = od.attention(x, ["size"], tau=0.5)
    s = x[0, :, 12]
    logits = -(s[:, None] - s[None, :]) ** 2 / (2 * 0.5)
    np.fill_diagonal(logits, -np.inf)
    expect = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(a[0], expect / expect.sum(1, keepdims=True), rtol=1e-9)
    np.testing.assert_allclose(a.sum(-1), 1.0)


def test_cli_tables(tmp_path):
    out = tmp_path / "od"
    r = CliRunner().invoke(command, ["--attribute", "shape", "--scenes", "300", "--noise", "0,0.5",
                                     "-o", str(out)])
    assert r.exit_code == 0, r.output
    rows = read_tsv(out / "accuracy_vs_noise.tsv")
    assert [float(x["noise"]) for x in rows] == [0.0, 0.5]
    assert float(rows[0]["accuracy_subspace"]) >= 0.95
    assert (out / "oddoneout.png").exists() and len(read_tsv(out / "accuracy_vs_randomise.tsv")) == 5


def test_bad_noise_is_input_error(tmp_path):
    r = CliRunner().invoke(command, ["--noise", "0,abc", "-o", str(tmp_path / "x")])
    assert isinstance(r.exception, InputError)


def test_same_seed_same_bytes(tmp_path):
    args = ["--attribute", "size", "--scenes", "200", "--noise", "0.3", "--seed", "9"]
    for name in ("a", "b"):
        assert CliRunner().invoke(command, args + ["-o", str(tmp_path / name)]).exit_code == 0
    for f in ("accuracy_vs_noise.tsv", "accuracy_vs_randomise.tsv", "oddoneout.png"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_run_api_request_to_result():
    res = od.run(od.OddOneOutRequest(attributes=("colour",), objects=5, scenes=200, noises=(0.0, 1.0)))
    clean, noisy = res.by_noise
    assert clean["accuracy_subspace"] == 1.0          # one colour differs: always found
    assert clean["accuracy_whole_token"] < 0.9        # the other, random attributes drown it
    assert noisy["accuracy_subspace"] < clean["accuracy_subspace"]
    assert [r["randomise"] for r in res.by_randomise] == [0, 0.25, 0.5, 0.75, 1.0]
    with pytest.raises(InputError, match="--objects"):
        od.run(od.OddOneOutRequest(objects=2))
