"""The writers of the secondary domains: the Python API writes what the command writes."""
import filecmp

import pytest

from attnbio.cli import main
from attnbio.domains import fusion, fusion_outputs, rl, rl_outputs
from attnbio.domains.outputs import write_tables
from attnbio.io.tables import read_tsv


@pytest.mark.parametrize("name, argv, make", [
    ("fusion", ["fusion", "--steps", "300", "--n-tau", "3", "--seed", "5"],
     lambda: fusion_outputs.write(fusion.run(fusion.FusionRequest(steps=300, n_tau=3, seed=5)), ".")),
    ("rl", ["rl", "--seeds", "1", "--steps", "100", "--remedies", "none,recency", "--seed", "5"],
     lambda: rl_outputs.write(rl.run(rl.RlRequest(n_seeds=1, steps=100, remedies=("none", "recency"),
                                                  seed=5)), ".")),
])
def test_api_write_gives_the_command_s_bytes(name, argv, make, tmp_path, monkeypatch):
    with pytest.raises(SystemExit) as e:
        main(["-q", *argv, "-o", str(tmp_path / "cli")])
    assert e.value.code == 0
    (tmp_path / "api").mkdir()
    monkeypatch.chdir(tmp_path / "api")
    make()
    files = sorted(p.name for p in (tmp_path / "api").iterdir())
    assert files and files == sorted(p.name for p in (tmp_path / "cli").iterdir() if p.name != ".attnbio-output")
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "cli", tmp_path / "api", files, shallow=False)
    assert mismatch == [] and errors == []


def test_write_tables_writes_each_table(tmp_path):
    write_tables(tmp_path, [("a.tsv", ["x", "y"], [{"x": 1, "y": 0.5}]), ("b.tsv", ["z"], [[None]])])
    assert read_tsv(tmp_path / "a.tsv") == [{"x": "1", "y": "0.5"}]
    assert (tmp_path / "b.tsv").read_text() == "z\n\n"
