"""Random bytes, truncations and corruptions must give InputError or chains, never another error."""
import gzip
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attnbio.errors import InputError
from attnbio.io.structure import read_structure

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
