"""Inputs of `attnbio protein`: protein FASTA records and structure chains as one list.

Reading is in attnbio.io (protein_fasta, structure); this module turns what they read into
ProteinInput records. Rules (also in docs/protein.md):
- A file whose first non-blank character is '>' is protein FASTA (plain, gzip or '-'; rules
  in attnbio.io.protein_fasta); anything else is read as PDB/mmCIF by attnbio.io.structure.
- Record IDs must be unique over all inputs.
- Structures: every protein chain (or those named with `chains`); the protein ID is
  '<file stem>_<chain>'. A file '<structure>.dssp' beside a structure (first word: one H/E/-
  state per residue) adds secondary structure for the same-secondary-structure lens.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attnbio.errors import InputError


@dataclass
class ProteinInput:
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


def proteins_from_fasta(path) -> list[ProteinInput]:
    """ProteinInput records of a protein FASTA file (read by attnbio.io.protein_fasta)."""
    from attnbio.io.protein_fasta import read_protein_fasta

    return [ProteinInput(id=r.id, sequence=r.sequence, source=str(path),
                         residue_names=list(r.sequence),
                         residue_numbers=[str(i + 1) for i in range(len(r.sequence))])
            for r in read_protein_fasta(path)]


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


def read_proteins(paths, chains=None, model=None) -> list[ProteinInput]:
    """Proteins from FASTA and structure files, in input order; IDs must be unique."""
    from attnbio.io.protein_fasta import is_fasta
    from attnbio.io.structure import read_structure

    out: list[ProteinInput] = []
    for path in paths:
        if is_fasta(path):
            out.extend(proteins_from_fasta(path))
            continue
        found = read_structure(path, chains=chains, model=model)
        stem = _structure_stem(path)
        for c in found:
            cid = c.id.strip() or "_"
            out.append(ProteinInput(
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
