"""Versioned HDF5 result files with provenance at the root (see design.md)."""
from __future__ import annotations

import datetime as _dt
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from attnbio import __version__


@contextmanager
def results_file(path, fmt: str, format_version: str, seed: int | None,
                 inputs: dict | None = None, model_sha256: str | None = None,
                 created: str | None = None):
    """Open an HDF5 file for writing under a temporary name; rename it when the block ends.

    Root attributes: format, format_version, attnbio_version, command, seed, created,
    input_sha256 (JSON: path -> digest), model_sha256. `created` may be fixed by the caller
    (e.g. from SOURCE_DATE_EPOCH) so that reruns are bit-identical.
    """
    import h5py

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with h5py.File(tmp, "w", track_order=True) as h5:
            h5.attrs["format"] = fmt
            h5.attrs["format_version"] = format_version
            h5.attrs["attnbio_version"] = __version__
            h5.attrs["command"] = " ".join(["attnbio"] + sys.argv[1:])
            h5.attrs["seed"] = -1 if seed is None else int(seed)
            h5.attrs["created"] = created or _created_stamp()
            h5.attrs["input_sha256"] = json.dumps(inputs or {}, sort_keys=True)
            h5.attrs["model_sha256"] = model_sha256 or ""
            yield h5
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _created_stamp() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (_dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc) if epoch and epoch.isdigit()
            else _dt.datetime.now(_dt.timezone.utc))
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


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
