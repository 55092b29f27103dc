"""Random bytes, truncations and corruptions must give InputError or chains, never another error."""
import gzip
from pathlib import Path

import numpy as np

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attnbio.errors import InputError
from attnbio.io.structure import MAX_ABS_COORD, read_structure

DATA = Path(__file__).parents[1] / "data" / "protein"
SEEDS = [(DATA / n).read_bytes() for n in ("altloc.pdb", "nmr.pdb", "minimal.cif", "icode.pdb")]
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _check(tmp_path, content: bytes, suffix: str):
    p = tmp_path / f"fuzz{suffix}"
    p.write_bytes(content)
    try:
        chains = read_structure(p)
    except InputError as err:
        assert str(p) in str(err) and "\n" not in str(err)
        return
    for c in chains:
        assert len(c.sequence) == len(c.res_numbers) == c.ca.shape[0] >= 2
        assert np.isfinite(c.ca).all() and (np.abs(c.ca) <= MAX_ABS_COORD).all()   # issue 16


@FUZZ
@given(st.binary(max_size=400), st.sampled_from([".pdb", ".cif", ".pdb.gz", ""]))
def test_random_bytes(tmp_path, content, suffix):
    _check(tmp_path, content, suffix)


@FUZZ
@given(st.integers(0, 3), st.floats(0, 1))
def test_truncations(tmp_path, which, frac):
    seed = SEEDS[which]
    _check(tmp_path, seed[: int(len(seed) * frac)], ".cif" if which == 2 else ".pdb")
    gz = gzip.compress(seed)
    _check(tmp_path, gz[: int(len(gz) * frac)], ".gz")


@FUZZ
@given(st.integers(0, 3), st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=3)),
                                    min_size=1, max_size=8))
def test_byte_corruptions(tmp_path, which, edits):
    data = bytearray(SEEDS[which])
    for frac, new in edits:
        i = int(frac * (len(data) - 1))
        data[i:i + len(new)] = new
    _check(tmp_path, bytes(data), ".cif" if which == 2 else ".pdb")


@FUZZ
@given(st.integers(0, 3), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 2),
                                              st.floats(allow_nan=True, allow_infinity=True, width=32)),
                                    min_size=1, max_size=6))
def test_coordinate_values(tmp_path, which, edits):
    """Any value in a coordinate column (NaN, inf, 1e30, ...): chains with finite coordinates, or an
    InputError naming the file (and, for a non-finite or absurd value, its line or row)."""
    text = SEEDS[which].decode()
    lines = text.splitlines()
    atoms = [k for k, line in enumerate(lines) if line.startswith(("ATOM", "HETATM"))]
    for frac, axis, value in edits:
        k = atoms[int(frac * (len(atoms) - 1))]
        if which == 2:                       # mmCIF: whitespace-separated, x y z are the last three
            words = lines[k].split()
            words[len(words) - 3 + axis] = f"{value:.6g}"
            lines[k] = " ".join(words)
        else:                                # PDB: 8-character columns 31-54
            field = f"{value:8.3f}"[:8] if abs(value) < 1e7 else f"{value:8.1e}"[:8]
            lines[k] = lines[k][:30 + 8 * axis] + field.rjust(8) + lines[k][38 + 8 * axis:]
    _check(tmp_path, ("\n".join(lines) + "\n").encode(), ".cif" if which == 2 else ".pdb")
