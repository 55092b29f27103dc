"""attnbio.io.results: the root provenance of every HDF5 result, atomic writes, dataset layout.

Read-only checks of what results_file / write_array / write_group write (h5py reads it back).
"""
import errno
import json

import h5py
import numpy as np
import pytest

from attnbio import __version__
from attnbio.io import results
from attnbio.io.results import results_file, write_array, write_group


def _write(path, **kw):
    with results_file(path, "attnbio.test", "1.2", kw.pop("seed", 7), **kw) as h5:
        g = write_group(h5, "g", "a test group")
        write_array(g, "x", np.arange(1000, dtype=np.float64), "a ramp", dtype=np.float16)
        write_array(g, "one", 3.5, "a scalar")


def test_root_attributes_are_the_provenance(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    path = tmp_path / "r.h5"
    _write(path, inputs={"b.fa": "22", "a.fa": "11"}, model_sha256="ab" * 32, command="attnbio x -o out")
    with h5py.File(path, "r") as h5:
        a = dict(h5.attrs)
        assert a["format"] == "attnbio.test" and a["format_version"] == "1.2"
        assert a["attnbio_version"] == __version__ and a["command"] == "attnbio x -o out"
        assert a["seed"] == 7 and a["model_sha256"] == "ab" * 32
        assert json.loads(a["input_sha256"]) == {"a.fa": "11", "b.fa": "22"}
        assert a["input_sha256"].index("a.fa") < a["input_sha256"].index("b.fa")   # sorted keys
        assert "created" not in a                        # no wall-clock time without SOURCE_DATE_EPOCH


def test_defaults_for_the_python_api(tmp_path):
    path = tmp_path / "r.h5"
    _write(path, seed=None)
    with h5py.File(path, "r") as h5:
        assert h5.attrs["seed"] == -1 and h5.attrs["command"] == "" and h5.attrs["model_sha256"] == ""
        assert h5.attrs["input_sha256"] == "{}"


def test_created_only_from_source_date_epoch_or_the_caller(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    _write(tmp_path / "a.h5")
    _write(tmp_path / "b.h5", created="2026-01-02T03:04:05Z")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    _write(tmp_path / "c.h5")
    with h5py.File(tmp_path / "a.h5", "r") as a, h5py.File(tmp_path / "b.h5", "r") as b, \
            h5py.File(tmp_path / "c.h5", "r") as c:
        assert a.attrs["created"] == "1970-01-02T00:00:00Z"
        assert b.attrs["created"] == "2026-01-02T03:04:05Z"
        assert "created" not in c.attrs


def test_same_content_same_bytes(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    _write(tmp_path / "a.h5", command="c")
    _write(tmp_path / "b.h5", command="c")
    assert (tmp_path / "a.h5").read_bytes() == (tmp_path / "b.h5").read_bytes()


def test_datasets_are_described_chunked_and_compressed(tmp_path):
    path = tmp_path / "r.h5"
    _write(path)
    with h5py.File(path, "r") as h5:
        assert h5["g"].attrs["description"] == "a test group"
        x, one = h5["g/x"], h5["g/one"]
        assert x.attrs["description"] == "a ramp" and x.dtype == np.float16
        assert x.compression == "gzip" and x.compression_opts == 4 and x.chunks is not None
        np.testing.assert_array_equal(x[()], np.arange(1000, dtype=np.float16))
        assert one.shape == () and one.chunks is None and one.compression is None and one[()] == 3.5


def test_the_file_appears_only_when_complete(tmp_path):
    path = tmp_path / "r.h5"
    with results_file(path, "attnbio.test", "1", 0) as h5:
        h5["x"] = np.zeros(3)
        assert not path.exists()                          # written under a hidden temporary name
        assert [p.name for p in tmp_path.iterdir()] == [f".r.h5.tmp-{__import__('os').getpid()}"]
    assert [p.name for p in tmp_path.iterdir()] == ["r.h5"]
    with pytest.raises(ValueError):
        with results_file(tmp_path / "bad.h5", "attnbio.test", "1", 0) as h5:
            h5["x"] = np.zeros(3)
            raise ValueError("the writer failed")
    assert [p.name for p in tmp_path.iterdir()] == ["r.h5"]   # no half file, no temporary left


class _FullDisk:
    """Stands in for the temporary file once the disk is full: every write fails with ENOSPC."""

    def __init__(self, fh):
        self._fh = fh
        self.closed = False

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def write(self, buf):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_write_is_raised_as_the_oserror_and_nothing_is_left(tmp_path):
    path = tmp_path / "r.h5"
    with pytest.raises(OSError) as err:
        with results_file(path, "attnbio.test", "1", 0) as h5:
            disk = results._OPEN[id(h5)]
            disk._fh = _FullDisk(disk._fh)
            write_array(h5, "big", np.random.default_rng(0).random(200_000), "noise")
            with pytest.raises(OSError):
                results.check_writes(h5)                  # long writers can stop early
    assert err.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []
