import gzip
from pathlib import Path

import numpy as np
import pytest

from attnbio.errors import InputError
from attnbio.io.protein_fasta import read_protein_fasta
from attnbio.protein.inputs import proteins_from_fasta, read_proteins

DATA = Path(__file__).parents[1] / "data" / "protein"


def test_fasta_rules(tmp_path):
    p = tmp_path / "a.fa.gz"
    p.write_bytes(gzip.compress(b">p1 desc\nmkvl\nBZ*\n\n>p2\nACDE\n"))
    recs = proteins_from_fasta(p)
    assert [r.id for r in recs] == ["p1", "p2"]
    assert recs[0].sequence == "MKVLXX" and recs[0].residue_numbers[-1] == "6"
    assert [(r.id, r.description) for r in read_protein_fasta(p)] == [("p1", "desc"), ("p2", "")]


@pytest.mark.parametrize("text, message", [
    (">a\nMK-V\n", "line 2: record 'a': '-' is not an amino-acid letter"),
    ("MKV\n", "line 1: sequence text before"),
    (">a\n>b\nMK\n", "record 'a' has no sequence"),
    (">a\nACGTN\n>b\nGATTACA\n", "record 'a' .and every other record. holds only A, C, G, T/U and N"),
    ("> \nMK\n", "header without a record ID"),
])
def test_fasta_errors(tmp_path, text, message):
    p = tmp_path / "bad.fa"
    p.write_text(text)
    with pytest.raises(InputError, match=message):
        read_protein_fasta(p)


def test_nucleotide_letters_in_a_protein_file_are_fine(tmp_path):
    """Only a file made wholly of nucleotide letters is refused: one protein record is enough."""
    p = tmp_path / "mixed.fa"
    p.write_text(">a\nACGT\n>b\nMKVLA\n")
    assert [r.sequence for r in read_protein_fasta(p)] == ["ACGT", "MKVLA"]


def test_mixed_inputs_and_duplicate_ids(tmp_path):
    fa = tmp_path / "x.fa"
    fa.write_text(">q\nMKVLA\n")
    ps = read_proteins([fa, DATA / "two_chains.pdb"])
    assert [p.id for p in ps] == ["q", "two_chains_A", "two_chains_B"]
    assert ps[0].cb is None and ps[1].cb.shape == (4, 3)
    assert ps[1].residue_numbers == ["1", "2", "3", "4"] and ps[1].residue_names[0] == "THR"
    with pytest.raises(InputError, match="IDs must be unique"):
        read_proteins([fa, fa])


def test_dssp_beside_structure(tmp_path):
    src = Path(__file__).parents[2] / "data" / "protein" / "dssp50"
    (tmp_path / "1i8nA.pdb.gz").write_bytes((src / "1i8nA.pdb.gz").read_bytes())
    (tmp_path / "1i8nA.pdb.dssp").write_text((src / "1i8nA.pdb.dssp").read_text())
    (p,) = read_proteins([tmp_path / "1i8nA.pdb.gz"])
    assert p.ss is not None and len(p.ss) == len(p.sequence) == 89
    assert not np.isnan(p.cb).any()
    (tmp_path / "1i8nA.pdb.dssp").write_text("HHH")
    with pytest.raises(InputError, match="expected 89 states"):
        read_proteins([tmp_path / "1i8nA.pdb.gz"])
