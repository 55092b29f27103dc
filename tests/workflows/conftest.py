import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scan"))
import scan_fixtures  # noqa: E402


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """A 1-epoch model, the planted motifs and a 300-record FASTA (see scan_fixtures.build)."""
    return scan_fixtures.shared(tmp_path_factory)
