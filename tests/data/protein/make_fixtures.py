"""Writes the tiny odd-structure fixtures in this folder (run once; the files are committed).

Coordinates are the first residues of PDB 1AHS chain A (THR GLY PRO TYR), shifted or edited to
make each odd case. Run: .venv/bin/python tests/data/protein/make_fixtures.py
"""
from pathlib import Path

HERE = Path(__file__).parent
BASE = [  # (resname, atom, x, y, z)
    ("THR", "N", 45.850, 10.934, 17.530), ("THR", "CA", 47.257, 10.677, 17.777),
    ("THR", "C", 48.115, 11.912, 17.477), ("THR", "O", 47.621, 12.970, 17.116),
    ("THR", "CB", 47.760, 9.458, 16.951),
    ("GLY", "N", 49.411, 11.727, 17.664), ("GLY", "CA", 50.432, 12.746, 17.449),
    ("GLY", "C", 51.641, 11.854, 17.136), ("GLY", "O", 51.761, 10.777, 17.715),
    ("PRO", "N", 52.639, 12.304, 16.369), ("PRO", "CA", 53.771, 11.430, 16.046),
    ("PRO", "C", 54.679, 10.791, 17.061), ("PRO", "O", 55.298, 9.782, 16.752),
    ("PRO", "CB", 54.569, 12.256, 15.032),
    ("TYR", "N", 54.780, 11.366, 18.248), ("TYR", "CA", 55.685, 10.827, 19.250),
    ("TYR", "C", 54.978, 10.035, 20.346), ("TYR", "O", 55.545, 9.766, 21.401),
    ("TYR", "CB", 56.588, 11.954, 19.796),
]


def line(rec, serial, name, alt, resname, chain, resseq, icode, x, y, z, occ=1.0, el=None):
    el = el or name[0]
    aname = f" {name:<3s}" if len(name) < 4 else name
    return (f"{rec:<6s}{serial:5d} {aname}{alt:1s}{resname:>3s} {chain:1s}{resseq:4d}{icode:1s}   "
            f"{x:8.3f}{y:8.3f}{z:8.3f}{occ:6.2f}{20.0:6.2f}          {el:>2s}")


def residues(numbers, icodes=None, chain="A", dx=0.0, skip=(), rec="ATOM", rename=None):
    out, serial = [], 1
    names = []
    for rn, at, *_ in BASE:
        if rn not in names:
            names.append(rn)
    for k, (rn, at, x, y, z) in enumerate(BASE):
        i = names.index(rn)
        if (rn, at) in skip:
            continue
        resname = (rename or {}).get(rn, rn)
        r = "HETATM" if resname == "MSE" else rec
        out.append(line(r, serial, at, "", resname, chain, numbers[i],
                        (icodes or [""] * 4)[i], x + dx, y, z))
        serial += 1
    return out


def write(name, lines):
    (HERE / name).write_text("\n".join(lines) + "\n")


# Altlocs: the TYR CA and CB come in A (occupancy 0.3) and B (0.7) copies; B must win.
alt = []
for ln in residues([1, 2, 3, 4]):
    if ln[17:20] == "TYR" and ln[12:16].strip() in ("CA", "CB"):
        x, y, z = float(ln[30:38]), float(ln[38:46]), float(ln[46:54])
        at = ln[12:16].strip()
        alt.append(line("ATOM", 0, at, "A", "TYR", "A", 4, "", x + 0.5, y, z, occ=0.3))
        alt.append(line("ATOM", 0, at, "B", "TYR", "A", 4, "", x, y, z, occ=0.7))
    else:
        alt.append(ln)
write("altloc.pdb", ["HEADER    ALTLOC TEST"] + alt + ["END"])

# Insertion codes: 52, 52A, 52B, 53 (Kabat-style numbering).
write("icode.pdb", residues([52, 52, 52, 53], icodes=["", "A", "B", ""]) + ["END"])

# Missing CB on THR (and GLY never has one): both get a virtual CB. MSE is mapped to M.
write("missing_cb.pdb", residues([1, 2, 3, 4], skip={("THR", "CB")}, rename={"TYR": "MSE"})
      + ["END"])

# Ligands only: water, a heme fragment and a calcium ion.
write("ligands_only.pdb", [
    line("HETATM", 1, "O", "", "HOH", "A", 301, "", 1.0, 2.0, 3.0),
    line("HETATM", 2, "FE", "", "HEM", "A", 302, "", 4.0, 5.0, 6.0, el="FE"),
    line("HETATM", 3, "NA", "", "HEM", "A", 302, "", 5.0, 5.0, 6.0, el="N"),
    line("HETATM", 4, "CA", "", "CA", "A", 303, "", 7.0, 8.0, 9.0, el="CA"),
    "END"])

# Protein plus ligand, water and ion in the same chain: only the 4 residues are kept.
write("with_ligands.pdb", residues([1, 2, 3, 4]) + [
    line("HETATM", 90, "CA", "", "CA", "A", 303, "", 7.0, 8.0, 9.0, el="CA"),
    line("HETATM", 91, "O", "", "HOH", "A", 401, "", 1.0, 2.0, 3.0),
    line("HETATM", 92, "C1", "", "GOL", "A", 501, "", 3.0, 2.0, 3.0), "END"])

# NMR: two models, the second shifted by 10 A in x.
write("nmr.pdb", ["MODEL        1"] + residues([1, 2, 3, 4]) + ["ENDMDL", "MODEL        2"]
      + residues([1, 2, 3, 4], dx=10.0) + ["ENDMDL", "END"])

# C-alpha only.
write("ca_only.pdb", [ln for ln in residues([1, 2, 3, 4]) if ln[12:16].strip() == "CA"] + ["END"])

# Chain break: two copies of the tetrapeptide 30 A apart in one chain, numbered 1-4 and 10-13.
write("break.pdb", residues([1, 2, 3, 4]) + residues([10, 11, 12, 13], dx=30.0) + ["END"])

# Two chains (A and B, B shifted).
write("two_chains.pdb", residues([1, 2, 3, 4], chain="A") + residues([1, 2, 3, 4], chain="B", dx=20.0)
      + ["END"])

# Minimal mmCIF: only the columns a hand-written or converted file is sure to have.
rows, names = [], []
for rn, at, x, y, z in BASE:
    if rn not in names:
        names.append(rn)
    rows.append(f"ATOM {len(rows) + 1} {at[0]} {at} {rn} A {names.index(rn) + 1} "
                f"{x:.3f} {y:.3f} {z:.3f}")
write("minimal.cif", ["data_minimal", "loop_", "_atom_site.group_PDB", "_atom_site.id",
                      "_atom_site.type_symbol", "_atom_site.label_atom_id",
                      "_atom_site.label_comp_id", "_atom_site.label_asym_id",
                      "_atom_site.label_seq_id", "_atom_site.Cartn_x", "_atom_site.Cartn_y",
                      "_atom_site.Cartn_z"] + rows + ["#"])
