"""Record IDs from data never become file or HDF5 names (issue 16): a 300-character ID, '.',
and the two IDs 'a/b' and 'a_b' all work, each kept as an attribute / column."""
import h5py
import pytest

from attnbio.cli import main
from attnbio.io.tables import read_tsv

IDS = ["x" * 300, ".", "a/b", "a_b"]
SEQ = "MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQ"


def test_odd_ids_are_attributes_not_paths(tmp_path, capsys):
    fa = tmp_path / "odd.fa"
    fa.write_text("".join(f">{rid}\n{SEQ[k:] + SEQ[:k]}\n" for k, rid in enumerate(IDS)))
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as e:
        main(["-q", "protein", str(fa), "--threads", "1", "-o", str(out)])
    assert e.value.code == 0, capsys.readouterr().err
    with h5py.File(out / "results.h5") as h5:
        assert [x.decode() for x in h5["proteins/ids"][...]] == IDS
        assert [h5[f"proteins/{k}"].attrs["id"] for k in range(4)] == IDS
        assert h5["proteins/2/contact_prob"].shape == (len(SEQ), len(SEQ))
    index = read_tsv(out / "heatmaps" / "index.tsv")
    assert [r["protein_id"] for r in index] == IDS
    assert sorted(p.name for p in (out / "heatmaps").iterdir()) == sorted(
        ["index.tsv"] + [f"{k}.png" for k in range(4)] + [f"{k}_heads.png" for k in range(4)])
    assert [r["protein_id"] for r in read_tsv(out / "metrics.tsv")] == IDS
