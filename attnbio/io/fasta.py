"""Streaming FASTA reader for DNA: plain, gzip (detected by magic bytes) or '-' for stdin.

Rules (also in README.md):
- Letters are case-insensitive; soft-masked lowercase is read as the same base.
- U is read as T (RNA input). N and the IUPAC ambiguity codes R Y S W K M B D H V are accepted;
  the model sees them as the average of the bases they stand for (N = 0.25 each).
- Anything else (gaps, digits, amino-acid-only letters such as E F I L P Q) is an error naming
  the file, line and record. A record where amino-acid letters dominate is called protein.
- Record IDs are the header up to the first whitespace and must be unique: outputs key on them.
- A header with no sequence, text before the first header, and an empty file are errors.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Iterator

from attnbio.errors import InputError
from attnbio.io.seen_ids import SeenIds
from attnbio.io.source import GZIP_ERRORS, HashingReader, gunzip_stream, gzip_error, open_source
from attnbio.limits import FASTA_MAX_BASES

DNA_LETTERS = frozenset("ACGTUNRYSWKMBDHV")
# Letters that occur in protein but never in DNA/IUPAC: their presence means "not DNA".
PROTEIN_ONLY = frozenset("EFILPQXZJO*")
AMINO_ACIDS = frozenset("ACDEFGHIKLMNPQRSTVWY")


@dataclass(frozen=True)
class Record:
    """One FASTA record: id (first word of the header), description, upper-case sequence."""
    id: str
    description: str
    sequence: str


def _open_binary(path) -> tuple[IO[bytes], str]:
    """Open a path or '-' as bytes, hashed while read; returns (handle, display name)."""
    raw, name = open_source(path, "FASTA file")
    return HashingReader(raw, path), name


def _text_lines(raw: IO[bytes], name: str) -> Iterator[str]:
    """Yield decoded lines, un-gzipping if the stream starts with the gzip magic bytes."""
    stream = gunzip_stream(raw)
    lineno = 0
    try:
        for lineno, line in enumerate(stream, start=1):
            if b"\x00" in line:
                raise InputError(f"{name}: line {lineno}: binary data (NUL byte), not a FASTA file")
            try:
                yield line.decode("ascii")
            except UnicodeDecodeError:
                raise InputError(f"{name}: line {lineno}: non-ASCII bytes, not a FASTA text file") from None
    except GZIP_ERRORS as err:
        raise gzip_error(name, lineno, err) from None


def _check_letters(seq: str, rec_id: str, name: str, lineno: int) -> None:
    bad = set(seq) - DNA_LETTERS
    if not bad:
        return
    aa = sum(c in AMINO_ACIDS and c not in "ACGTN" for c in seq)
    if bad <= AMINO_ACIDS | PROTEIN_ONLY and aa > 0.25 * len(seq):
        raise InputError(f"{name}: record '{rec_id}' (line {lineno}) looks like protein, not DNA")
    letter = sorted(bad)[0]
    raise InputError(f"{name}: line {lineno}: record '{rec_id}' has invalid letter {letter!r} "
                     f"(allowed: ACGT, U, N and IUPAC codes)")


def read_fasta(path, min_length: int = 1) -> Iterator[Record]:
    """Yield Records from `path` one at a time, validating as it goes (see module rules).

    Memory stays flat in the number of records but for the IDs seen (8-16 bytes each, SeenIds).
    """
    raw, name = _open_binary(path)
    seen = SeenIds()
    rec_id = desc = None
    parts: list[str] = []
    header_line = n_bases = 0
    n = 0
    try:
        for lineno, line in enumerate(_text_lines(raw, name), start=1):
            line = line.strip()
            if not line:
                continue
            if line.startswith(">"):
                if rec_id is not None:
                    yield _finish(rec_id, desc, parts, name, header_line, min_length)
                    n += 1
                rec_id, desc = _parse_header(line, name, lineno, seen)
                parts, header_line, n_bases = [], lineno, 0
                continue
            if rec_id is None:
                raise InputError(f"{name}: line {lineno}: sequence before the first '>' header "
                                 f"(is this a FASTA file?)")
            chunk = "".join(line.split()).upper()
            _check_letters(chunk, rec_id, name, lineno)
            parts.append(chunk)
            n_bases += len(chunk)
            if n_bases > FASTA_MAX_BASES:
                raise InputError(f"{name}: line {lineno}: record '{rec_id}' is longer than {FASTA_MAX_BASES} bp, "
                                 f"the most one record may hold; split it (e.g. into windows)")
        if rec_id is None:
            raise InputError(f"{name}: no FASTA records (empty input)")
        last = _finish(rec_id, desc, parts, name, header_line, min_length)
        raw.finish()                 # the digest covers every byte, read this once
        yield last
    finally:
        raw.release()


def _parse_header(line: str, name: str, lineno: int, seen: SeenIds) -> tuple[str, str]:
    words = line[1:].strip().split(None, 1)
    if not words:
        raise InputError(f"{name}: line {lineno}: empty header (no record ID after '>')")
    rec_id = words[0]
    if not seen.add(rec_id):
        raise InputError(f"{name}: line {lineno}: duplicate record ID '{rec_id}' (IDs must be unique)")
    return rec_id, words[1] if len(words) > 1 else ""


def _finish(rec_id, desc, parts, name, header_line, min_length) -> Record:
    seq = "".join(parts).replace("U", "T")
    if not seq:
        raise InputError(f"{name}: line {header_line}: record '{rec_id}' has a header but no sequence")
    if len(seq) < min_length:
        raise InputError(f"{name}: record '{rec_id}' is {len(seq)} bp, shorter than the minimum {min_length} bp")
    return Record(rec_id, desc, seq)


def read_all(path, min_count: int = 1, min_length: int = 1, what: str = "sequences") -> list[Record]:
    """All records of `path` in a list; fewer than `min_count` is an error."""
    records = list(read_fasta(path, min_length=min_length))
    if len(records) < min_count:
        raise InputError(f"{path}: {len(records)} {what}, too few to train (need at least {min_count})")
    return records


def write_fasta(path_or_handle, records, width: int = 80) -> None:
    """Write (id, sequence) pairs or Records as FASTA."""
    own = isinstance(path_or_handle, (str, bytes)) or hasattr(path_or_handle, "__fspath__")
    fh = open(path_or_handle, "w") if own else path_or_handle
    try:
        for rec in records:
            rid, seq = (rec.id, rec.sequence) if isinstance(rec, Record) else rec
            fh.write(f">{rid}\n")
            for i in range(0, len(seq), width):
                fh.write(seq[i:i + width] + "\n")
    finally:
        if own:
            fh.close()
