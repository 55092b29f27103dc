import numpy as np
import pytest

from attnbio.protein.scales import contact_map, kd_pair_score, pair_features, residue_descriptors


def test_pair_features_on_a_known_sequence():
    f = pair_features("LKDFWC")
    assert f["hydrophobic"][0, 5] and not f["hydrophobic"][0, 1]  # L-C yes, L-K no
    assert f["opposite_charge"][1, 2] and f["opposite_charge"][2, 1]  # K-D
    assert not f["like_charge"][1, 2]
    assert f["aromatic"][3, 4] and not f["aromatic"][0, 3]  # F-W
    assert f["cysteine"][5, 5] and f["cysteine"].sum() == 1
    for v in f.values():
        assert (v == v.T).all()


def test_like_charge_and_polar_and_ss():
    f = pair_features("KRDEST", ss="HHE-EE")
    assert f["like_charge"][0, 1] and f["like_charge"][2, 3] and not f["like_charge"][0, 2]
    assert f["polar"][4, 5] and f["polar"].sum() == 4
    assert f["same_ss"][0, 1] and f["same_ss"][2, 4] and not f["same_ss"][3, 3]
    with pytest.raises(ValueError):
        pair_features("KR", ss="H")


def test_contact_map_threshold_and_nan():
    cb = np.array([[0, 0, 0], [7.9, 0, 0], [16, 0, 0], [np.nan] * 3], float)
    c = contact_map(cb)
    assert c[0, 1] and not c[0, 2] and not c[3].any()


def test_descriptors_and_kd_sum():
    d = residue_descriptors("IRX")
    assert d["hydropathy"][0] == 4.5 and d["charge"][1] == 1 and np.isnan(d["volume"][2])
    s = kd_pair_score("IR")
    assert s[0, 1] == pytest.approx(0.0) and s[0, 0] == pytest.approx(9.0)
