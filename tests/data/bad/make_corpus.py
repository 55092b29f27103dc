"""Write the bad-input corpus (tests/data/bad/): `python tests/data/bad/make_corpus.py`.

Every file here must be refused with exit 2, one line, no traceback and no output folder by
every command that reads it (tests/test_bad_corpus.py). Each names the case of issue 16 it
keeps. Model cards carry "@weights" where the test puts the SHA-256 of the weights it writes
beside them (the bundled ones, or with a NaN for *_nan_weights).
"""
import gzip
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
GOOD_PDB = (ROOT / "tests" / "data" / "protein" / "two_chains.pdb").read_text()
GOOD_CIF = (ROOT / "tests" / "data" / "protein" / "minimal.cif").read_text()
DNA = "ACGTTGCAAGGCTTACGATCGATCGGCTAGCTAGGATCCGATCGATTACGGCATGCAAGTCGACTGCAGAATTCGGCC"


def _pdb_coords(fn):
    out = []
    for line in GOOD_PDB.splitlines():
        if line.startswith("ATOM  "):
            x, y, z = fn(line)
            line = line[:30] + f"{x:>8s}{y:>8s}{z:>8s}" + line[54:]
        out.append(line)
    return "\n".join(out) + "\n"


def _first_atom(value):
    seen = []

    def fn(line):
        xyz = [line[30:38].strip(), line[38:46].strip(), line[46:54].strip()]
        if not seen:
            seen.append(1)
            xyz[0] = value
        return xyz
    return fn


def dna_fasta():
    d = HERE / "fasta_dna"
    d.mkdir(exist_ok=True)
    (d / "empty.fa").write_text("")
    (d / "text_before_header.fa").write_text(f"hello\n>a\n{DNA}\n")
    (d / "header_without_sequence.fa").write_text(f">a\n{DNA}\n>b\n")
    (d / "gap_letter.fa").write_text(f">a\n{DNA[:20]}-{DNA[20:]}\n")
    (d / "protein_not_dna.fa").write_text(">p\nMEEPQSDPSVEPPLSQETFSDLWKLLPENNVLSPLPSQAMDDLMLSPDDIEQWFTEDPGP\n")
    (d / "duplicate_ids.fa").write_text(f">a\n{DNA}\n>a\n{DNA}\n")
    (d / "nul_byte.fa").write_bytes(f">a\n{DNA}\n".encode() + b"\x00ACGT\n")
    full = gzip.compress(f">a\n{DNA * 40}\n".encode(), mtime=0)
    (d / "truncated.fa.gz").write_bytes(full[: len(full) // 2])


def protein_fasta():
    d = HERE / "fasta_protein"
    d.mkdir(exist_ok=True)
    (d / "digit_in_sequence.fa").write_text(">p\nMKTAYIAK3QRQISFVKSHF\n")
    (d / "header_without_sequence.fa").write_text(">p\nMKTAYIAKQRQISFVKSHF\n>q\n")
    (d / "duplicate_ids.fa").write_text(">p\nMKTAYIAKQRQISF\n>p\nMKTAYIAKQRQISF\n")
    # issue 16, sizes: a 20,000-residue record died with exit 1 (can't allocate memory)
    (d / "record_20000_residues.fa").write_text(">long\n" + "MKTAYIAKQRQISFVKSHFS" * 1000 + "\n")


def structures():
    d = HERE / "structures"
    d.mkdir(exist_ok=True)
    # issue 16, coordinates: NaN made refine exit 1; inf gave RuntimeWarnings; all-NaN was accepted
    (d / "nan_coordinate.pdb").write_text(_pdb_coords(_first_atom("nan")))
    (d / "inf_coordinate.pdb").write_text(_pdb_coords(_first_atom("inf")))
    (d / "all_nan.pdb").write_text(_pdb_coords(lambda line: ["nan", "nan", "nan"]))
    (d / "absurd_coordinate.pdb").write_text(_pdb_coords(_first_atom("1e30")))
    cif = GOOD_CIF.replace("ATOM 2 C CA THR A 1 47.257 10.677 17.777", "ATOM 2 C CA THR A 1 nan 10.677 17.777")
    assert cif != GOOD_CIF
    (d / "nan_coordinate.cif").write_text(cif)
    (d / "empty.pdb").write_text("")
    (d / "binary.pdb").write_bytes(b"\x00\x01\x02ATOM\x00" * 20)
    (d / "no_protein_chain.pdb").write_text(
        "HETATM    1  O   HOH A 101      1.000   2.000   3.000  1.00 20.00           O\nEND\n")
    full = gzip.compress(GOOD_PDB.encode(), mtime=0)
    (d / "truncated.pdb.gz").write_bytes(full[: len(full) // 2])


def _card(name):
    return json.loads((ROOT / "attnbio" / "weights" / f"{name}.json").read_text())


def models():
    d = HERE / "models"
    d.mkdir(exist_ok=True)

    def write(name, card):
        (d / f"{name}.json").write_text(json.dumps(card, indent=1, sort_keys=True) + "\n")

    m = _card("motifs_example")
    m["sha256"] = "@weights"
    arch = m["architecture"]
    # issue 16, model files: each of these gave exit 1 (ZeroDivisionError, AttributeError,
    # allocation errors), a two-line message, silently empty columns or no integrity check
    write("motifs_n_heads_0", {**m, "architecture": {**arch, "n_heads": 0}})
    write("motifs_d_model_not_divisible", {**m, "architecture": {**arch, "n_heads": 5}})
    write("motifs_negative_size", {**m, "architecture": {**arch, "d_model": -32}})
    write("motifs_huge_size", {**m, "architecture": {**arch, "d_model": 10 ** 9}})
    write("motifs_state_dict_mismatch", {**m, "architecture": {**arch, "d_model": 16}})
    write("motifs_no_sha256", {k: v for k, v in m.items() if k != "sha256"})
    write("motifs_nan_weights", m)
    (d / "motifs_json_list.json").write_text(json.dumps([m]) + "\n")

    p = _card("protein")
    p["sha256"] = "@weights"
    write("protein_no_sha256", {k: v for k, v in p.items() if k != "sha256"})
    write("protein_nan_weights", p)
    members = [dict(x, config={**x["config"], "heads": 0}) for x in p["members"]]
    write("protein_heads_0", {**p, "members": members})
    (d / "protein_json_list.json").write_text(json.dumps([p]) + "\n")

    r = _card("refine")
    r["sha256"] = "@weights"
    write("refine_no_sha256", {k: v for k, v in r.items() if k != "sha256"})
    write("refine_nan_weights", r)
    write("refine_n_heads_0", {**r, "config": {**r["config"], "n_heads": 0}})
    write("refine_state_dict_mismatch", {**r, "config": {**r["config"], "c_z": 16}})
    write("refine_negative_size", {**r, "config": {**r["config"], "c_z": -32}})
    write("refine_huge_size", {**r, "config": {**r["config"], "c_z": 10 ** 9}})


if __name__ == "__main__":
    dna_fasta()
    protein_fasta()
    structures()
    models()
