"""benchmarks/motifs_suite.py --from-save: --rescore / --rediscover refuse a folder that is no
saved run (the committed results keep result.json only) and write nothing into it."""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
import motifs_suite  # noqa: E402


@pytest.mark.parametrize("flag", ["--rescore", "--rediscover"])
def test_from_save_refuses_committed_results(tmp_path, capsys, flag):
    run = tmp_path / "independent" / "seed0"
    run.mkdir(parents=True)
    (run / "result.json").write_text(json.dumps({"config": "independent", "seed": 0}))
    assert motifs_suite.main(["--from-save", str(tmp_path), flag]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not a saved run" in err
    assert sorted(p.name for p in run.iterdir()) == ["result.json"]
