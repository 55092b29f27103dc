"""motifs.shuffle: dinucleotide shuffles keep counts and ends; controls are seeded."""
import collections

import numpy as np
import pytest

from attnbio.motifs.shuffle import dinucleotide_shuffle, shuffled_controls


def dinucs(s):
    return collections.Counter(s[i:i + 2] for i in range(len(s) - 1))


@pytest.mark.parametrize("seed", range(5))
def test_dinucleotide_shuffle_keeps_counts_and_ends(seed):
    rng = np.random.default_rng(seed)
    s = "".join(rng.choice(list("ACGTN"), size=150, p=[.3, .2, .2, .28, .02]))
    t = dinucleotide_shuffle(s, rng)
    assert dinucs(s) == dinucs(t) and s[0] == t[0] and s[-1] == t[-1] and s != t


def test_shuffled_controls_are_seeded():
    seqs = ["ACGTTGCAAGGCTTACGATCGATCGGGATC"] * 3
    assert shuffled_controls(seqs, 1) == shuffled_controls(seqs, 1)
    assert shuffled_controls(seqs, 1) != shuffled_controls(seqs, 2)
