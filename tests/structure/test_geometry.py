"""Geometry on known cases: superposition, lDDT-Ca, TM-score, MDS, embedding, violations."""
import itertools

import numpy as np
import pytest

from attnbio.structure import geometry as g


def helix(n=40, rise=1.5, radius=2.2789, per_turn=3.6):
    """An ideal alpha-helix C-alpha trace (consecutive spacing ~3.8 A)."""
    t = np.arange(n) * 2 * np.pi / per_turn
    return np.stack([radius * np.cos(t), radius * np.sin(t), rise * np.arange(n)], axis=1)


def random_rotation(rng):
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


def test_pairwise_distances_and_ideal_helix_spacing():
    x = helix()
    d = g.pairwise_distances(x)
    assert d.shape == (40, 40)
    np.testing.assert_allclose(np.diag(d, 1), 3.80, atol=0.001)
    assert d[3, 7] == pytest.approx(np.linalg.norm(x[3] - x[7]))


def test_kabsch_recovers_rigid_motion_and_is_proper():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 3)) * 5
    rot, shift = random_rotation(rng), np.array([3.0, -7.0, 11.0])
    y = x @ rot.T + shift
    r, t = g.kabsch(x, y)
    np.testing.assert_allclose(r, rot, atol=1e-10)
    np.testing.assert_allclose(t, shift, atol=1e-9)
    assert g.rmsd(x, y) == pytest.approx(0.0, abs=1e-9)
    # mirror image: the best *proper* rotation cannot reach it
    r2, _ = g.kabsch(g.mirror(x), y)
    assert np.linalg.det(r2) == pytest.approx(1.0)
    assert g.rmsd(g.mirror(x), y) > 1.0
    # known unsuperposed RMSD: every atom shifted by (1, 2, 2) -> 3 A
    assert g.rmsd(x, x + [1, 2, 2], superposed=False) == pytest.approx(3.0)
    # NaN rows are ignored
    xn = x.copy()
    xn[4] = np.nan
    assert g.rmsd(xn, y) == pytest.approx(0.0, abs=1e-9)


def test_lddt_known_cases():
    x = helix(30)
    assert g.lddt_ca(x, x) == pytest.approx(1.0)
    rng = np.random.default_rng(1)
    assert g.lddt_ca(x @ random_rotation(rng).T + 5, x) == pytest.approx(1.0)
    # three points on a line 0, 5, 10 A; move the last to 10.75 A
    ref = np.array([[0, 0, 0], [5, 0, 0], [10, 0, 0]], float)
    pred = ref.copy()
    pred[2, 0] = 10.75
    # pairs (0,2) and (1,2) are off by 0.75 A: kept at 1, 2, 4 A, lost at 0.5 A -> 0.75
    per = g.lddt_ca(pred, ref, per_residue=True)
    np.testing.assert_allclose(per, [(1 + 0.75) / 2, (1 + 0.75) / 2, 0.75])
    assert g.lddt_ca(pred, ref) == pytest.approx(np.mean(per))
    # pairs beyond 15 A in the reference are not scored
    far = ref * 4  # 0, 20, 40 A: no pair under 15 A
    assert np.isnan(g.lddt_ca(far, far))


def test_tm_score_known_cases():
    assert g.tm_d0(100) == pytest.approx(1.24 * 85 ** (1 / 3) - 1.8)
    assert g.tm_d0(10) == 0.5
    x = helix(60)
    rng = np.random.default_rng(2)
    moved = x @ random_rotation(rng).T + [10, 0, 0]
    assert g.tm_score(moved, x) == pytest.approx(1.0)
    # first half exact, second half thrown 200 A away -> TM = 0.5 plus a negligible tail
    half = x.copy()
    half[30:] += [200.0, 0, 0]
    d0 = g.tm_d0(60)
    expected = (30 + np.sum(1 / (1 + (200.0 / d0) ** 2) * np.ones(30))) / 60
    assert g.tm_score(half, x) == pytest.approx(expected, abs=1e-3)
    # uniform 1 A error on every atom along a fixed direction -> superposition removes it
    assert g.tm_score(x + [1.0, 0, 0], x) == pytest.approx(1.0)
    # random coordinates score low
    assert g.tm_score(rng.normal(size=(60, 3)) * 10, x) < 0.3


def test_classical_mds_reproduces_distances_and_handedness():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(25, 3)) * 6
    y = g.classical_mds(g.pairwise_distances(x))
    np.testing.assert_allclose(g.pairwise_distances(y), g.pairwise_distances(x), atol=1e-8)
    chosen = g.choose_handedness(g.mirror(y), x)
    assert g.rmsd(chosen, x, superposed=False) < 1e-6


def test_embed_distances_recovers_structure_from_exact_distances():
    x = helix(30)
    rng = np.random.default_rng(4)
    init = x + rng.normal(scale=1.5, size=x.shape)
    d = g.pairwise_distances(x)
    y = g.embed_distances(d, np.ones_like(d), init, n_iter=300)
    assert g.rmsd(y, x) < 0.05
    assert g.rmsd(init, x) > 1.0


def test_embed_lower_bounds_and_spacing():
    # two residues asked to be 2 A apart, but C-alpha spacing says 3.8 A
    target = np.array([[0.0, 2.0], [2.0, 0.0]])
    y = g.embed_distances(target, np.ones((2, 2)), np.array([[0, 0, 0], [1.0, 0, 0]]),
                          w_spacing=1000.0)
    assert np.linalg.norm(y[1] - y[0]) == pytest.approx(3.8, abs=0.01)
    # a lower bound that already holds costs nothing: the pair stays where spacing puts it
    lower = np.array([[False, True], [True, False]])
    y = g.embed_distances(np.full((2, 2), 1.0), np.ones((2, 2)), np.array([[0, 0, 0], [5.0, 0, 0]]),
                          lower_only=lower)
    assert np.linalg.norm(y[1] - y[0]) == pytest.approx(3.8, abs=1e-3)


def test_triangle_violations_against_brute_force():
    assert g.triangle_violations(g.pairwise_distances(helix(20))) == 0
    d = np.array([[0, 10, 3], [10, 0, 3], [3, 3, 0]], float)
    assert g.triangle_violations(d) == 1
    assert g.triangle_violations(d, tol=4.5) == 0
    rng = np.random.default_rng(5)
    n = 12
    m = rng.uniform(1, 10, size=(n, n))
    m = (m + m.T) / 2
    np.fill_diagonal(m, 0)
    valid = rng.random((n, n)) > 0.1
    valid = valid & valid.T
    brute = 0
    for i, j, k in itertools.combinations(range(n), 3):
        if not (valid[i, j] and valid[i, k] and valid[j, k]):
            continue
        a, b, c = sorted([m[i, j], m[i, k], m[j, k]])
        brute += c > a + b
    assert brute > 0
    assert g.triangle_violations(m, valid=valid, chunk=5) == brute


def test_ca_geometry_violations():
    x = helix(10)
    assert g.ca_geometry_violations(x) == {"spacing": 0, "clashes": 0}
    y = x.copy()
    y[5] = y[2] + [0.5, 0, 0]  # residue 5 on top of residue 2; both its bonds stretch
    v = g.ca_geometry_violations(y)
    assert v["clashes"] >= 1 and v["spacing"] == 2
    breaks = np.zeros(10, bool)
    breaks[5] = True
    assert g.ca_geometry_violations(y, breaks)["spacing"] == 1


def test_embedding_loss_gradient_matches_autograd():
    import torch

    rng = np.random.default_rng(4)
    n = 30
    x0 = np.cumsum(rng.normal(size=(n, 3)), axis=0) * 2
    target = torch.tensor(g.pairwise_distances(x0 + rng.normal(size=x0.shape)))
    w = torch.tensor(rng.random((n, n)))
    w = (w + w.T) / (w + w.T).sum()
    lower = target > 12
    cons = torch.ones(n - 1, dtype=torch.float64)
    cons[10] = 0  # a chain break
    idx = torch.arange(n)
    nonlocal_pairs = ((idx[:, None] - idx[None, :]).abs() >= 2).double()
    x = torch.tensor(x0 * 0.4 + rng.normal(size=x0.shape))
    x[5] = x[8] + 0.3  # a clash
    for sw, cw in ((0.0, 0.0), (10.0, 10.0)):
        loss, grad = g._embedding_loss(x, target, w, lower, cons / cons.sum(), nonlocal_pairs, sw, cw)
        xa = x.clone().requires_grad_(True)
        d = torch.sqrt(((xa[:, None] - xa[None]) ** 2).sum(-1) + 1e-8)
        ref = (w * torch.where(lower, torch.clamp(target - d, min=0), d - target) ** 2).sum()
        step = torch.sqrt(((xa[1:] - xa[:-1]) ** 2).sum(-1) + 1e-8)
        ref = ref + sw * (cons * (step - 3.8) ** 2).sum() / cons.sum()
        ref = ref + cw * (nonlocal_pairs * torch.clamp(3.5 - d, min=0) ** 2).sum() / n
        ref.backward()
        assert float(loss) == pytest.approx(float(ref.detach()), rel=1e-10)
        np.testing.assert_allclose(grad.numpy(), xa.grad.numpy(), rtol=1e-8, atol=1e-10)
