import sys
from pathlib import Path

import pytest

# The helpers beside this file (scan_fixtures, h5compare) import under any pytest import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import scan_fixtures  # noqa: E402


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """A 1-epoch model, the planted motifs and a 300-record FASTA (see scan_fixtures.build)."""
    return scan_fixtures.shared(tmp_path_factory)
