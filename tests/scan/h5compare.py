"""Compare two HDF5 files dataset by dataset (helpers for the scan and workflow tests)."""
import h5py
import numpy as np

RUN_ATTRS = {"command", "created", "input_sha256", "merged_from"}   # describe the run, not the result


def datasets(path) -> dict:
    out = {}
    with h5py.File(path, "r") as h5:
        h5.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def assert_same_content(a, b):
    """Same datasets with equal values, and equal root attributes apart from RUN_ATTRS."""
    da, db = datasets(a), datasets(b)
    assert sorted(da) == sorted(db)
    for k in da:
        assert da[k].dtype == db[k].dtype, k
        assert np.array_equal(da[k], db[k]), k
    with h5py.File(a, "r") as ha, h5py.File(b, "r") as hb:
        keys = (set(ha.attrs) | set(hb.attrs)) - RUN_ATTRS
        for k in keys:
            assert str(ha.attrs.get(k)) == str(hb.attrs.get(k)), k
        for g in ("sequences", "heads", "sites", "motifs"):
            assert dict(ha[g].attrs) == dict(hb[g].attrs), g
