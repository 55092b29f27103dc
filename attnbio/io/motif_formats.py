"""Motif files: MEME minimal format (read and write), JASPAR and HOMER .motif (write; HOMER read).

Specs: MEME minimal format, https://meme-suite.org/meme/doc/meme-format.html; JASPAR count
matrices as Biopython's Bio.motifs.jaspar writes them ('>ID name' then 'A [ counts ]' rows);
HOMER .motif, http://homer.ucsd.edu/homer/motif/creatingCustomMotifs.html (a tab-separated
'>consensus<TAB>name<TAB>log-odds threshold' header, then one 'A C G T' probability row per position).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from attnbio.errors import InputError


@dataclass
class Motif:
    """A position probability matrix: probs is (width, 4) over A, C, G, T; rows sum to 1."""
    id: str
    name: str
    probs: np.ndarray
    nsites: int = 0
    meta: dict = field(default_factory=dict)

    @property
    def width(self) -> int:
        return int(self.probs.shape[0])


def consensus(probs: np.ndarray) -> str:
    """IUPAC-free consensus: the top base where it has >= 0.5, else N... with 2-base codes."""
    codes = {frozenset("AG"): "R", frozenset("CT"): "Y", frozenset("CG"): "S", frozenset("AT"): "W",
             frozenset("GT"): "K", frozenset("AC"): "M"}
    out = []
    for row in probs:
        order = np.argsort(-row, kind="stable")
        top, second = "ACGT"[order[0]], "ACGT"[order[1]]
        if row[order[0]] >= 0.6:
            out.append(top)
        elif row[order[0]] + row[order[1]] >= 0.75:
            out.append(codes[frozenset(top + second)])
        else:
            out.append("N")
    return "".join(out)


def write_meme(path, motifs: list[Motif], background=(0.25, 0.25, 0.25, 0.25)) -> None:
    """Write motifs in MEME minimal format; alt name = consensus unless a name is given."""
    path = Path(path)
    bg = " ".join(f"{b:.4f}" for b in background)
    lines = ["MEME version 5", "", "ALPHABET= ACGT", "", "strands: + -", "",
             "Background letter frequencies", f"A {bg.split()[0]} C {bg.split()[1]} G {bg.split()[2]} T {bg.split()[3]}", ""]
    for m in motifs:
        alt = m.name or consensus(m.probs)
        lines.append(f"MOTIF {m.id} {alt}")
        lines.append("")
        lines.append(f"letter-probability matrix: alength= 4 w= {m.width} nsites= {int(m.nsites)} E= 0")
        for row in m.probs:
            lines.append(" ".join(f"{p:.6f}" for p in row))
        lines.append("")
    _write_text(path, "\n".join(lines))


def _write_text(path: Path, text: str) -> None:
    from attnbio.io.outdir import atomic_file

    with atomic_file(path) as tmp:     # no half-written motif file
        tmp.write_text(text)


def write_jaspar(path, motifs: list[Motif]) -> None:
    """Write motifs as JASPAR count matrices (Biopython's writer); counts = probs x nsites.

    A motif with nsites = 0 is written as if from 100 sites, so its matrix still reads back.
    Biopython writes counts with 2 decimals: each count is within 0.005 of probs x nsites.
    """
    from Bio.motifs import jaspar

    records = []
    for m in motifs:
        n = m.nsites if m.nsites > 0 else 100
        counts = {b: [float(v) for v in m.probs[:, j] * n] for j, b in enumerate("ACGT")}
        records.append(jaspar.Motif(m.id, m.name or consensus(m.probs), counts=counts))
    _write_text(Path(path), jaspar.write(records, "jaspar"))


def write_homer(path, motifs: list[Motif], thresholds: list[float]) -> None:
    """Write motifs in HOMER .motif format; thresholds are natural-log log-odds scores (HOMER's units).

    Probabilities are written with 3 decimals, as HOMER writes its own files.
    """
    lines = []
    for m, t in zip(motifs, thresholds, strict=True):
        lines.append(f">{consensus(m.probs)}\t{m.id}\t{t:.6f}")
        lines.extend("\t".join(f"{p:.3f}" for p in row) for row in m.probs)
    _write_text(Path(path), "".join(line + "\n" for line in lines))


def read_homer(path) -> list[tuple[Motif, float]]:
    """Read a HOMER .motif file -> [(motif, log-odds threshold)]; rows are normalised to sum to 1."""
    from attnbio.io.source import read_source_text

    lines = read_source_text(path, "HOMER motif file").splitlines()   # '-' and pipes work too
    path = Path(path)
    out, header, rows = [], None, []

    def close(lineno):
        if header is not None:
            if not rows:
                raise InputError(f"{path}: line {lineno}: motif {header[1]} has no probability rows")
            probs = np.asarray(rows, float)
            probs = probs / probs.sum(axis=1, keepdims=True).clip(min=1e-12)
            out.append((Motif(header[1], header[0], probs), header[2]))

    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if line.startswith(">"):
            close(i)
            words = line[1:].split("\t")
            try:
                header, rows = (words[0], words[1], float(words[2])), []
            except (IndexError, ValueError):
                raise InputError(f"{path}: line {i}: a HOMER header needs '>consensus<TAB>name<TAB>threshold'") from None
            continue
        if header is None:
            raise InputError(f"{path}: line {i}: probability row before the first '>' header")
        try:
            row = [float(v) for v in line.split()]
        except ValueError:
            row = []
        if len(row) != 4:
            raise InputError(f"{path}: line {i}: expected 4 numbers (A C G T) in motif {header[1]}")
        rows.append(row)
    close(len(lines))
    if not out:
        raise InputError(f"{path}: no motifs found")
    return out


_MATRIX = re.compile(r"letter-probability matrix:(.*)")


def read_meme(path) -> list[Motif]:
    """Read motifs from a MEME (minimal or full) text file; errors name the file and line."""
    from attnbio.io.source import read_source_text

    # read once through io.source, so '-', pipes and <(...) work and the digest is recorded
    text = read_source_text(path, "MEME motif file")
    if "MEME version" not in text:
        raise InputError(f"{path}: not a MEME motif file (no 'MEME version' line)")
    motifs, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("MOTIF"):
            words = line.split()
            if len(words) < 2:
                raise InputError(f"{path}: line {i + 1}: MOTIF without an ID")
            motif, i = _read_matrix(path, lines, i + 1, words)
            motifs.append(motif)
            continue
        i += 1
    if not motifs:
        raise InputError(f"{path}: no motifs found")
    return motifs


def _read_matrix(path, lines, i, words):
    while i < len(lines) and not _MATRIX.match(lines[i].strip()):
        if lines[i].strip().startswith("MOTIF"):
            raise InputError(f"{path}: line {i + 1}: motif {words[1]} has no letter-probability matrix")
        i += 1
    if i >= len(lines):
        raise InputError(f"{path}: motif {words[1]} has no letter-probability matrix")
    header = _MATRIX.match(lines[i].strip()).group(1)
    width = int(re.search(r"w=\s*(\d+)", header).group(1)) if "w=" in header else None
    nsites = re.search(r"nsites=\s*([\d.eE+]+)", header)
    rows, i = [], i + 1
    while i < len(lines) and (width is None or len(rows) < width):
        vals = lines[i].split()
        if not vals:
            if width is None and rows:
                break
            i += 1
            continue
        try:
            row = [float(v) for v in vals]
        except ValueError:
            if width is None and rows:
                break
            raise InputError(f"{path}: line {i + 1}: expected 4 numbers in motif {words[1]}") from None
        if len(row) != 4:
            raise InputError(f"{path}: line {i + 1}: expected 4 numbers in motif {words[1]}, got {len(row)}")
        rows.append(row)
        i += 1
    if not rows or (width is not None and len(rows) != width):
        raise InputError(f"{path}: motif {words[1]} matrix has {len(rows)} rows, header says w= {width}")
    probs = np.asarray(rows, dtype=float)
    probs = probs / probs.sum(axis=1, keepdims=True).clip(min=1e-12)
    name = words[2] if len(words) > 2 else ""
    return Motif(words[1], name, probs, int(float(nsites.group(1))) if nsites else 0), i
