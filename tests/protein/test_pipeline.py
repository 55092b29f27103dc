"""attnbio.protein.pipeline as a library: ProteinRequest -> run -> ProteinResult -> outputs.write."""
import h5py
import pytest

from attnbio.cli import main
from attnbio.protein import outputs
from attnbio.protein.pipeline import ProteinRequest, run

SEQS = {"p1": "MKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRV", "p2": "MSDNGPQSNQRSAPRITFGGPTDSTDNNQNGGRSGARPKQ"}


@pytest.fixture(scope="module")
def fasta(tmp_path_factory):
    fa = tmp_path_factory.mktemp("pipeline") / "two.fa"
    fa.write_text("".join(f">{k}\n{v}\n" for k, v in SEQS.items()))
    return fa


def test_run_tables_and_progress(fasta):
    calls = []
    res = run(ProteinRequest([str(fasta)], top_contacts=0.5, seed=1), progress=lambda *a: calls.append(a))
    assert calls == [("proteins", 0, 2), ("proteins", 1, 2), ("proteins", 2, 2)]
    assert [p.protein.id for p in res.proteins] == ["p1", "p2"]
    assert res.proteins[0].attention.shape == (2, 8, 40, 40) and res.proteins[0].prob.shape == (40, 40)
    cols, heads = res.head_table()
    assert len(heads) == 16 and cols[:5] == ["layer", "head", "lens", "lens_enrichment", "n_pairs"]
    cols, contacts = res.contact_table()
    assert [r[0] for r in contacts] == ["p1"] * 20 + ["p2"] * 20       # 0.5 x L each
    assert all(r[cols.index("separation")] >= 6 for r in contacts)
    cols, metrics = res.metric_table()
    assert [m["protein_id"] for m in metrics] == ["p1", "p2"]   # no structure: no precision, no mean row
    assert len(res.model_sha256) == 64 and len(res.input_sha256[str(fasta)]) == 64


def test_outputs_write_equals_the_command(fasta, tmp_path, capsys):
    res = run(ProteinRequest([str(fasta)], heatmaps=False, seed=4, command="attnbio protein x"))
    (tmp_path / "lib").mkdir()
    outputs.write(res, tmp_path / "lib")
    with pytest.raises(SystemExit) as exc:
        main(["-q", "protein", str(fasta), "--no-heatmaps", "--seed", "4", "--threads", "1",
              "-o", str(tmp_path / "cli")])
    assert exc.value.code == 0, capsys.readouterr().err
    for name in ("heads.tsv", "contacts.tsv", "metrics.tsv"):
        assert (tmp_path / "lib" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    with h5py.File(tmp_path / "lib" / "results.h5") as a, h5py.File(tmp_path / "cli" / "results.h5") as b:
        assert a.attrs["command"] == "attnbio protein x" and b.attrs["command"].startswith("attnbio ")
        assert (a["proteins/1/attention"][...] == b["proteins/1/attention"][...]).all()
