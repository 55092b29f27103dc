"""Versioned HDF5 result files with provenance at the root.

Root attributes: format name and version, attnbio version, command, seed, input and model SHA-256.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
from contextlib import contextmanager
from pathlib import Path

from attnbio import __version__


@contextmanager
def results_file(path, fmt: str, format_version: str, seed: int | None,
                 inputs: dict | None = None, model_sha256: str | None = None,
                 created: str | None = None, command: str = ""):
    """Open an HDF5 file for writing under a temporary name; rename it when the block ends.

    Root attributes: format, format_version, attnbio_version, command, seed, input_sha256
    (JSON: path -> digest), model_sha256, and `created` only when the caller gives it or
    SOURCE_DATE_EPOCH is set: no wall-clock time goes into a file, so reruns are bit-identical.
    `command` is the command line that made the file, given by the caller (the command module's
    commands.common.command_line(); '' from the Python API), never read from the process arguments.
    """
    import h5py

    from attnbio.io.outdir import atomic_path

    path = Path(path)
    tmp = atomic_path(path)
    disk = _DiskFile(tmp)
    h5 = None
    try:
        h5 = h5py.File(disk, "w", track_order=True)
        _OPEN[id(h5)] = disk
        h5.attrs["format"] = fmt
        h5.attrs["format_version"] = format_version
        h5.attrs["attnbio_version"] = __version__
        h5.attrs["command"] = command
        h5.attrs["seed"] = -1 if seed is None else int(seed)
        stamp = created or _created_stamp()
        if stamp:
            h5.attrs["created"] = stamp
        h5.attrs["input_sha256"] = json.dumps(inputs or {}, sort_keys=True)
        h5.attrs["model_sha256"] = model_sha256 or ""
        yield h5
        h5.close()
        disk.close()
        disk.raise_failed()
        tmp.replace(path)
    except BaseException as err:
        if h5 is not None:
            try:
                h5.close()
            except Exception:  # noqa: BLE001 - the first error is the one that counts
                pass
        disk.close()
        if disk.error is not None and disk.error is not err:
            raise disk.error from None   # a full disk explains whatever HDF5 said after it
        raise
    finally:
        if h5 is not None:
            _OPEN.pop(id(h5), None)
        if tmp.exists():
            tmp.unlink()


_OPEN: dict = {}


def check_writes(h5) -> None:
    """Raise the OSError (full disk, I/O error) that a write into `h5` met, if any.

    Long writers (scan) call it now and then so that a full disk stops the run early.
    """
    disk = _OPEN.get(id(h5))
    if disk is not None:
        disk.raise_failed()


class _DiskFile:
    """The file object h5py writes through: a failed write is remembered, not reported to HDF5.

    HDF5 1.14 crashes (SIGSEGV) or prints a traceback per open object when a write fails
    (ENOSPC, EIO) and it later flushes; so the failure is kept here, HDF5 finishes on a file that
    is discarded, and results_file raises the OSError instead of renaming the file into place.
    """

    def __init__(self, path):
        self._fh = open(path, "w+b")
        self.error: OSError | None = None

    def _guard(self, fn, *args, default=None):
        if self.error is None:
            try:
                return fn(*args)
            except OSError as err:
                self.error = err
        return default

    def readinto(self, buf):
        return self._fh.readinto(buf)

    def read(self, size=-1):
        return self._fh.read(size)

    def write(self, buf):
        n = len(memoryview(buf).cast("B"))
        self._guard(self._fh.write, buf)
        return n

    def seek(self, offset, whence=0):
        return self._fh.seek(offset, whence)

    def tell(self):
        return self._fh.tell()

    def truncate(self, size=None):
        self._guard(self._fh.truncate, size)
        return size

    def flush(self):
        self._guard(self._fh.flush)

    def close(self):
        if not self._fh.closed:
            self._guard(self._fh.flush)
            try:
                self._fh.close()
            except OSError as err:
                self.error = self.error or err

    def raise_failed(self):
        if self.error is not None:
            raise self.error


def _created_stamp() -> str:
    """SOURCE_DATE_EPOCH as an ISO time, or '' (no `created` attribute): reruns stay bit-identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch.isdigit():
        return ""
    return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_array(group, name: str, data, description: str, dtype=None):
    """A chunked, gzip-compressed dataset with a `description` attribute."""
    import numpy as np

    arr = np.asarray(data, dtype=dtype)
    kwargs = {"compression": "gzip", "compression_opts": 4, "chunks": True} if arr.size > 1 and arr.ndim else {}
    ds = group.create_dataset(name, data=arr, **kwargs)
    ds.attrs["description"] = description
    return ds


def write_group(h5, name: str, description: str):
    """A group with a `description` attribute (every group says what it is)."""
    g = h5.create_group(name)
    g.attrs["description"] = description
    return g
