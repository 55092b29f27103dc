"""Input files read exactly once: opened with one set of checks, hashed while they are parsed.

Every reader of user data (FASTA, structures, protein inputs) opens its input here, so that
stdin ('-'), named pipes and process substitution (`<(zcat x.fa.gz)`) work like plain files:
the SHA-256 recorded in outputs is that of the bytes the parser read (before any gunzipping),
not of a second read that a pipe could not give. input_digest(path) returns it afterwards.

A missing path, a folder, a symlink loop or an unreadable file is an InputError (exit 2):
input_error() is the one mapping from OSError to that message. Gzip is recognised here too, by
its magic bytes and never by the name (gunzip_bytes for whole files, gunzip_stream for streams).
"""
from __future__ import annotations

import errno
import gzip
import hashlib
import io
import zlib
import os
import stat
import sys
from typing import IO

from attnbio.errors import InputError

STDIN = "-"
GZIP_MAGIC = b"\x1f\x8b"               # RFC 1952 ID1 ID2
_DIGESTS: dict[tuple, str] = {}        # _key(path) -> SHA-256 of the bytes read
_LAST: tuple | None = None              # (key, bytes) of the last whole-file read
_READING: dict[str, "HashingReader"] = {}   # str(path) -> its latest reader, for read_fraction


def _key(path, st=None) -> tuple:
    """Identity of an input: a regular file by path and stat (so an edited file is read anew),
    stdin and pipes by path alone."""
    if st is None and str(path) != STDIN:
        try:
            st = os.stat(path)
        except OSError:
            st = None
    same = None if st is None or not stat.S_ISREG(st.st_mode) else (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    return (str(path), same)


def display_name(path) -> str:
    return "<stdin>" if str(path) == STDIN else str(path)


def input_error(path, err: OSError, what: str = "input file", missing: str = "file not found") -> InputError:
    """The one-line InputError for an OSError met opening or reading the user's file `path`
    (`what` names the kind of file, `missing` what to say when it does not exist)."""
    if isinstance(err, FileNotFoundError):
        if str(path) != STDIN and os.path.islink(path):
            return InputError(f"{path}: broken symbolic link (its target does not exist)")
        return InputError(f"{path}: {missing}")
    if isinstance(err, PermissionError):
        return InputError(f"{path}: permission denied")
    if isinstance(err, IsADirectoryError):
        return InputError(f"{path}: is a folder, not a {what}")
    if err.errno == errno.ELOOP:
        return InputError(f"{path}: symbolic link loop (too many levels of symbolic links)")
    return InputError(f"{path}: cannot read ({err.strerror or err})")


def check_path(path, what: str = "input file", missing: str = "file not found") -> os.stat_result | None:
    """stat() a user path with one-line errors; None for stdin."""
    if str(path) == STDIN:
        return None
    try:
        st = os.stat(path)
    except OSError as err:
        raise input_error(path, err, what, missing) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a folder, not a {what}")
    return st


def open_source(path, what: str = "input file") -> tuple[IO[bytes], str]:
    """(binary handle, display name) for a path or '-'; see check_path for the errors."""
    check_path(path, what)
    if str(path) == STDIN:
        return sys.stdin.buffer, display_name(path)
    try:
        return open(path, "rb"), str(path)
    except OSError as err:
        raise input_error(path, err, what) from None


def only_one_stdin(**inputs) -> None:
    """InputError when more than one input (option name -> path) says '-': stdin is read once."""
    named = [name for name, path in inputs.items() if path is not None and str(path) == STDIN]
    if len(named) > 1:
        raise InputError(f"{' and '.join(named)} both say '-': stdin can feed one input only")


def gunzip_bytes(raw: bytes, path) -> bytes:
    """`raw` un-gzipped if it starts with the gzip magic bytes, else as it is; InputError if damaged."""
    if raw[:2] != GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        raise InputError(f"{path}: damaged gzip file ({err})") from None


# What reading a damaged gzip stream raises (EOFError: truncated); see gzip_error.
GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error, OSError)


def gzip_error(name: str, lineno: int, err: BaseException) -> InputError:
    """The InputError for one of GZIP_ERRORS met after `lineno` lines of the file `name`."""
    if isinstance(err, EOFError):
        return InputError(f"{name}: gzip stream is truncated after line {lineno}")
    return InputError(f"{name}: corrupt gzip data after line {lineno} ({err})")


def gunzip_stream(raw: IO[bytes]) -> IO[bytes]:
    """A binary stream that un-gzips `raw` if it starts with the gzip magic bytes (peeked, not
    consumed), else a buffered `raw`. Decompression errors surface as the stream is read."""
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw)
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=buffered, mode="rb")
    return buffered


class HashingReader(io.RawIOBase):
    """A read-only stream that hashes every byte read through it; finish() drains and records."""

    def __init__(self, raw: IO[bytes], path):
        self._raw, self._key = raw, _key(path)
        self._sha = hashlib.sha256()
        self.n_read = 0
        self.size = self._key[1][2] if self._key[1] is not None else None   # regular files only
        _READING[str(path)] = self

    def readable(self) -> bool:
        return True

    def release(self) -> None:
        """Close the underlying file (not stdin). close() leaves it open: a buffer or gzip
        reader around this stream closes it when dropped, before finish() has drained it."""
        if self._raw is not sys.stdin.buffer:
            self._raw.close()

    def readinto(self, buf) -> int:
        data = self._raw.read(len(buf))
        n = len(data)
        buf[:n] = data
        self._sha.update(data)
        self.n_read += n
        return n

    def finish(self) -> str:
        """Read what the parser left (trailing bytes), record and return the digest."""
        while True:
            data = self._raw.read(1 << 20)
            if not data:
                break
            self._sha.update(data)
        digest = self._sha.hexdigest()
        _DIGESTS[self._key] = digest
        return digest


def read_fraction(path) -> float | None:
    """Fraction of the regular file `path` that its stream reader (read_fasta) has read so far,
    counted in file bytes (compressed ones for gzip, so it also holds for .gz); None for stdin,
    pipes and files not being streamed. Read-ahead buffers make it run a little early."""
    reader = _READING.get(str(path))
    if reader is None or not reader.size:
        return None
    return min(reader.n_read / reader.size, 1.0)


def read_source_bytes(path, what: str = "input file") -> bytes:
    """All bytes of a path or '-' (read once; the digest is recorded for input_digest).

    A repeated call for the same unchanged input returns the bytes of the first read (the
    protein command asks "is it FASTA?" and then parses the same file).
    """
    global _LAST
    key = _key(path, check_path(path, what))
    if _LAST is not None and _LAST[0] == key:
        return _LAST[1]
    raw, _ = open_source(path, what)
    try:
        reader = HashingReader(raw, path)
        data = reader.read()
        reader.finish()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror or err})") from None
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()
    _LAST = (key, data)
    return data


def read_source_text(path, what: str = "input file") -> str:
    """All of a path or '-' as UTF-8 text (read once and hashed, see read_source_bytes; gzip is
    not undone); InputError naming the file when it is not text."""
    try:
        return read_source_bytes(path, what).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text file") from None


def input_digest(path) -> str:
    """SHA-256 of an input as it was read in this process; a regular file not read through this
    module is hashed now; '' for a pipe or stdin that nothing read."""
    key = _key(path)
    if key in _DIGESTS:
        return _DIGESTS[key]
    if str(path) == STDIN:
        return ""
    st = check_path(path)
    if not stat.S_ISREG(st.st_mode):
        return ""
    from attnbio.io.weights import sha256_file

    return sha256_file(path)
