"""The Python API: README's example runs as written, and find_motifs on a list gives the command's tables."""
import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
from click.testing import CliRunner

import attnbio
from attnbio.cli import cli, main
from attnbio.errors import InputError
from attnbio.io.fasta import write_fasta
from attnbio.io.tables import format_value
from attnbio.motifs.outputs import MOTIF_COLUMNS, MOTIF_EXTRA

ROOT = Path(__file__).resolve().parents[1]


def readme_example() -> str:
    """The first ```python block of README.md's "Python API" section."""
    section = (ROOT / "README.md").read_text().split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """README's block run in a fresh folder where data/ is the repository's: (folder, namespace, stdout)."""
    d = tmp_path_factory.mktemp("api")
    (d / "data").symlink_to(ROOT / "data")
    ns, out, cwd = {}, io.StringIO(), os.getcwd()
    os.chdir(d)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(readme_example(), "README.md (Python API)", "exec"), ns)
    finally:
        os.chdir(cwd)
    return d, ns, out.getvalue()


def test_readme_example_runs_and_returns_frames_and_pwms(example):
    d, ns, printed = example
    result = ns["result"]
    assert isinstance(result, attnbio.MotifResult)
    assert list(result.motifs.columns) == MOTIF_COLUMNS + MOTIF_EXTRA
    assert len(result.motifs) >= 1 and list(result.pwms) == list(result.motifs.motif_id)
    for mid, pwm in result.pwms.items():
        width = int(result.motifs.set_index("motif_id").loc[mid, "width"])
        assert pwm.shape == (width, 4) and np.allclose(pwm.sum(axis=1), 1.0)
    assert set(result.sites.motif_id) <= set(result.pwms)
    ids = {i for i, _ in ns["positives"]}
    assert len(ns["positives"]) == 100 and set(result.sites.seq_id) <= ids
    assert (result.sites.end - result.sites.start).gt(0).all()
    assert 0.5 < result.metrics["test_auroc"] <= 1.0
    assert "attnbio_m1" in printed and "(" in printed
    assert (d / "motifs_out" / "motifs.tsv").is_file() and (d / "motifs_out" / "results.h5").is_file()


def _tsv(frame) -> str:
    """A DataFrame as io.tables.write_tsv writes rows (header, '' for missing, %.6g floats)."""
    lines = ["\t".join(frame.columns)]
    for row in frame.itertuples(index=False):
        lines.append("\t".join(format_value(None if _missing(v) else v) for v in row))
    return "\n".join(lines) + "\n"


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def test_find_motifs_on_a_list_equals_the_command(example, tmp_path, monkeypatch):
    d, ns, _ = example
    result = ns["result"]
    fasta = tmp_path / "pos.fa"
    write_fasta(fasta, ns["positives"])
    args = ["motifs", str(fasta), "--model", str(ROOT / "attnbio/weights/motifs_example.safetensors"),
            "--seed", "1", "--intervention-seqs", "100", "--threads", "1", "-o", str(tmp_path / "out")]
    monkeypatch.setattr(sys, "argv", ["attnbio"] + args)      # what command_line() records
    r = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    out = tmp_path / "out"
    assert (out / "motifs.tsv").read_text() == _tsv(result.motifs)
    assert (out / "sites.tsv").read_text() == _tsv(result.sites)
    assert (out / "interactions.tsv").read_text() == _tsv(result.interactions)
    assert (out / "motifs_all.tsv").read_text() == _tsv(result.all_motifs)
    # MotifResult.write gives the command's files (provenance apart: no command line, in-memory input)
    for name in ("motifs.tsv", "sites.tsv", "interactions.tsv", "motifs.meme", "model.safetensors"):
        assert (d / "motifs_out" / name).read_bytes() == (out / name).read_bytes(), name
    with h5py.File(out / "results.h5") as h5:
        assert h5.attrs["command"] == " ".join(["attnbio"] + args)
    with h5py.File(d / "motifs_out" / "results.h5") as h5:
        assert h5.attrs["command"] == ""
        assert list(h5["motifs"]) == list(result.pwms)
        np.testing.assert_array_equal(h5["motifs/attnbio_m1/probs"][()], result.pwms["attnbio_m1"])
    assert " ".join(["attnbio"] + args) in (out / "report.html").read_text()


@pytest.mark.parametrize("seqs, message", [
    (["ACGT" * 10, "ACGJ"], "positives[1] ('seq1'): invalid letter 'J'"),
    ([("a", "ACGT"), ("a", "ACGA")], "positives[1] ('a'): duplicate ID"),
    ([("a", "   ")], "positives[0] ('a'): empty sequence"),
    (["MKVLAAGIVGLLLAEEKKRWQ"], "positives[0] ('seq0'): looks like protein"),
    ([], "positives: no sequences"),
    ([1, 2], "positives[0]: expected a sequence string or an (id, sequence) pair, got int"),
])
def test_bad_sequences_are_one_line_input_errors(seqs, message):
    with pytest.raises(InputError) as err:
        attnbio.find_motifs(seqs, model="example")
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_too_few_sequences_to_train_is_an_input_error():
    with pytest.raises(InputError, match=r"positive sequences \(in memory\): 3, too few to train"):
        attnbio.find_motifs(["ACGTACGTAC"] * 3)


def test_import_is_light_and_all_resolves():
    code = ("import sys, attnbio; assert 'torch' not in sys.modules and 'pandas' not in sys.modules, "
            "sorted(m for m in ('torch', 'pandas') if m in sys.modules); "
            "print(all(callable(getattr(attnbio, n)) for n in attnbio.__all__ if n != '__version__'))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "True"


def _cli(args):
    with pytest.raises(SystemExit) as exc:
        main(["-q", *map(str, args)])
    assert exc.value.code == 0


def test_analyze_proteins_equals_the_command(tmp_path):
    from attnbio.protein import outputs

    fa = tmp_path / "q.fa"
    fa.write_text(">query\nMKTAYIAKQRQISFVKSHFSRQLEERLGLIEVQAPILSRVGDGTQDNLSGAEKAVQVKVKALPDAQ\n")
    _cli(["protein", fa, "--no-heatmaps", "--threads", "1", "--seed", "3", "-o", tmp_path / "cli"])
    result = attnbio.analyze_proteins(fa, seed=3, threads=1)
    n = len(result.proteins[0].protein.sequence)
    assert n == 66 and len(result.heads) == 16 and result.proteins[0].prob.shape == (n, n)
    assert np.allclose(result.proteins[0].prob, result.proteins[0].prob.T)
    (tmp_path / "api").mkdir()
    outputs.write(result, tmp_path / "api")
    for name in ("heads.tsv", "contacts.tsv", "metrics.tsv"):
        assert (tmp_path / "api" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name


def test_refine_structure_equals_the_command(tmp_path):
    from attnbio.structure import outputs

    pdb = ROOT / "tests" / "data" / "refine" / "3a4rA.pdb.gz"
    _cli(["refine", pdb, "--iterations", 20, "--threads", "1", "--seed", "2", "-o", tmp_path / "cli"])
    result = attnbio.refine_structure(pdb, seed=2, iterations=20, threads=1)
    n = result.n_residues
    assert result.refinement.ca_refined.shape == (n, 3) and result.mode in ("refined", "blend", "input_kept")
    (tmp_path / "api").mkdir()
    outputs.write(result, tmp_path / "api")
    for name in ("metrics.tsv", "refined.pdb"):
        assert (tmp_path / "api" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
