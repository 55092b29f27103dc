"""Write refined chains as a PDB file that Biopython, PyMOL and TM-align read.

Fixed-column ATOM records (wwPDB format v3.3, section 9), one MODEL-less structure, TER after
each chain, END at the end. The B-factor column carries a per-residue value chosen by the caller
(attnbio refine: 100 x the refined distogram's confidence).
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attnbio.io.outdir import atomic_file

ATOM_ORDER = ("N", "CA", "C", "O", "CB")
REMARK_WIDTH = 80 - len("REMARK 250 ")   # text columns of one REMARK record


@dataclass
class ChainOut:
    """One chain to write: author labels and atoms name -> (L, 3) A (NaN rows are skipped)."""
    id: str
    res_names: list[str]
    res_numbers: list[tuple[int, str]]
    atoms: dict
    bfactor: np.ndarray | None = None
    skip: dict | None = None   # atom name -> (L,) bool: do not write (e.g. virtual CB)


def _atom_line(serial, name, resname, chain, resnum, icode, xyz, bfac) -> str:
    element = name[0]
    padded = f" {name:<3}" if len(name) < 4 else name
    return (f"ATOM  {serial % 100000:5d} {padded:4s} {resname:>3s} {chain:1s}{resnum:4d}{icode:1s}   "
            f"{xyz[0]:8.3f}{xyz[1]:8.3f}{xyz[2]:8.3f}{1.0:6.2f}{bfac:6.2f}          {element:>2s}  ")


def pdb_text(chains: list[ChainOut], remarks: list[str] | None = None) -> str:
    """The PDB file as text (lines of 80 columns)."""
    # A remark longer than a record holds goes on as many REMARK 250 lines as it needs, broken
    # between words (wwPDB v3.3: free text, 80-column records), never cut.
    lines = [f"REMARK 250 {part}" for r in (remarks or [])
             for part in (textwrap.wrap(r, REMARK_WIDTH, break_long_words=True) or [""])]
    serial = 1
    for ch in chains:
        cid = (ch.id or "A")[:1]
        last = None
        for i, (resname, (num, icode)) in enumerate(zip(ch.res_names, ch.res_numbers)):
            icode = (icode or " ").strip() or " "
            bfac = 0.0 if ch.bfactor is None else float(np.clip(ch.bfactor[i], 0, 999.99))
            for name in ATOM_ORDER:
                if name not in ch.atoms:
                    continue
                if ch.skip and name in ch.skip and ch.skip[name][i]:
                    continue
                xyz = ch.atoms[name][i]
                if not np.all(np.isfinite(xyz)):
                    continue
                lines.append(_atom_line(serial, name, resname[:3], cid, int(num), icode, xyz, bfac))
                serial += 1
            last = (resname, num, icode)
        if last is not None:
            lines.append(f"TER   {serial % 100000:5d}      {last[0][:3]:>3s} {cid:1s}{int(last[1]):4d}{last[2]:1s}")
            serial += 1
    lines.append("END")
    return "\n".join(line.ljust(80) if line.startswith(("ATOM", "REMARK")) else line for line in lines) + "\n"


def write_pdb(path, chains: list[ChainOut], remarks: list[str] | None = None) -> None:
    """Write `chains` to `path` via a temporary name in the same folder."""
    with atomic_file(Path(path)) as tmp:
        tmp.write_text(pdb_text(chains, remarks))
