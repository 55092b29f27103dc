"""Protein FASTA reader (plain, gzip or '-' for stdin), read whole: protein inputs are small.

Rules (also in docs/protein.md):
- A file whose first non-blank character is '>' is FASTA (is_fasta); `attnbio protein` reads
  anything else as PDB/mmCIF.
- Letters are case-insensitive; the 20 amino acids are kept, B Z J U O and X are read as X
  (unknown); a final '*' is dropped. Gaps, digits and other symbols are an error naming the
  file, line and record.
- A file whose every record holds only A, C, G, T, U and N is nucleotides, not protein: an
  error (A, C, G, T are also amino acids, but no real protein is made of those alone; one
  record with another letter makes the file protein).
- Record IDs are the header up to the first space, the rest its description (uniqueness is
  the caller's rule: it spans all input files).
"""
from __future__ import annotations

from attnbio.errors import InputError
from attnbio.io.fasta import AMINO_ACIDS, Record

AS_UNKNOWN = frozenset("XBZJUO")
NUCLEOTIDES = frozenset("ACGTUN")


def read_bytes(path) -> bytes:
    """All bytes of a path or '-', gunzipped when they start with the gzip magic.

    Read once through attnbio.io.source (hashed for input_digest; a second call for the same
    input, as is_fasta then read_protein_fasta make, reuses the bytes: stdin cannot be reread).
    """
    from attnbio.io.source import gunzip_bytes, read_source_bytes

    return gunzip_bytes(read_source_bytes(path), path)


def is_fasta(path) -> bool:
    """True if the file (gunzipped) starts, after blank space, with '>'."""
    return read_bytes(path).lstrip()[:1] == b">"


def read_protein_fasta(path) -> list[Record]:
    """All records of a protein FASTA file (see the module rules) as attnbio.io.fasta.Record
    (id, description, upper-case sequence); InputError on a mistake."""
    text = read_bytes(path).decode("utf-8", errors="replace")
    records: list[Record] = []
    rid, desc, parts, start, first = None, "", [], 0, 0
    letters: set[str] = set()       # every letter of the file as written (before U -> X)

    def finish():
        if rid is None:
            return
        seq = "".join(parts)
        if seq.endswith("*"):
            seq = seq[:-1]
        if not seq:
            raise InputError(f"{path}: line {start}: record {rid!r} has no sequence")
        records.append(Record(rid, desc, seq))

    for lineno, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if not s:
            continue
        if s.startswith(">"):
            finish()
            words = s[1:].split(None, 1)
            if not words:
                raise InputError(f"{path}: line {lineno}: header without a record ID")
            rid, desc, parts, start = words[0], words[1] if len(words) > 1 else "", [], lineno
            first = first or lineno
            continue
        if rid is None:
            raise InputError(f"{path}: line {lineno}: sequence text before the first '>' header")
        s = s.upper().replace(" ", "")
        letters.update(s)
        for k, ch in enumerate(s):
            if ch in AMINO_ACIDS:
                continue
            if ch == "*" and k == len(s) - 1:
                continue
            if ch not in AS_UNKNOWN:
                raise InputError(f"{path}: line {lineno}: record {rid!r}: {ch!r} is not an "
                                 f"amino-acid letter")
        parts.append("".join("X" if ch in AS_UNKNOWN else ch for ch in s))
    finish()
    if not records:
        raise InputError(f"{path}: no FASTA records")
    if letters - {"*"} <= NUCLEOTIDES:
        raise InputError(f"{path}: line {first}: record {records[0].id!r} (and every other record) "
                         f"holds only A, C, G, T/U and N: this is DNA or RNA, not protein "
                         f"(attnbio motifs and scan read nucleotide FASTA)")
    return records
