"""motifs.encode: one-hot with IUPAC codes, padding masks and central crops."""
import numpy as np

from attnbio.motifs.encode import one_hot


def test_one_hot_iupac_padding_and_crop():
    x, mask, off = one_hot(["ACGN", "R"], max_length=10)
    assert x.shape == (2, 4, 4) and mask.tolist() == [[1, 1, 1, 1], [1, 0, 0, 0]]
    assert np.allclose(x[0, 3], 0.25) and np.allclose(x[1, 0], [0.5, 0, 0.5, 0])
    x, mask, off = one_hot(["AAAACCCCGG"], max_length=4)
    assert off.tolist() == [3] and "".join("ACGT"[i] for i in x[0].argmax(1)) == "ACCC"
