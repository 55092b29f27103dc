"""Output folders that appear complete or not at all."""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from attnbio.errors import InputError


@contextmanager
def staged_outdir(path):
    """Yield a temporary folder beside `path`; on success move its files into `path`.

    On any error (or Ctrl-C) the temporary folder is removed, so an interrupted run leaves
    nothing that looks like a finished result. A new `path` appears by one atomic rename.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{path}: exists and is not a folder")
    parent = path.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.partial-", dir=parent))
    except OSError as err:
        raise InputError(f"{path}: cannot create output folder ({err.strerror})") from None
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _commit(tmp, path)


def _commit(tmp: Path, path: Path) -> None:
    if not path.exists():
        os.rename(tmp, path)
        return
    for item in sorted(tmp.iterdir()):
        target = path / item.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        os.replace(item, target)
    tmp.rmdir()


def atomic_path(path):
    """Temporary name in the same folder for a single file; rename it to `path` when done."""
    path = Path(path)
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")
