"""Output folders that appear complete or not at all, and replace an earlier result as a whole.

Every command writes its OUTDIR the same way (the one mechanism; README "Output folders"):

1. Leftovers of killed runs into the same place (`.NAME.partial-*`, `.NAME.old-*` beside
   OUTDIR) are removed first: those of this host whose process is gone, those of other hosts
   older than a day, and those of earlier attnbio versions (no PID in the name).
2. The result is built in a hidden sibling folder `.NAME.partial-PID-TOKEN-HOST`, made with the
   process umask (mkdir, not mkdtemp's 0700).
3. On success it takes OUTDIR's place by one rename: a missing or empty OUTDIR is replaced by
   rename(2); an OUTDIR holding an earlier attnbio result is swapped with it atomically
   (renameat2 RENAME_EXCHANGE, Linux >= 3.15; the model SQLite and git follow: complete content
   appears by rename only), then the old result is deleted. Where the filesystem cannot
   exchange (some network filesystems), the old folder is first renamed to `.NAME.old-*`; a kill
   between the two renames leaves no OUTDIR (and the old result under its hidden name) rather
   than a mix. Either way no file of the earlier run remains beside the new ones.
4. A non-empty OUTDIR that attnbio did not write (no MARKER file) is refused: replacing it would
   delete what the user keeps there.
5. Any error (Ctrl-C included) removes the hidden folder. A full disk, a quota, an I/O error or a
   read-only filesystem becomes OutputError (one line, exit 2).
"""
from __future__ import annotations

import ctypes
import errno
import os
import re
import secrets
import shutil
import socket
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from attnbio.errors import InputError, OutputError

MARKER = ".attnbio-output"
MARKER_TEXT = "This folder is an attnbio result; the next attnbio run into it replaces it as a whole.\n"
# errno values that mean "the place cannot hold the output", not "attnbio is broken".
DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EFBIG}
OTHER_HOST_MAX_AGE_S = 24 * 3600
_ERRNO_IN_TEXT = re.compile(r"(?:\[Errno |errno = |os error )(\d+)")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname())[:40] or "host"


@contextmanager
def staged_outdir(path):
    """Yield a fresh hidden folder beside `path`; on success it replaces `path` (see module doc)."""
    path = Path(path)
    if path.is_symlink():            # replace the folder the link points to, keep the link
        path = path.resolve()
    if path.exists() and not path.is_dir():
        raise InputError(f"{path}: exists and is not a folder")
    _check_replaceable(path)
    parent = path.absolute().parent
    tmp = parent / f".{path.name}.partial-{os.getpid()}-{secrets.token_hex(4)}-{_host()}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(parent, path.name)
        os.mkdir(tmp)                # mode 0o777 minus the umask
    except OSError as err:
        raise OutputError(f"{path}: cannot create the output folder ({_reason(err)})") from None
    try:
        (tmp / MARKER).write_text(MARKER_TEXT)   # first: a full disk fails before any work
        yield tmp
        _swap_in(tmp, path)
    except BaseException as err:
        shutil.rmtree(tmp, ignore_errors=True)
        code = disk_errno(err)
        if code is not None:
            raise OutputError(f"{path}: cannot write the output ({os.strerror(code)}); "
                              f"nothing was written") from None
        raise


def _check_replaceable(path: Path) -> None:
    try:
        entries = [] if not path.exists() else os.listdir(path)
    except OSError as err:
        raise InputError(f"{path}: cannot read the output folder ({_reason(err)})") from None
    if entries and MARKER not in entries:
        raise InputError(f"{path}: exists, is not empty and does not hold an attnbio result; attnbio "
                         f"replaces its output folder as a whole, so choose a new or empty folder")


def _swap_in(tmp: Path, path: Path) -> None:
    try:
        os.rename(tmp, path)         # path missing or an empty folder: one atomic step
        return
    except OSError as err:
        if err.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
    if _exchange(tmp, path):         # tmp now holds the earlier result
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = tmp.with_name(tmp.name.replace(".partial-", ".old-", 1))
    os.rename(path, old)
    os.rename(tmp, path)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2(RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = fn(at_fdcwd, os.fsencode(str(a.absolute())), at_fdcwd, os.fsencode(str(b.absolute())),
            rename_exchange)
    if rc == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?:partial|old)-(?:(?P<pid>\d+)-[0-9a-f]+-(?P<host>.+)|[^-]+)$")


def remove_leftovers(parent: Path, name: str) -> list[Path]:
    """Delete hidden folders that killed runs into `parent/name` left behind; returns them."""
    removed = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    host, now = _host(), time.time()
    for e in entries:
        m = _LEFTOVER.match(e.name)
        if not m or m["name"] != name:
            continue
        if m["pid"] is not None:
            if m["host"] == host:
                if _alive(int(m["pid"])):
                    continue
            else:
                try:
                    if now - e.stat(follow_symlinks=False).st_mtime < OTHER_HOST_MAX_AGE_S:
                        continue
                except OSError:
                    continue
        p = Path(e.path)
        if e.is_dir(follow_symlinks=False):
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def disk_errno(err: BaseException) -> int | None:
    """The errno of a full/broken disk behind `err` (or its causes), else None.

    h5py and safetensors report such failures as RuntimeError text ("errno = 28", "os error 28").
    """
    seen = 0
    while err is not None and seen < 8:
        code = getattr(err, "errno", None)
        if code in DISK_ERRNOS:
            return code
        for m in _ERRNO_IN_TEXT.finditer(str(err)):
            if int(m.group(1)) in DISK_ERRNOS:
                return int(m.group(1))
        err = err.__cause__ or err.__context__
        seen += 1
    return None


def _reason(err: OSError) -> str:
    return os.strerror(err.errno) if err.errno else str(err).splitlines()[0]


def atomic_path(path):
    """Temporary name in the same folder for a single file; rename it to `path` when done.

    Used by the single-file writers (tables, HDF5, PDB, MEME, HTML, BED, FASTA shards, weights),
    mostly through atomic_file, so that a file never appears under its name half-written, also
    when the Python API writes outside staged_outdir.
    """
    path = Path(path)
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


@contextmanager
def atomic_file(path):
    """Yield atomic_path(path) to write; when the block ends it is renamed to `path` (one
    rename(2): readers see the old file or the complete new one), or deleted if the block failed."""
    path = Path(path)
    tmp = atomic_path(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
