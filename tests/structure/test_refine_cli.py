"""`attnbio refine` end to end with the bundled model on a real 79-residue protein."""
import gzip
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from attnbio.io.tables import read_tsv

DATA = Path(__file__).resolve().parents[1] / "data" / "refine"
PDB = DATA / "3a4rA.pdb.gz"  # copied from data/refine/dssp50 (MDAnalysisTests data/dssp)


def run(*args):
    """The real entry point in a fresh process (exit codes and stderr as a user sees them)."""
    return subprocess.run([sys.executable, "-m", "attnbio.cli", "refine", *map(str, args)],
                          capture_output=True, text=True, env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})


def run_here(capsys, *args):
    """attnbio.cli.main in this process (no interpreter start-up): (exit status, stderr)."""
    from attnbio.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["refine", *map(str, args), "--threads", "1"])
    return exc.value.code, capsys.readouterr().err


def noisy_copy(tmp_path, sigma=2.0, seed=0):
    """The test protein with every C-alpha (and its residue) shifted by N(0, sigma^2) noise."""
    rng = np.random.default_rng(seed)
    out = []
    shift = {}
    for line in gzip.open(PDB, "rt"):
        if line.startswith("ATOM"):
            key = line[21:27]
            if key not in shift:
                shift[key] = rng.normal(scale=sigma, size=3)
            xyz = np.array([float(line[30:38]), float(line[38:46]), float(line[46:54])]) + shift[key]
            line = line[:30] + "".join(f"{v:8.3f}" for v in xyz) + line[54:]
        out.append(line)
    path = tmp_path / "noisy.pdb"
    path.write_text("".join(out))
    return path


@pytest.fixture(scope="module")
def refined(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("refine")
    noisy = noisy_copy(tmp)
    r = run(noisy, "--reference", PDB, "-o", tmp / "out", "--threads", "1", "--seed", "3")
    assert r.returncode == 0, r.stderr
    return tmp, noisy, r


def test_outputs_and_metrics(refined):
    tmp, _, _ = refined
    out = tmp / "out"
    assert sorted(p.name for p in out.iterdir()) == [".attnbio-output", "metrics.tsv", "pair.h5", "refined.pdb"]
    rows = {r["metric"]: r for r in read_tsv(out / "metrics.tsv")}
    assert int(rows["n_residues"]["input"]) == 79
    # noisy input vs true structure: the refinement must improve lDDT-Ca and reduce spacing errors
    assert float(rows["lddt_ca"]["refined"]) > float(rows["lddt_ca"]["input"]) + 0.05
    assert int(rows["ca_spacing_violations"]["refined"]) < int(rows["ca_spacing_violations"]["input"])
    assert int(rows["triangle_violations_coords"]["refined"]) == 0
    assert 0 < float(rows["tm_score"]["refined"]) <= 1


def test_refined_pdb_reads_back_with_labels_kept(refined):
    from Bio.PDB import PDBParser

    from attnbio.io.structure import read_structure

    tmp, noisy, _ = refined
    inp = read_structure(noisy)[0]
    s = PDBParser(QUIET=True).get_structure("r", str(tmp / "out" / "refined.pdb"))
    chain = list(s[0])[0]
    assert chain.id == inp.id
    residues = list(chain)
    assert [r.id[1] for r in residues] == [n for n, _ in inp.res_numbers]
    assert [r.get_resname() for r in residues] == inp.res_names
    assert all({"N", "CA", "C", "O"} <= {a.get_id() for a in r} for r in residues)
    back = read_structure(tmp / "out" / "refined.pdb")[0]
    steps = np.linalg.norm(np.diff(back.ca, axis=0), axis=1)
    assert np.median(np.abs(steps - 3.8)) < 0.2
    # carried backbone atoms keep chemically sensible N-CA distances
    nca = np.linalg.norm(back.coords["N"] - back.ca, axis=1)
    assert np.median(nca) == pytest.approx(1.46, abs=0.1)


def test_pair_h5_contract(refined):
    import h5py

    tmp, _, _ = refined
    with h5py.File(tmp / "out" / "pair.h5") as h5:
        assert h5.attrs["format"] == "attnbio.refine"
        assert h5.attrs["seed"] == 3
        assert len(h5.attrs["model_sha256"]) == 64
        assert h5["pair/representation"].shape[:2] == (79, 79)
        probs = h5["distogram/probs"][...].astype(np.float64)
        np.testing.assert_allclose(probs.sum(-1), 1.0, atol=0.02)
        assert h5["distogram/distance"].shape == (79, 79)
        for name in h5:
            assert "description" in h5[name].attrs


def test_same_seed_same_pdb(refined, tmp_path, capsys):
    tmp, noisy, _ = refined
    code, err = run_here(capsys, noisy, "-o", tmp_path / "again", "--seed", "3")
    assert code == 0, err
    assert (tmp_path / "again" / "refined.pdb").read_bytes() == (tmp / "out" / "refined.pdb").read_bytes()


@pytest.mark.skipif(shutil.which("TMalign") is None, reason="TM-align (Debian tm-align) not installed")
def test_tmalign_reads_refined_pdb(refined):
    tmp, _, _ = refined
    ref = tmp / "ref.pdb"
    ref.write_bytes(gzip.open(PDB).read())
    r = subprocess.run(["TMalign", str(tmp / "out" / "refined.pdb"), str(ref)], capture_output=True, text=True)
    assert r.returncode == 0
    assert "Length of Chain_1:   79 residues" in r.stdout or "Length of Structure_1:" in r.stdout
    assert "TM-score=" in r.stdout


def test_user_mistakes_exit_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.pdb"
    bad.write_text("this is not a structure\n")
    r = run(bad, "-o", tmp_path / "out")  # once through a real process
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    for args in ([tmp_path / "missing.pdb"], [bad], [PDB, "--reference", bad],
                 [PDB, "--model", tmp_path / "none.safetensors"], [PDB, "--chain", "Z"]):
        code, err = run_here(capsys, *args, "-o", tmp_path / "out")
        assert code == 2, (args, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "out").exists()
    # a reference that shares no residue labels with the input
    other = tmp_path / "other.pdb"
    other.write_text("".join(l[:21] + "Q" + l[22:] if l.startswith("ATOM") else l
                             for l in gzip.open(PDB, "rt")))
    code, err = run_here(capsys, PDB, "--reference", other, "-o", tmp_path / "out2")
    assert code == 2 and "shares 0 residues" in err
    assert not (tmp_path / "out2").exists()


TWO_CHAINS = Path(__file__).resolve().parents[1] / "data" / "protein" / "two_chains.pdb"  # chains A, B: 4 residues each


def test_chain_repeatable_and_chains_alias(tmp_path, capsys):
    """--chain A --chain B picks both chains; one --chain A alone is 4 residues (refused); the
    deprecated --chains A,B still works and writes the same files."""
    import h5py

    code, err = run_here(capsys, TWO_CHAINS, "--chain", "A", "--iterations", "20", "-o", tmp_path / "a")
    assert code == 2 and "only 4 residues" in err and len(err.strip().splitlines()) == 1, err
    code, err = run_here(capsys, TWO_CHAINS, "--chain", "A", "--chain", "B", "--iterations", "20",
                         "-o", tmp_path / "ab")
    assert code == 0, err
    with h5py.File(tmp_path / "ab" / "pair.h5") as h5:
        assert h5["residues/chain"][...].tolist() == [b"A"] * 4 + [b"B"] * 4
    code, err = run_here(capsys, TWO_CHAINS, "--chains", "A,B", "--iterations", "20", "-o", tmp_path / "old")
    assert code == 0 and "--chains is deprecated: use --chain A --chain B" in err, err
    for name in ("refined.pdb", "metrics.tsv"):
        assert (tmp_path / "old" / name).read_bytes() == (tmp_path / "ab" / name).read_bytes()
    assert "--chains" not in subprocess.run([sys.executable, "-m", "attnbio.cli", "refine", "--help"],
                                            capture_output=True, text=True).stdout   # hidden


def test_remark_lines_complete(refined):
    """refined.pdb's REMARK text is wrapped over 80-column records, never cut mid-word."""
    tmp, _, _ = refined
    lines = (tmp / "out" / "refined.pdb").read_text().splitlines()
    remarks = [ln for ln in lines if ln.startswith("REMARK")]
    assert len(remarks) >= 2 and all(len(ln) == 80 and ln.startswith("REMARK 250 ") for ln in remarks)
    assert " ".join(ln[11:].strip() for ln in remarks) == ("attnbio refine: refined coordinates; "
                                                           "B-factor = 100 x distogram confidence")
    assert remarks[-1][11:].strip() == "confidence"    # 279cc45 cut the one line at "confi"
