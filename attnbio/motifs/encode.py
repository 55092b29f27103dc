"""DNA to tensors: one-hot with IUPAC codes as base averages, padding with a mask.

Variable lengths: sequences are right-padded with zeros to the longest in the set and a mask
marks real bases; attention never looks at padding. Sequences longer than `max_length` are
cropped to their central `max_length` bases (stated in README.md; the CLI warns).
"""
from __future__ import annotations

import numpy as np

IUPAC = {
    "A": "A", "C": "C", "G": "G", "T": "T", "U": "T", "N": "ACGT",
    "R": "AG", "Y": "CT", "S": "CG", "W": "AT", "K": "GT", "M": "AC",
    "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG",
}


def _lookup() -> np.ndarray:
    table = np.zeros((256, 4), dtype=np.float32)
    for letter, bases in IUPAC.items():
        for b in bases:
            table[ord(letter), "ACGT".index(b)] = 1.0 / len(bases)
            table[ord(letter.lower()), "ACGT".index(b)] = 1.0 / len(bases)
    return table


_TABLE = _lookup()


def crop_offsets(lengths, max_length: int) -> np.ndarray:
    """Start of the kept window of each sequence (0 unless it is longer than max_length)."""
    lengths = np.asarray(lengths)
    return np.where(lengths > max_length, (lengths - max_length) // 2, 0)


def one_hot(seqs: list[str], length: int | None = None, max_length: int = 1000):
    """Encode sequences -> (x (N, L, 4) float32, mask (N, L) bool, offsets (N,) int).

    L is `length` if given, else the longest sequence (capped at max_length). `offsets` says
    where the kept window starts in each original sequence (non-zero only when cropped).
    """
    lengths = np.array([len(s) for s in seqs])
    L = length or int(min(lengths.max(initial=1), max_length))
    offsets = crop_offsets(lengths, L)
    x = np.zeros((len(seqs), L, 4), dtype=np.float32)
    mask = np.zeros((len(seqs), L), dtype=bool)
    for i, (s, o) in enumerate(zip(seqs, offsets)):
        codes = np.frombuffer(s[o:o + L].encode("ascii"), dtype=np.uint8)
        x[i, :len(codes)] = _TABLE[codes]
        mask[i, :len(codes)] = True
    return x, mask, offsets


def reverse_complement_onehot(x):
    """Reverse complement of one-hot DNA (..., L, 4) with A,C,G,T order (works on numpy or torch)."""
    return x.flip(-2).flip(-1) if hasattr(x, "flip") else x[..., ::-1, ::-1]
