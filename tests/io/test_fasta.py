import gzip
import io
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from attnbio.errors import InputError
from attnbio.io.fasta import read_all, read_fasta, write_fasta


def write(tmp_path, data, name="in.fa"):
    p = tmp_path / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode())
    return p


def seqs(path):
    return [(r.id, r.sequence) for r in read_fasta(path)]


def test_plain_soft_masked_multiline_and_rna(tmp_path):
    p = write(tmp_path, ">a desc here\nACGTacgt\nNNRY\n\n>b\nACGU\n")
    assert seqs(p) == [("a", "ACGTACGTNNRY"), ("b", "ACGT")]
    rec = next(read_fasta(p))
    assert rec.description == "desc here"


def test_gzip_detected_by_content_not_name(tmp_path):
    p = write(tmp_path, gzip.compress(b">x\nACGT\n"), name="plain_name.fa")
    assert seqs(p) == [("x", "ACGT")]


def test_stdin_dash(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b">s\nGATTACA\n")))
    assert [(r.id, r.sequence) for r in read_fasta("-")] == [("s", "GATTACA")]


@pytest.mark.parametrize("content, message", [
    ("", "empty input"),
    ("\n\n", "empty input"),
    ("ACGT\n>a\nACGT\n", "before the first '>' header"),
    (">a\n>b\nACGT\n", "header but no sequence"),
    (">a\nACGT\n>b\n", "'b' has a header but no sequence"),
    (">a\nACGT-ACGT\n", "invalid letter '-'"),
    (">a\nACG1\n", "invalid letter '1'"),
    (">p\nMKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQ\n", "looks like protein"),
    (">a\nACGT\n>a\nACGT\n", "duplicate record ID 'a'"),
    (">\nACGT\n", "empty header"),
])
def test_bad_text_inputs(tmp_path, content, message):
    p = write(tmp_path, content)
    with pytest.raises(InputError, match=message) as err:
        list(read_fasta(p))
    assert str(p) in str(err.value) and "\n" not in str(err.value)


def test_binary_and_truncated_gzip(tmp_path):
    with pytest.raises(InputError, match="binary"):
        list(read_fasta(write(tmp_path, b">a\nAC\x00GT\n")))
    with pytest.raises(InputError, match="non-ASCII"):
        list(read_fasta(write(tmp_path, b"\x89PNG\r\n\x1a\n\xff\xfe")))
    body = "".join(f">r{i}\n{'ACGT' * 50}\n" for i in range(500)).encode()
    with pytest.raises(InputError, match="truncated|corrupt"):
        list(read_fasta(write(tmp_path, gzip.compress(body)[:-40], name="t.fa.gz")))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="not found"):
        list(read_fasta(tmp_path / "nope.fa"))
    with pytest.raises(InputError, match="folder"):
        list(read_fasta(tmp_path))


def test_too_few_to_train(tmp_path):
    p = write(tmp_path, ">a\nACGT\n>b\nACGT\n")
    with pytest.raises(InputError, match="too few to train"):
        read_all(p, min_count=20)


def test_round_trip(tmp_path):
    recs = [("a", "ACGT" * 40), ("b", "N" * 3)]
    write_fasta(tmp_path / "o.fa", recs)
    assert seqs(tmp_path / "o.fa") == recs


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_bytes_give_records_or_input_error(tmp_path_factory, data):
    p = tmp_path_factory.mktemp("fz") / "f.fa"
    p.write_bytes(data)
    try:
        for rec in read_fasta(p):
            assert rec.id and rec.sequence and set(rec.sequence) <= set("ACGTNRYSWKMBDHV")
    except InputError as err:
        assert "\n" not in str(err)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.from_regex(r"[A-Za-z0-9_]{1,8}", fullmatch=True),
                          st.text("ACGTNacgtn", min_size=1, max_size=50)), min_size=1, max_size=8,
                unique_by=lambda t: t[0]))
def test_fuzz_valid_fasta_round_trips(tmp_path_factory, recs):
    p = tmp_path_factory.mktemp("rt") / "f.fa"
    write_fasta(p, recs, width=7)
    assert seqs(p) == [(i, s.upper()) for i, s in recs]


BAD_INPUTS = {
    "empty": b"",
    "no_header": b"ACGT\n>a\nACGT\n",
    "header_without_sequence": b">a\n>b\nACGT\n",
    "invalid_letters": b">a\nACGT-ACGT\n",
    "protein": b">p\nMKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQ\n",
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\xff",
    "truncated_gz": gzip.compress(b"".join(b">r%d\n%s\n" % (i, b"ACGT" * 50) for i in range(500)))[:-40],
    "duplicate_ids": b">a\nACGT\n>a\nACGT\n",
    "too_few": b">a\nACGTACGTAC\n>b\nACGTACGTAC\n",
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_cli_bad_input_exit_2_one_line_no_output(tmp_path, capsys, case):
    from attnbio.cli import main

    bad = write(tmp_path, BAD_INPUTS[case])
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_:
        main(["motifs", str(bad), "-o", str(out), "--threads", "1"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and str(bad) in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]
