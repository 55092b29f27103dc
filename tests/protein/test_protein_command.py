"""End-to-end runs of `attnbio protein` through the real entry point (exit codes included)."""
from pathlib import Path

import h5py
import numpy as np
import pytest

from attnbio.cli import main
from attnbio.io.tables import read_tsv

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data" / "protein"
REAL = ROOT / "data" / "protein" / "dssp50" / "1i8nA.pdb.gz"


def run(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["-q", *map(str, args)])
    return exc.value.code, capsys.readouterr().err


@pytest.fixture(scope="module")
def outdir(tmp_path_factory):
    out = tmp_path_factory.mktemp("protein") / "out"
    fa = out.parent / "q.fa"
    fa.write_text(">query\nMKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQ\n")
    with pytest.raises(SystemExit) as exc:
        main(["-q", "protein", str(REAL), str(fa), "--threads", "1", "--seed", "3",
              "-o", str(out)])
    assert exc.value.code == 0
    return out


def test_outputs_are_complete(outdir):
    assert sorted(p.name for p in outdir.iterdir()) == [
        ".attnbio-output", "contacts.tsv", "heads.tsv", "heatmaps", "metrics.tsv", "results.h5"]
    heads = read_tsv(outdir / "heads.tsv")
    assert len(heads) == 16 and {"lens", "hydrophobic_prop", "contact_q"} <= set(heads[0])
    for h in heads:
        assert h["lens"] in ("", "hydrophobic", "opposite_charge", "like_charge", "aromatic",
                             "polar", "cysteine")
    contacts = read_tsv(outdir / "contacts.tsv")
    real = [c for c in contacts if c["protein_id"] == "1i8nA_A"]
    query = [c for c in contacts if c["protein_id"] == "query"]
    assert len(real) == 89 and len(query) == 66  # top L each
    probs = [float(c["prob"]) for c in real]
    assert probs == sorted(probs, reverse=True) and 0 < probs[-1] <= probs[0] < 1
    assert all(int(c["j"]) - int(c["i"]) >= 6 for c in contacts)
    assert real[0]["cb_distance"] != "" and query[0]["cb_distance"] == ""
    assert real[0]["res_i"].isupper() and len(real[0]["res_i"]) == 3
    metrics = {m["protein_id"]: m for m in read_tsv(outdir / "metrics.tsv")}
    assert 0 <= float(metrics["1i8nA_A"]["long_P@L/5"]) <= 1
    assert metrics["query"]["long_P@L"] == ""
    assert len(list((outdir / "heatmaps").glob("*.png"))) == 4


def test_results_h5(outdir):
    with h5py.File(outdir / "results.h5") as h5:
        assert h5.attrs["format"] == "attnbio.protein" and h5.attrs["seed"] == 3
        ids = [x.decode() for x in h5["proteins/ids"][...]]
        group = {h5[f"proteins/{k}"].attrs["id"]: h5[f"proteins/{k}"] for k in range(len(ids))}
        assert list(group) == ids
        a = group["1i8nA_A"]["attention"]
        assert a.dtype == np.float16 and a.shape == (2, 8, 89, 89)
        assert (a[...].sum(-1) <= 1.01).all()
        p = group["query"]["contact_prob"][...]
        np.testing.assert_allclose(p, p.T, atol=1e-6)
        assert len(h5["heads/lens"]) == 16


def test_contacts_match_structure_better_than_chance(outdir):
    """The top predicted pairs of a real protein are contacts more often than random pairs."""
    from attnbio.io.structure import read_structure
    from attnbio.protein.scales import contact_map

    c = contact_map(read_structure(REAL)[0].cb)
    iu = np.triu_indices(89, 6)
    base = c[iu].mean()
    top = [(int(r["i"]), int(r["j"])) for r in read_tsv(outdir / "contacts.tsv")
           if r["protein_id"] == "1i8nA_A"][:44]
    assert np.mean([c[i, j] for i, j in top]) > 1.5 * base


def test_same_seed_same_tables(outdir, tmp_path, capsys):
    fa = outdir.parent / "q.fa"
    code, _ = run(["protein", REAL, fa, "--threads", "1", "--seed", "3", "--no-heatmaps",
                   "-o", tmp_path / "again"], capsys)
    assert code == 0
    for name in ("heads.tsv", "contacts.tsv", "metrics.tsv"):
        assert (tmp_path / "again" / name).read_bytes() == (outdir / name).read_bytes()


@pytest.mark.parametrize("fixture, message", [
    ("ligands_only.pdb", "no protein chain"),
    ("nmr.pdb --nmr-model 9", "no model 9"),
    ("two_chains.pdb --chain Q", "no protein chain 'Q'"),
])
def test_bad_inputs_exit_2(fixture, message, tmp_path, capsys):
    name, *extra = fixture.split()
    code, err = run(["protein", DATA / name, *extra, "-o", tmp_path / "o"], capsys)
    assert code == 2
    assert message in err and "Traceback" not in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_odd_structures_parse(tmp_path, capsys):
    names = ("altloc.pdb", "icode.pdb", "missing_cb.pdb", "minimal.cif", "ca_only.pdb",
             "break.pdb", "nmr.pdb", "with_ligands.pdb")
    code, err = run(["protein", *[DATA / n for n in names], "--no-heatmaps", "-o",
                     tmp_path / "o"], capsys)
    assert code == 0, err
    rows = read_tsv(tmp_path / "o" / "metrics.tsv")
    ids = [m["protein_id"] for m in rows]
    assert ids[:-1] == [n.split(".")[0] + "_A" for n in names] and ids[-1] == "mean"
    # Insertion codes keep their residues: 52, 52A, 52B, 53.
    assert [m["length"] for m in rows[:3]] == ["4", "4", "4"]


def test_wrong_model_kind(tmp_path, capsys):
    import json

    w = tmp_path / "m.safetensors"
    w.write_bytes(b"not really")
    (tmp_path / "m.json").write_text(json.dumps({"kind": "attnbio.motifs"}))
    code, err = run(["protein", REAL, "--model", w, "-o", tmp_path / "o"], capsys)
    assert code == 2 and "expected 'attnbio.protein'" in err


def test_stdin_dash(tmp_path, capsys, monkeypatch):
    """`attnbio protein -` reads FASTA from stdin; results.h5 hashes the bytes read."""
    import hashlib
    import io
    import json
    import sys

    data = b">from_stdin\nMKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRV\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, err = run(["protein", "-", "--threads", "1", "--no-heatmaps", "-o", tmp_path / "o"], capsys)
    assert code == 0, err
    assert [c["protein_id"] for c in read_tsv(tmp_path / "o" / "contacts.tsv")] == ["from_stdin"] * 40
    with h5py.File(tmp_path / "o" / "results.h5") as h5:
        assert json.loads(h5.attrs["input_sha256"]) == {"-": hashlib.sha256(data).hexdigest()}
        assert h5["proteins/0"].attrs["source"] == "-"


@pytest.mark.parametrize("text", [">dna\nACGTACGTNNACGTTTGACA\n>b\nacgt\n", ">rna\nACGUACGUUUGACAGU\n"])
def test_nucleotide_fasta_exit_2(text, tmp_path, capsys):
    """A FASTA of only A, C, G, T/U, N is DNA or RNA: one line, exit 2, no output."""
    fa = tmp_path / "n.fa"
    fa.write_text(text)
    code, err = run(["protein", fa, "-o", tmp_path / "o"], capsys)
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1, err
    assert f"{fa}: line 1: record " in err and "not protein" in err
    assert not (tmp_path / "o").exists()
