"""Training and validation proteins: the bundled structures, their DSSP strings and the split.

data/protein/dssp50 holds 50 single-chain X-ray proteins (79-173 residues) with 3-state DSSP
strings; data/protein/families holds two redundant families (LDH, trypsin) used only to augment
training. The split holds out whole dssp50 proteins (data/protein/split.tsv): every 4th protein
in name order (starting at the 2nd) is validation. No validation protein shares a family with a
training chain: the best local alignment between any validation chain and any training chain
(families included) is below 35% identity (see `split_identity`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attnbio.errors import InputError
from attnbio.io.structure import read_structure
from attnbio.protein.scales import contact_map

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "protein"


@dataclass
class Example:
    """One chain for training or evaluation: sequence, (L, 3) CB in A, (L, L) contacts, DSSP."""
    id: str
    sequence: str
    cb: np.ndarray
    contacts: np.ndarray
    ss: str | None
    group: str  # 'dssp50' or the family name


def load_example(path, ss_path=None, group="dssp50") -> Example:
    """Read a single-chain structure (first protein chain) and its DSSP string if given."""
    chain = read_structure(path)[0]
    ss = None
    if ss_path is not None:
        ss = Path(ss_path).read_text().split()[0].strip()
        if len(ss) != len(chain):
            raise InputError(f"{ss_path}: {len(ss)} DSSP states for {len(chain)} residues")
    name = Path(path).name.split(".")[0]
    return Example(id=name, sequence=chain.sequence, cb=chain.cb, contacts=contact_map(chain.cb),
                   ss=ss, group=group)


def dssp50_ids(data_dir=DATA_DIR) -> list[str]:
    """Names of the dssp50 proteins, sorted (e.g. '1ahsA')."""
    return sorted(p.name.split(".")[0] for p in (Path(data_dir) / "dssp50").glob("*.pdb.gz"))


def split_ids(data_dir=DATA_DIR) -> tuple[list[str], list[str]]:
    """(train, validation) dssp50 names: validation is every 4th name from the 2nd (13 of 50)."""
    ids = dssp50_ids(data_dir)
    val = ids[1::4]
    return [i for i in ids if i not in val], val


def load_dssp50(ids, data_dir=DATA_DIR) -> list[Example]:
    d = Path(data_dir) / "dssp50"
    return [load_example(d / f"{i}.pdb.gz", d / f"{i}.pdb.dssp") for i in ids]


def load_families(data_dir=DATA_DIR) -> list[Example]:
    """All family chains (LDH, trypsin), no DSSP strings: augmentation only."""
    out = []
    for fam in sorted((Path(data_dir) / "families").iterdir()):
        for p in sorted(fam.glob("*.pdb.gz")):
            out.append(load_example(p, group=fam.name))
    return out


def split_identity(train: list[Example], val: list[Example]) -> dict[str, tuple[str, float]]:
    """Per validation chain, the training chain with the best local-alignment identity.

    Smith-Waterman with BLOSUM62 (gap open -10, extend -0.5); identity = identical aligned
    pairs / length of the shorter chain. Returns id -> (closest training id, identity).
    """
    from Bio import Align
    from Bio.Align import substitution_matrices

    al = Align.PairwiseAligner(mode="local", open_gap_score=-10, extend_gap_score=-0.5)
    al.substitution_matrix = substitution_matrices.load("BLOSUM62")
    out = {}
    for v in val:
        best = ("", 0.0)
        for t in train:
            ident = al.align(v.sequence, t.sequence)[0].counts().identities
            frac = ident / min(len(v.sequence), len(t.sequence))
            if frac > best[1]:
                best = (t.id, frac)
        out[v.id] = best
    return out


def write_split_table(path, data_dir=DATA_DIR) -> None:
    """split.tsv: id, set, length, closest training chain and its local identity (validation)."""
    from attnbio.io.tables import write_tsv

    train_ids, val_ids = split_ids(data_dir)
    train = load_dssp50(train_ids, data_dir) + load_families(data_dir)
    val = load_dssp50(val_ids, data_dir)
    closest = split_identity(train, val)
    rows = [{"id": e.id, "set": "train", "length": len(e.sequence)} for e in train
            if e.group == "dssp50"]
    rows += [{"id": e.id, "set": "validation", "length": len(e.sequence),
              "closest_training_chain": closest[e.id][0],
              "local_identity": round(closest[e.id][1], 3)} for e in val]
    rows.sort(key=lambda r: r["id"])
    write_tsv(path, ["id", "set", "length", "closest_training_chain", "local_identity"], rows)


if __name__ == "__main__":
    write_split_table(DATA_DIR / "split.tsv")
