"""attnbio.structure.pipeline as a library: RefineRequest -> run -> RefineResult -> outputs.write."""
from pathlib import Path

import h5py
import pytest

from attnbio.errors import InputError
from attnbio.io.tables import read_tsv
from attnbio.structure import outputs
from attnbio.structure.pipeline import RefineRequest, run
from attnbio.structure.refine import auto_chunk

TWO_CHAINS = Path(__file__).resolve().parents[1] / "data" / "protein" / "two_chains.pdb"  # A, B: 4 residues each


def test_run_progress_and_write(tmp_path):
    calls = []
    req = RefineRequest(str(TWO_CHAINS), iterations=5, seed=2, command="attnbio refine test")
    res = run(req, progress=lambda *a: calls.append(a))
    assert calls == [("refinement", k, 3) for k in range(4)]
    assert res.n_residues == 8 and [c.id for c in res.chains] == ["A", "B"]
    assert res.refinement.ca_refined.shape == (8, 3) and [a["CA"].shape for a in res.atoms] == [(4, 3)] * 2
    assert res.mode in ("refined", "blend", "input_kept") and res.reason
    rows = {r["metric"]: r for r in res.metrics}
    assert rows["n_residues"]["refined"] == 8 and "lddt_ca" not in rows    # no reference given
    assert len(res.input_sha256[str(TWO_CHAINS)]) == 64
    outputs.write(res, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.tsv", "pair.h5", "refined.pdb"]
    assert [r["metric"] for r in read_tsv(tmp_path / "metrics.tsv")] == [r["metric"] for r in res.metrics]
    with h5py.File(tmp_path / "pair.h5") as h5:
        assert h5.attrs["command"] == "attnbio refine test" and h5.attrs["seed"] == 2


def test_reference_rows_and_chain_choice():
    res = run(RefineRequest(str(TWO_CHAINS), reference=str(TWO_CHAINS), iterations=5))
    rows = {r["metric"]: r for r in res.metrics}
    assert rows["reference_residues"]["input"] == 8
    assert rows["lddt_ca"]["input"] == pytest.approx(1.0) and rows["rmsd"]["input"] == pytest.approx(0, abs=1e-6)
    with pytest.raises(InputError, match="only 4 residues"):
        run(RefineRequest(str(TWO_CHAINS), chains=["B"]))


def test_auto_chunk():
    """One block up to 256 residues; beyond, about 64 M logits per block (4 n^2 per row)."""
    assert auto_chunk(256) is None
    assert auto_chunk(1000) == 16 and auto_chunk(4000) == 1
