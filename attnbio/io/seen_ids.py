"""A compact set of record IDs for streaming readers: 64-bit digests in an open-addressing table.

A Python set of 1,000,000 short ID strings costs about 100 MB, which made a streaming scan's
memory grow with its input. Here each ID costs 8-16 bytes (a BLAKE2b digest in a numpy table
kept at most half full, linear probing). Two different IDs share a digest with probability
about n^2 / 2^65 (3e-8 for a million records), the price of not storing the IDs themselves.
"""
from __future__ import annotations

import hashlib

import numpy as np


def _digest(rec_id: str) -> int:
    h = int.from_bytes(hashlib.blake2b(rec_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
    return h or 1                                   # 0 marks an empty slot


class SeenIds:
    """add(id) -> True when the ID is new, False when it was added before."""

    def __init__(self, capacity: int = 1024):
        self._table = np.zeros(max(16, 1 << (capacity - 1).bit_length()), np.uint64)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def add(self, rec_id: str) -> bool:
        if 2 * (self._n + 1) > len(self._table):
            self._grow()
        return self._insert(_digest(rec_id))

    def _insert(self, h: int) -> bool:
        table, mask = self._table, len(self._table) - 1
        i = h & mask
        while True:
            v = int(table[i])
            if v == 0:
                table[i] = h
                self._n += 1
                return True
            if v == h:
                return False
            i = (i + 1) & mask

    def _grow(self) -> None:
        old = self._table[self._table != 0].tolist()
        self._table = np.zeros(2 * len(self._table), np.uint64)
        self._n = 0
        for h in old:
            self._insert(h)
