"""PDB writer, backbone carrying, perturbations and the model's distogram decoding."""
from pathlib import Path

import numpy as np
import pytest
import torch

from attnbio.io.pdb_write import ChainOut, write_pdb
from attnbio.structure import data, geometry as geo
from attnbio.structure.model import RefineConfig, RefineModel, decode_distogram
from attnbio.structure.refine import _n_triangles, carry_backbone

DATA = Path(__file__).resolve().parents[1] / "data" / "refine"
WEIGHTS = Path(__file__).resolve().parents[2] / "attnbio" / "weights" / "refine.safetensors"

torch.set_num_threads(1)


def _chain(n=6, seed=0):
    rng = np.random.default_rng(seed)
    ca = np.cumsum(rng.normal(size=(n, 3)), axis=0) * 2
    atoms = {name: ca + rng.normal(scale=1.0, size=ca.shape) for name in ("N", "C", "O", "CB")}
    atoms["CA"] = ca
    return atoms


def test_pdb_writer_reads_back_in_biopython(tmp_path):
    from Bio.PDB import PDBParser

    atoms = _chain()
    atoms["O"][2] = np.nan  # a missing atom is skipped, not written as nan
    ch = ChainOut("B", ["ALA", "GLY", "SER", "LYS", "TRP", "MET"],
                  [(-1, ""), (0, ""), (5, "A"), (5, "B"), (1000, ""), (9999, "")], atoms,
                  bfactor=np.arange(6) * 10.0, skip={"CB": np.array([0, 1, 0, 0, 0, 0], bool)})
    ch2 = ChainOut("C", ["VAL", "LEU"], [(1, ""), (2, "")], {k: v[:2] + 50 for k, v in _chain(2, 1).items()})
    path = tmp_path / "x.pdb"
    write_pdb(path, [ch, ch2], remarks=["test"])
    lines = path.read_text().splitlines()
    assert all(len(line) == 80 for line in lines if line.startswith("ATOM"))
    s = PDBParser(QUIET=True).get_structure("x", str(path))
    chains = {c.id: c for c in s[0]}
    assert sorted(chains) == ["B", "C"]
    residues = list(chains["B"])
    assert [r.id[1:] for r in residues] == [(-1, " "), (0, " "), (5, "A"), (5, "B"), (1000, " "), (9999, " ")]
    assert [r.get_resname() for r in residues] == ["ALA", "GLY", "SER", "LYS", "TRP", "MET"]
    np.testing.assert_allclose(residues[3]["CA"].coord, atoms["CA"][3], atol=1e-3)
    np.testing.assert_allclose(residues[4]["CB"].coord, atoms["CB"][4], atol=1e-3)
    assert "O" not in residues[2] and "CB" not in residues[1] and "CB" in residues[0]
    assert residues[3]["CA"].get_bfactor() == pytest.approx(30.0)
    assert residues[0]["N"].element == "N"


def test_carry_backbone_follows_a_rigid_motion_exactly():
    atoms = _chain(8)
    q, _ = np.linalg.qr(np.random.default_rng(3).normal(size=(3, 3)))
    if np.linalg.det(q) < 0:
        q[:, 0] *= -1
    moved = atoms["CA"] @ q.T + [1, 2, 3]
    atoms["N"][4] = np.nan
    out = carry_backbone(atoms, moved)
    for name in ("N", "C", "O", "CB"):
        ok = np.isfinite(atoms[name]).all(1)
        np.testing.assert_allclose(out[name][ok], atoms[name][ok] @ q.T + [1, 2, 3], atol=1e-9)
    assert np.isnan(out["N"][4]).all()


def test_perturbations_have_their_intended_character():
    rng = np.random.default_rng(0)
    x = np.cumsum(rng.normal(size=(200, 3)), axis=0) * 3
    noisy = data.atom_noise(x, 2.0, rng)
    assert np.std(noisy - x) == pytest.approx(2.0, rel=0.05)
    shifted = data.domain_shift(x, 20.0, 4.0, np.random.default_rng(1))
    moved = np.linalg.norm(shifted - x, axis=1) > 1e-9
    cut = int(np.argmax(moved))
    assert 50 <= cut <= 150 and moved[cut:].all() and not moved[:cut].any()
    d0, d1 = geo.pairwise_distances(x), geo.pairwise_distances(shifted)
    np.testing.assert_allclose(d1[cut:, cut:], d0[cut:, cut:], atol=1e-9)  # rigid inside the domain
    smooth = data.smooth_deformation(x, 3.0, np.random.default_rng(2))
    ds = np.abs(geo.pairwise_distances(smooth) - d0)
    local = ds[np.abs(np.subtract.outer(np.arange(200), np.arange(200))) == 1].mean()
    assert local < 0.5 * ds[d0 > 30].mean()  # neighbours move together, far pairs drift


def test_decode_distogram_on_a_peaked_distribution():
    cfg = RefineConfig()
    edges = cfg.out_edges
    logits = torch.full((2, 2, cfg.n_out), -30.0)
    centre = 10  # bin between edges[9] and edges[10]
    logits[0, 1, centre] = 30.0
    logits[1, 0, -1] = 30.0  # far
    logits[0, 0, centre] = 30.0
    logits[1, 1, centre] = 30.0
    out = decode_distogram(logits, cfg)
    assert out["distance"][0, 1] == pytest.approx((edges[9] + edges[10]) / 2, abs=1e-6)
    assert out["confidence"][0, 1] == pytest.approx(1.0, abs=1e-6)
    assert out["p_far"][1, 0] == pytest.approx(1.0) and out["confidence"][1, 0] < 1e-6


def test_model_is_symmetric_and_permutation_equivariant_in_batches():
    torch.manual_seed(0)
    model = RefineModel(RefineConfig(c_z=8, c_mul=8, c_att=4, n_heads=2, n_blocks=1))
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.2)
    x = torch.tensor(np.cumsum(np.random.default_rng(0).normal(size=(12, 3)), 0) * 3, dtype=torch.float32)
    d = torch.cdist(x, x)[None]
    aa = torch.randint(0, 21, (1, 12))
    idx = torch.arange(12)[None]
    chain = torch.zeros(1, 12, dtype=torch.int64)
    out = model(d, aa, idx, chain)
    torch.testing.assert_close(out["logits"], out["logits"].transpose(1, 2))
    out2 = model(d, aa, idx, chain, chunk_size=5)
    torch.testing.assert_close(out["logits"], out2["logits"], rtol=1e-4, atol=1e-4)


def test_triangle_count_helper():
    assert _n_triangles(np.ones((5, 5), bool)) == 10
    v = np.ones((4, 4), bool)
    v[0, 1] = v[1, 0] = False
    assert _n_triangles(v) == 2


def test_no_harm_rules():
    """Keep a plausible input outside the trained lengths or where the distogram supports it;
    blend an implausible one outside them by how little the distogram supports it."""
    from attnbio.structure.refine import KEEP_SUPPORT, MOVE_SUPPORT, no_harm

    rng = (79, 173)
    assert no_harm(12, 0.90, True, "ok", rng)[:2] == (0.0, "input_kept")     # too short, plausible
    assert no_harm(345, 0.50, True, "ok", rng)[:2] == (0.0, "input_kept")    # too long, plausible
    assert no_harm(100, 1.00, True, "ok", rng)[:2] == (0.0, "input_kept")    # distogram agrees
    assert no_harm(100, 0.80, True, "ok", rng)[:2] == (1.0, "refined")       # in range, disagrees
    assert no_harm(100, 1.00, False, "bad", rng)[:2] == (1.0, "refined")     # implausible input
    assert no_harm(12, 0.60, False, "bad", rng)[:2] == (1.0, "refined")
    w, mode, reason = no_harm(12, (KEEP_SUPPORT + MOVE_SUPPORT) / 2, False, "bad", rng)
    assert mode == "blend" and abs(w - 0.5) < 1e-9 and "outside the trained range 79-173" in reason


def test_short_real_chain_is_kept_unless_implausible():
    """13 residues of a real structure (the bundled refiner saw 79-173): unchanged at sigma 0,
    refined (and closer to the truth) at sigma 2."""
    import gzip

    from attnbio.io.structure import read_structure
    from attnbio.io.weights import load_weights
    from attnbio.structure import geometry as geo
    from attnbio.structure.model import load_model
    from attnbio.structure.refine import plausible_trace, refine_ca

    torch.set_num_threads(1)
    chain = read_structure(DATA / "3a4rA.pdb.gz")[0]
    ca, seq = chain.ca[30:43].copy(), chain.sequence[30:43]
    model = load_model(*load_weights(WEIGHTS, expect_kind="attnbio.refine"))
    assert plausible_trace(ca)[0]
    kept = refine_ca(model, ca, seq)
    assert kept.mode == "input_kept" and kept.weight == 0.0
    np.testing.assert_array_equal(kept.ca_refined, ca)
    noisy = ca + np.random.default_rng(0).normal(scale=2.0, size=ca.shape)
    assert not plausible_trace(noisy)[0]
    moved = refine_ca(model, noisy, seq)
    assert moved.weight > 0.5
    assert geo.lddt_ca(moved.ca_refined, ca) > geo.lddt_ca(noisy, ca) + 0.1
