"""SeenIds: the compact duplicate-ID set of the streaming FASTA reader."""
import tracemalloc

from hypothesis import given, strategies as st

from attnbio.io.seen_ids import SeenIds


@given(st.lists(st.text(min_size=1, max_size=12), max_size=300))
def test_agrees_with_a_python_set(ids):
    seen, ref = SeenIds(capacity=4), set()
    for i in ids:
        assert seen.add(i) == (i not in ref)
        ref.add(i)
    assert len(seen) == len(ref)


def test_grows_past_its_capacity_and_stays_small():
    tracemalloc.start()
    seen = SeenIds()
    assert all(seen.add(f"seq{i}") for i in range(100_000))
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert not seen.add("seq12345") and seen.add("seq100000") and len(seen) == 100_001
    assert size < 100_000 * 24            # a set of the strings takes about 100 bytes each
