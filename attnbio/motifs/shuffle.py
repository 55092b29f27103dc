"""Dinucleotide-preserving shuffles: the standard negative control for motif discovery.

Altschul & Erickson (1985), Mol Biol Evol 2:526, via a random Eulerian path (as in
fasta-shuffle-letters -kmer 2 and uShuffle): every dinucleotide count of the input is kept.
"""
from __future__ import annotations

import numpy as np


def dinucleotide_shuffle(seq: str, rng: np.random.Generator) -> str:
    """A random sequence with exactly the same dinucleotide counts, first and last letter."""
    if len(seq) < 3:
        return seq
    letters = sorted(set(seq))
    idx = {c: i for i, c in enumerate(letters)}
    s = np.array([idx[c] for c in seq])
    edges = [list(s[1:][s[:-1] == a]) for a in range(len(letters))]
    last = s[-1]
    # Random last-exit edge per vertex so that the remaining edges form an arborescence
    # rooted at the final letter (Kandel et al. 1996); then the walk uses every edge once.
    while True:
        last_edge = {}
        for v in range(len(letters)):
            if v != last and edges[v]:
                last_edge[v] = edges[v][int(rng.integers(len(edges[v])))]
        if _reaches_root(last_edge, last):
            break
    pools = []
    for v in range(len(letters)):
        pool = list(edges[v])
        if v in last_edge:
            pool.remove(last_edge[v])
        pool = [pool[i] for i in rng.permutation(len(pool))]
        if v in last_edge:
            pool.append(last_edge[v])
        pools.append(pool)
    out, cur, pos = [s[0]], s[0], [0] * len(letters)
    for _ in range(len(s) - 1):
        nxt = pools[cur][pos[cur]]
        pos[cur] += 1
        out.append(nxt)
        cur = nxt
    return "".join(letters[i] for i in out)


def _reaches_root(last_edge: dict, root: int) -> bool:
    for v in last_edge:
        seen, cur = set(), v
        while cur != root:
            if cur in seen:
                return False
            seen.add(cur)
            cur = last_edge[cur]
    return True


def shuffled_controls(seqs: list[str], seed: int) -> list[str]:
    """One dinucleotide-shuffled control per sequence, seeded."""
    rng = np.random.default_rng(seed)
    return [dinucleotide_shuffle(s, rng) for s in seqs]
