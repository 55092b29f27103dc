import gzip
from pathlib import Path

import numpy as np
import pytest

from attnbio.errors import InputError
from attnbio.io.structure import read_structure, virtual_cb

DATA = Path(__file__).parents[1] / "data" / "protein"


def test_altloc_highest_occupancy_wins():
    (c,) = read_structure(DATA / "altloc.pdb")
    assert c.sequence == "TGPY"
    # B (occupancy 0.7) sits at x = 55.685; A (0.3) was shifted by +0.5 A.
    assert c.ca[3, 0] == pytest.approx(55.685)
    assert c.cb[3, 0] == pytest.approx(56.588)
    assert not c.cb_virtual[3]


def test_insertion_codes_kept_in_order():
    (c,) = read_structure(DATA / "icode.pdb")
    assert c.res_numbers == [(52, ""), (52, "A"), (52, "B"), (53, "")]
    assert c.label(1) == "A:52A"
    assert len(c) == 4 and not c.breaks.any()


def test_missing_cb_is_virtual_and_mse_maps_to_met():
    (c,) = read_structure(DATA / "missing_cb.pdb")
    assert c.sequence == "TGPM"
    assert c.res_names == ["THR", "GLY", "PRO", "MSE"]
    assert c.cb_virtual.tolist() == [True, True, False, False]
    # The ideal CB sits about 1.5 A from CA and matches the real THR CB within 0.3 A.
    d = np.linalg.norm(c.cb - c.ca, axis=1)
    assert np.all((d > 1.4) & (d < 1.75))
    real_thr_cb = np.array([47.760, 9.458, 16.951])
    assert np.linalg.norm(c.cb[0] - real_thr_cb) < 0.3


def test_virtual_cb_nan_when_backbone_missing():
    n = np.array([[np.nan, 0, 0]])
    out = virtual_cb(n, np.zeros((1, 3)), np.ones((1, 3)))
    assert np.isnan(out).all()


def test_ligands_only_is_input_error():
    with pytest.raises(InputError, match="ligands_only.pdb: no protein chain"):
        read_structure(DATA / "ligands_only.pdb")


def test_ligands_waters_ions_skipped():
    (c,) = read_structure(DATA / "with_ligands.pdb")
    assert c.sequence == "TGPY"
    assert c.res_numbers[-1] == (4, "")


def test_nmr_first_model_unless_asked():
    (m1,) = read_structure(DATA / "nmr.pdb")
    (m2,) = read_structure(DATA / "nmr.pdb", model=2)
    assert m1.model == 1 and m2.model == 2
    np.testing.assert_allclose(m2.ca[:, 0] - m1.ca[:, 0], 10.0, atol=1e-4)
    with pytest.raises(InputError, match="no model 7"):
        read_structure(DATA / "nmr.pdb", model=7)


def test_minimal_mmcif_matches_pdb():
    (cif,) = read_structure(DATA / "minimal.cif")
    (pdb,) = read_structure(DATA / "missing_cb.pdb")
    assert cif.sequence == "TGPY"
    np.testing.assert_allclose(cif.ca, pdb.ca)
    assert cif.cb_virtual.tolist() == [False, True, False, False]


def test_full_mmcif_written_by_biopython(tmp_path):
    from Bio.PDB import MMCIFIO, PDBParser

    s = PDBParser(QUIET=True).get_structure("x", DATA / "nmr.pdb")
    io = MMCIFIO()
    io.set_structure(s)
    out = tmp_path / "nmr.cif"
    io.save(str(out))
    (a,) = read_structure(out, model=2)
    (b,) = read_structure(DATA / "nmr.pdb", model=2)
    np.testing.assert_allclose(a.ca, b.ca, atol=1e-3)


def test_gzip_and_chain_selection(tmp_path):
    gz = tmp_path / "two.pdb.gz"
    gz.write_bytes(gzip.compress((DATA / "two_chains.pdb").read_bytes()))
    chains = read_structure(gz)
    assert [c.id for c in chains] == ["A", "B"]
    (b,) = read_structure(gz, chains=["B"])
    np.testing.assert_allclose(b.ca[:, 0] - chains[0].ca[:, 0], 20.0, atol=1e-4)
    with pytest.raises(InputError, match="no protein chain 'Z'"):
        read_structure(gz, chains=["Z"])


def test_chain_break_detected():
    (c,) = read_structure(DATA / "break.pdb")
    assert len(c) == 8
    assert c.breaks.tolist() == [False] * 4 + [True] + [False] * 3


def test_ca_only_parses_but_fails_when_backbone_required():
    (c,) = read_structure(DATA / "ca_only.pdb")
    assert c.sequence == "TGPY"
    assert np.isnan(c.coords["N"]).all() and np.isnan(c.cb).all()
    assert not c.cb_virtual.any()
    with pytest.raises(InputError, match="only C-alpha atoms"):
        read_structure(DATA / "ca_only.pdb", require_backbone=True)


@pytest.mark.parametrize("content, message", [
    (b"", "empty file"),
    (b"\x00\x01\x02garbage", "binary data"),
    (b"\x1f\x8b\x08\x00broken", "damaged gzip"),
    (b"HELLO WORLD\n", "no atom records"),
    (b"data_x\nloop_\n_atom_site.id\n1\n", "no _atom_site coordinates"),
])
def test_bad_files_are_input_errors(tmp_path, content, message):
    p = tmp_path / "bad.pdb"
    p.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_structure(p)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_structure(tmp_path / "nope.pdb")
    with pytest.raises(InputError, match="is a folder"):
        read_structure(tmp_path)
