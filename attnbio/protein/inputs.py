"""Inputs of `attnbio protein`: protein FASTA records and structure chains as one list.

Rules (also in docs/protein.md):
- A file whose first non-blank character is '>' is protein FASTA (plain or gzip); anything
  else is read as PDB/mmCIF by attnbio.io.structure.
- FASTA: letters are case-insensitive; the 20 amino acids are kept, B Z J U O and X are read
  as X (unknown); a final '*' is dropped. Gaps, digits and other symbols are an error naming
  the file, line and record. Record IDs (header up to the first space) must be unique.
- Structures: every protein chain (or those named with `chains`); the protein ID is
  '<file stem>_<chain>'. A file '<structure>.dssp' beside a structure (first word: one H/E/-
  state per residue) adds secondary structure for the same-secondary-structure lens.
"""
from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attnbio.errors import InputError

STANDARD = frozenset("ACDEFGHIKLMNPQRSTVWY")
AS_UNKNOWN = frozenset("XBZJUO")


@dataclass
class Protein:
    """One protein to analyse: sequence, and with a structure its chain and optional DSSP.

    residue_names / residue_numbers: per residue (three-letter name, author number with
    insertion code) for structures; one-letter code and 1-based position for FASTA.
    """
    id: str
    sequence: str
    source: str
    residue_names: list[str]
    residue_numbers: list[str]
    cb: np.ndarray | None = None
    ss: str | None = None

    @property
    def has_structure(self) -> bool:
        return self.cb is not None


def _read_bytes(path) -> bytes:
    from attnbio.io.source import read_source_bytes

    raw = read_source_bytes(path)    # read once and hashed (is_fasta, then the parser, reuse it)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as err:
            raise InputError(f"{path}: damaged gzip file ({err})") from None
    return raw


def is_fasta(path) -> bool:
    """True if the file (gunzipped) starts, after blank space, with '>'."""
    return _read_bytes(path).lstrip()[:1] == b">"


def read_protein_fasta(path) -> list[Protein]:
    """All records of a protein FASTA file (see the module rules)."""
    text = _read_bytes(path).decode("utf-8", errors="replace")
    records: list[Protein] = []
    rid, parts, start = None, [], 0

    def finish():
        if rid is None:
            return
        seq = "".join(parts)
        if seq.endswith("*"):
            seq = seq[:-1]
        if not seq:
            raise InputError(f"{path}: line {start}: record {rid!r} has no sequence")
        records.append(Protein(id=rid, sequence=seq, source=str(path),
                               residue_names=list(seq),
                               residue_numbers=[str(i + 1) for i in range(len(seq))]))

    for lineno, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if not s:
            continue
        if s.startswith(">"):
            finish()
            words = s[1:].split()
            if not words:
                raise InputError(f"{path}: line {lineno}: header without a record ID")
            rid, parts, start = words[0], [], lineno
            continue
        if rid is None:
            raise InputError(f"{path}: line {lineno}: sequence text before the first '>' header")
        s = s.upper().replace(" ", "")
        for k, ch in enumerate(s):
            if ch in STANDARD:
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
    return records


def _structure_stem(path) -> str:
    name = Path(path).name
    for suffix in (".gz", ".pdb", ".ent", ".cif", ".mmcif"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name or "structure"


def _dssp_beside(path, chain_length: int) -> str | None:
    p = Path(str(path).removesuffix(".gz") + ".dssp")
    if not p.is_file():
        return None
    words = p.read_text(errors="replace").split()
    if not words:
        raise InputError(f"{p}: empty DSSP file")
    ss = words[0].upper()
    if len(ss) != chain_length or set(ss) - set("HE-"):
        raise InputError(f"{p}: expected {chain_length} states from H, E, -; found "
                         f"{len(ss)} characters")
    return ss


def read_proteins(paths, chains=None, model=None) -> list[Protein]:
    """Proteins from FASTA and structure files, in input order; IDs must be unique."""
    from attnbio.io.structure import read_structure

    out: list[Protein] = []
    for path in paths:
        if is_fasta(path):
            out.extend(read_protein_fasta(path))
            continue
        found = read_structure(path, chains=chains, model=model)
        stem = _structure_stem(path)
        for c in found:
            cid = c.id.strip() or "_"
            out.append(Protein(
                id=f"{stem}_{cid}",
                sequence=c.sequence, source=str(path), residue_names=list(c.res_names),
                residue_numbers=[f"{n}{i}" for n, i in c.res_numbers], cb=c.cb,
                ss=_dssp_beside(path, len(c)) if len(found) == 1 else None))
    seen: dict[str, str] = {}
    for p in out:
        if p.id in seen:
            raise InputError(f"{p.source}: protein ID {p.id!r} also comes from {seen[p.id]}; "
                             f"IDs must be unique")
        seen[p.id] = p.source
    return out
