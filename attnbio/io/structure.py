"""Protein chains from PDB and mmCIF files (plain or gzip), read through Biopython.

Rules (also in docs/protein.md):
- Format: mmCIF when the name ends in .cif/.mmcif (optionally .gz) or the text starts with
  `data_`; PDB otherwise. Gzip is detected by its magic bytes, not by the name.
- Models: the first model unless `model` names one (the serial number in the file, MODEL n or
  pdbx_PDB_model_num).
- Alternate locations: per atom, the highest occupancy wins (ties: first in the file). Where a
  residue position carries two residue types (microheterogeneity) the type of the best CA wins.
- Residues: amino acids only (the 20, modified ones mapped to their parent, MSE -> M, SEP -> S,
  unknown ATOM-record amino acids -> X). A residue needs a CA atom to be kept. Waters, ions,
  ligands and nucleotides are skipped. Insertion codes are kept in `res_numbers`.
- A chain is a protein chain when it has at least two amino-acid residues; a file without one
  is an InputError.
- CB is virtual (built from N, CA, C) for glycine and where CB is missing; NaN when N, CA or C is
  also missing. A chain break is a CA-CA distance above 4.2 A between consecutive residues.
"""
from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from attnbio.errors import InputError

BACKBONE_ATOMS = ("N", "CA", "C", "CB", "O")
WATERS = frozenset({"HOH", "WAT", "DOD", "H2O", "TIP", "TIP3", "SOL"})
BREAK_CA_DISTANCE = 4.2  # A; consecutive CA atoms are 3.8 A apart (2.9 A for cis peptides)


@dataclass
class Chain:
    """One protein chain as read: sequence, author numbering and backbone coordinates.

    coords: atom name ('N', 'CA', 'C', 'CB', 'O') -> (L, 3) float64 in A, NaN where missing.
    cb_virtual: (L,) bool, True where CB was built from N, CA, C. breaks: (L,) bool, True where
    residue i follows a chain break (CA(i-1)-CA(i) > 4.2 A); breaks[0] is False.
    """
    id: str
    sequence: str
    res_names: list[str]
    res_numbers: list[tuple[int, str]]
    coords: dict[str, np.ndarray]
    cb_virtual: np.ndarray
    breaks: np.ndarray
    source: str
    model: int | None = field(default=None)

    def __len__(self) -> int:
        return len(self.sequence)

    @property
    def ca(self) -> np.ndarray:
        """(L, 3) CA coordinates in A."""
        return self.coords["CA"]

    @property
    def cb(self) -> np.ndarray:
        """(L, 3) CB coordinates in A (virtual where cb_virtual)."""
        return self.coords["CB"]

    def label(self, i: int) -> str:
        """Author label of residue i, e.g. 'A:52B' (chain, number, insertion code)."""
        num, icode = self.res_numbers[i]
        return f"{self.id}:{num}{icode.strip()}"


@dataclass
class _Atom:
    model: int
    chain: str
    resseq: int
    icode: str
    resname: str
    het: bool
    name: str
    altloc: str
    occupancy: float
    element: str
    xyz: tuple[float, float, float]


def virtual_cb(n: np.ndarray, ca: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Ideal CB position from backbone N, CA, C (trRosetta; Yang et al. 2020, PNAS 117:1496).

    n, ca, c: (L, 3) in A -> (L, 3) in A; NaN rows stay NaN.
    """
    b = ca - n
    cvec = c - ca
    a = np.cross(b, cvec)
    return -0.58273431 * a + 0.56802827 * b - 0.54067466 * cvec + ca


def _residue_letter_table() -> dict[str, str]:
    from Bio.Data.PDBData import protein_letters_3to1_extended

    table = {k.upper(): v for k, v in protein_letters_3to1_extended.items()}
    table["UNK"] = "X"
    return table


def _read_text(path) -> str:
    """File bytes (gunzipped if gzip) as text; InputError for unreadable or binary files."""
    from attnbio.io.source import gunzip_bytes, read_source_bytes

    raw = gunzip_bytes(read_source_bytes(path, "structure file"), path)   # once, hashed: '-' and pipes work
    if not raw.strip():
        raise InputError(f"{path}: empty file, expected PDB or mmCIF")
    if b"\x00" in raw:
        raise InputError(f"{path}: binary data, expected a PDB or mmCIF text file")
    return raw.decode("utf-8", errors="replace")


def _is_mmcif(path, text: str) -> bool:
    name = str(path).lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith((".cif", ".mmcif")):
        return True
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        return s.startswith("data_")
    return False


MAX_ABS_COORD = 1e5   # A; the largest assemblies span a few thousand A; beyond this is a broken file


def _bad_coordinate(values) -> str | None:
    for axis, v in zip("xyz", values):
        if not math.isfinite(v):
            return f"{axis} coordinate is {v!r}, not a finite number"
        if abs(v) > MAX_ABS_COORD:
            return f"{axis} coordinate {v:g} A is beyond +-{MAX_ABS_COORD:g} A"
    return None


def _check_pdb_coordinates(path, text: str) -> None:
    """InputError naming the first ATOM/HETATM line whose coordinates are NaN, inf or absurd."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.startswith(("ATOM  ", "HETATM")):
            continue
        try:
            values = [float(line[30:38]), float(line[38:46]), float(line[46:54])]
        except ValueError:
            continue                 # unreadable columns: Biopython names the problem
        why = _bad_coordinate(values)
        if why:
            raise InputError(f"{path}: line {lineno}: atom {line[12:16].strip()!r} of residue "
                             f"{line[17:20].strip()} {line[21:22].strip()}{line[22:27].strip()}: {why}")


def _atoms_from_pdb(path, text: str) -> list[_Atom]:
    from Bio.PDB import PDBParser

    _check_pdb_coordinates(path, text)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        structure = PDBParser(PERMISSIVE=True, QUIET=True).get_structure("s", io.StringIO(text))
    atoms = []
    for model in structure:
        serial = getattr(model, "serial_num", None)
        serial = int(serial) if serial is not None else model.id + 1
        for chain in model:
            for residue in chain:
                # A disordered residue holds one child per residue type (point mutation).
                children = (residue.disordered_get_list() if residue.is_disordered() == 2
                            else [residue])
                for res in children:
                    het, resseq, icode = res.id
                    for atom in res:
                        variants = atom.disordered_get_list() if atom.is_disordered() else [atom]
                        for a in variants:
                            occ = a.get_occupancy()
                            atoms.append(_Atom(
                                model=serial, chain=str(chain.id), resseq=int(resseq),
                                icode=str(icode), resname=res.get_resname().strip().upper(),
                                het=het != " ", name=a.get_name().strip().upper(),
                                altloc=str(a.get_altloc()).strip(),
                                occupancy=1.0 if occ is None else float(occ),
                                element=str(a.element or "").strip().upper(),
                                xyz=tuple(float(v) for v in a.get_coord())))
    return atoms


def _atoms_from_mmcif(path, text: str) -> list[_Atom]:
    from Bio.PDB.MMCIF2Dict import MMCIF2Dict

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = MMCIF2Dict(io.StringIO(text))
    need = ("_atom_site.label_atom_id", "_atom_site.label_comp_id",
            "_atom_site.Cartn_x", "_atom_site.Cartn_y", "_atom_site.Cartn_z")
    missing = [k for k in need if k not in d]
    if missing:
        raise InputError(f"{path}: mmCIF without {missing[0]} (no _atom_site coordinates)")
    n = len(d["_atom_site.label_atom_id"])

    def col(*names, default=None):
        for name in names:
            if name in d:
                values = d[name]
                if len(values) != n:
                    raise InputError(f"{path}: mmCIF column {name} has {len(values)} values, "
                                     f"expected {n}")
                return values
        return [default] * n

    unassigned = {".", "?", None}
    group = col("_atom_site.group_PDB", default="ATOM")
    names = col("_atom_site.auth_atom_id", "_atom_site.label_atom_id")
    comps = col("_atom_site.auth_comp_id", "_atom_site.label_comp_id")
    chains = col("_atom_site.auth_asym_id", "_atom_site.label_asym_id", default="A")
    seqs = col("_atom_site.auth_seq_id", "_atom_site.label_seq_id", default=".")
    icodes = col("_atom_site.pdbx_PDB_ins_code", default="?")
    alts = col("_atom_site.label_alt_id", default=".")
    occs = col("_atom_site.occupancy", default="1")
    elements = col("_atom_site.type_symbol", default="")
    models = col("_atom_site.pdbx_PDB_model_num", default="1")
    xs, ys, zs = (d["_atom_site.Cartn_x"], d["_atom_site.Cartn_y"], d["_atom_site.Cartn_z"])
    atoms = []
    for i in range(n):
        if seqs[i] in unassigned:
            continue  # waters and ligands may have no residue number; never amino acids here
        try:
            resseq = int(seqs[i])
            xyz = (float(xs[i]), float(ys[i]), float(zs[i]))
            occ = 1.0 if occs[i] in unassigned else float(occs[i])
            model = int(models[i]) if models[i] not in unassigned else 1
        except ValueError:
            raise InputError(f"{path}: _atom_site row {i + 1}: a number cannot be read "
                             f"(residue {seqs[i]!r}, coordinates or occupancy)") from None
        why = _bad_coordinate(xyz)
        if why:
            raise InputError(f"{path}: _atom_site row {i + 1}: atom {str(names[i]).strip(chr(34))!r} of residue "
                             f"{comps[i]} {chains[i]}{seqs[i]}: {why}")
        atoms.append(_Atom(
            model=model, chain=str(chains[i]), resseq=resseq,
            icode="" if icodes[i] in unassigned else str(icodes[i]),
            resname=str(comps[i]).upper(), het=str(group[i]).upper() == "HETATM",
            name=str(names[i]).strip('"').upper(),
            altloc="" if alts[i] in unassigned else str(alts[i]),
            occupancy=occ, element="" if elements[i] in unassigned else str(elements[i]).upper(),
            xyz=xyz))
    return atoms


def _assemble(path, atoms: list[_Atom], model_serial: int) -> list[Chain]:
    """Group atom records of one model into Chain objects (altlocs, residue types, CB)."""
    letters = _residue_letter_table()
    by_chain: dict[str, dict[tuple[int, str], list[_Atom]]] = {}
    for a in atoms:
        if a.model != model_serial or a.resname in WATERS:
            continue
        by_chain.setdefault(a.chain, {}).setdefault((a.resseq, a.icode.strip()), []).append(a)

    out = []
    for chain_id, residues in by_chain.items():
        seq, names, numbers = [], [], []
        xyz = {k: [] for k in BACKBONE_ATOMS}
        for (resseq, icode), res_atoms in residues.items():
            best: dict[tuple[str, str], _Atom] = {}
            for a in res_atoms:  # highest occupancy per (residue type, atom name); ties: first
                key = (a.resname, a.name)
                if key not in best or a.occupancy > best[key].occupancy:
                    best[key] = a
            # Unknown names count as amino acids only in ATOM records with a carbon CA
            # (a calcium ion is HETATM CA/CA; ligands are HETATM).
            cas = [a for (rn, nm), a in best.items() if nm == "CA" and (
                rn in letters or (not a.het and a.element in ("C", "")))]
            if not cas:
                continue
            ca = max(cas, key=lambda a: a.occupancy)
            resname = ca.resname
            letter = letters.get(resname, "X")
            chosen = {nm: a for (rn, nm), a in best.items() if rn == resname}
            seq.append(letter)
            names.append(resname)
            numbers.append((resseq, icode))
            for k in BACKBONE_ATOMS:
                a = chosen.get(k)
                xyz[k].append(a.xyz if a is not None else (np.nan, np.nan, np.nan))
        if len(seq) < 2:
            continue
        coords = {k: np.asarray(v, dtype=np.float64).reshape(-1, 3) for k, v in xyz.items()}
        built = virtual_cb(coords["N"], coords["CA"], coords["C"])
        no_cb = np.isnan(coords["CB"]).any(axis=1) | np.array([r == "GLY" for r in names])
        cb_virtual = no_cb & ~np.isnan(built).any(axis=1)
        coords["CB"] = np.where(no_cb[:, None], built, coords["CB"])
        ca = coords["CA"]
        breaks = np.zeros(len(seq), dtype=bool)
        breaks[1:] = np.linalg.norm(ca[1:] - ca[:-1], axis=1) > BREAK_CA_DISTANCE
        out.append(Chain(id=chain_id, sequence="".join(seq), res_names=names,
                         res_numbers=numbers, coords=coords, cb_virtual=cb_virtual,
                         breaks=breaks, source=str(path), model=model_serial))
    return out


def read_structure(path, chains=None, model=None, require_backbone=False) -> list[Chain]:
    """Protein chains of one model of a PDB or mmCIF file (plain or gzip).

    chains: chain IDs to keep (None: all protein chains); model: serial number in the file
    (None: the first); require_backbone: every residue must have N, CA and C (else InputError).
    Returns chains in file order; user mistakes raise InputError naming the file.
    """
    text = _read_text(path)
    mmcif = _is_mmcif(path, text)
    kind = "mmCIF" if mmcif else "PDB"
    try:
        atoms = _atoms_from_mmcif(path, text) if mmcif else _atoms_from_pdb(path, text)
    except InputError:
        raise
    except Exception as err:  # noqa: BLE001 - Biopython raises many types on malformed files
        msg = str(err).strip().splitlines()[0][:160] if str(err).strip() else type(err).__name__
        raise InputError(f"{path}: not a readable {kind} file ({msg})") from None
    if not atoms:
        raise InputError(f"{path}: no atom records found (is this a {kind} file?)")

    serials = list(dict.fromkeys(a.model for a in atoms))
    if model is None:
        serial = serials[0]
    else:
        if int(model) not in serials:
            raise InputError(f"{path}: no model {model} (models in file: "
                             f"{', '.join(map(str, serials[:10]))}{' ...' if len(serials) > 10 else ''})")
        serial = int(model)
    found = _assemble(path, atoms, serial)
    if not found:
        raise InputError(f"{path}: no protein chain (no chain with two or more amino-acid "
                         f"residues that have a CA atom)")
    if chains is not None:
        wanted = [chains] if isinstance(chains, str) else list(chains)
        have = {c.id: c for c in found}
        for cid in wanted:
            if cid not in have:
                raise InputError(f"{path}: no protein chain {cid!r} (protein chains: "
                                 f"{', '.join(repr(c) for c in have)})")
        found = [have[cid] for cid in wanted]
    if require_backbone:
        for c in found:
            bad = np.isnan(np.stack([c.coords[k] for k in ("N", "CA", "C")])).any(axis=(0, 2))
            if bad.any():
                first = int(np.argmax(bad))
                what = ("only C-alpha atoms" if bad.all() else
                        f"{int(bad.sum())} of {len(c)} residues lack N, CA or C, first {c.label(first)}")
                raise InputError(f"{path}: chain {c.id!r}: {what}; a full backbone (N, CA, C) "
                                 f"is required here")
    return found
