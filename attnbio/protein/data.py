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


FOLDS_FILE = DATA_DIR / "folds.tsv"
FOLD_IDENTITY = 0.30  # linked (same cluster) at local identity >= 30%
N_FOLDS = 5


def local_identity_matrix(examples: list[Example]) -> np.ndarray:
    """(n, n) local-alignment identity between chains (the rule of split_identity: Smith-Waterman,
    BLOSUM62, gap open -10, extend -0.5; identical aligned pairs / length of the shorter chain)."""
    from Bio import Align
    from Bio.Align import substitution_matrices

    al = Align.PairwiseAligner(mode="local", open_gap_score=-10, extend_gap_score=-0.5)
    al.substitution_matrix = substitution_matrices.load("BLOSUM62")
    n = len(examples)
    out = np.eye(n)
    for a in range(n):
        for b in range(a + 1, n):
            sa, sb = examples[a].sequence, examples[b].sequence
            ident = al.align(sa, sb)[0].counts().identities
            out[a, b] = out[b, a] = ident / min(len(sa), len(sb))
    return out


def family_folds(examples: list[Example], identity: np.ndarray, n_folds: int = N_FOLDS,
                 threshold: float = FOLD_IDENTITY) -> list[dict]:
    """Cross-validation folds that hold out whole families.

    Rule: the shared data's family groups (LDH, trypsin) are one cluster each; any other chain
    joins a cluster by single linkage when its local identity (local_identity_matrix) to a
    member is >= `threshold` (so no two chains in different clusters reach 30%). The two
    family clusters go to folds 1 and 2; the other clusters, largest first (ties: first member
    name), each go to the fold with the fewest dssp50 chains so far (ties: lowest fold).
    Returns one row per chain: id, group, cluster, fold, length, closest_other_fold, identity.
    """
    n = len(examples)
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a, b):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    first_of_group = {}
    for k, ex in enumerate(examples):
        if ex.group != "dssp50":
            union(k, first_of_group.setdefault(ex.group, k))
    for a in range(n):
        for b in range(a + 1, n):
            if identity[a, b] >= threshold:
                union(a, b)
    clusters: dict[int, list[int]] = {}
    for k in range(n):
        clusters.setdefault(find(k), []).append(k)
    groups = sorted(first_of_group)  # 'ldh', 'trypsin'
    fold_of, count = {}, [0] * n_folds
    named = {}
    for g_i, g in enumerate(groups):
        root = find(first_of_group[g])
        fold_of[root] = g_i % n_folds
        named[root] = g
        count[g_i % n_folds] += sum(examples[k].group == "dssp50" for k in clusters[root])
    rest = sorted((r for r in clusters if r not in fold_of),
                  key=lambda r: (-len(clusters[r]), examples[clusters[r][0]].id))
    for r in rest:
        f = int(np.argmin(count))
        fold_of[r] = f
        count[f] += len(clusters[r])
    for r in clusters:
        named.setdefault(r, examples[min(clusters[r], key=lambda k: examples[k].id)].id)
    rows = []
    for k, ex in enumerate(examples):
        f = fold_of[find(k)]
        others = [m for m in range(n) if fold_of[find(m)] != f]
        best = max(others, key=lambda m: identity[k, m])
        rows.append({"id": ex.id, "group": ex.group, "cluster": named[find(k)], "fold": f + 1,
                     "length": len(ex.sequence), "closest_other_fold": examples[best].id,
                     "identity": round(float(identity[k, best]), 3)})
    return rows


def write_folds_table(path=FOLDS_FILE, data_dir=DATA_DIR) -> None:
    """folds.tsv: the family folds of all dssp50 and family chains, with the rule and date."""
    import datetime

    examples = load_dssp50(dssp50_ids(data_dir), data_dir) + load_families(data_dir)
    rows = family_folds(examples, local_identity_matrix(examples))
    cols = ["id", "group", "cluster", "fold", "length", "closest_other_fold", "identity"]
    header = [
        f"# attnbio protein: family folds for cross-validation, frozen {datetime.date.today()} "
        "before any tuning (python -m attnbio.protein.data --folds)",
        "# rule: LDH and trypsin family chains are one cluster each; other chains join a cluster by "
        f"single linkage at local identity >= {FOLD_IDENTITY:.2f} (Smith-Waterman, BLOSUM62, gap -10/-0.5, "
        "identities / shorter length); clusters to folds: families to folds 1, 2, then largest "
        f"cluster first to the fold with fewest dssp50 chains; {N_FOLDS} folds",
        "# closest_other_fold / identity: the most similar chain outside the chain's fold",
    ]
    from attnbio.io.outdir import atomic_file

    with atomic_file(Path(path)) as tmp, open(tmp, "w") as fh:
        fh.write("\n".join(header) + "\n")
        fh.write("\t".join(cols) + "\n")
        for r in rows:
            fh.write("\t".join(str(r[c]) for c in cols) + "\n")


def read_folds(path=FOLDS_FILE) -> dict[str, int]:
    """chain id -> fold (1-based) from folds.tsv (family chains keyed 'group/id')."""
    out = {}
    lines = [ln for ln in Path(path).read_text().splitlines() if ln and not ln.startswith("#")]
    header = lines[0].split("\t")
    for ln in lines[1:]:
        r = dict(zip(header, ln.split("\t")))
        key = r["id"] if r["group"] == "dssp50" else f"{r['group']}/{r['id']}"
        out[key] = int(r["fold"])
    return out


def main(argv=None) -> None:
    """`python -m attnbio.protein.data [--folds]`: rewrite split.tsv, or with --folds folds.tsv."""
    import argparse

    ap = argparse.ArgumentParser(description="Rewrite data/protein/split.tsv (or folds.tsv).")
    ap.add_argument("--folds", action="store_true", help="write folds.tsv instead of split.tsv")
    args = ap.parse_args(argv)
    if args.folds:
        write_folds_table()
    else:
        write_split_table(DATA_DIR / "split.tsv")


if __name__ == "__main__":
    main()
