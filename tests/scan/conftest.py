import pytest

import scan_fixtures


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """A 1-epoch model, the planted motifs and a 300-record FASTA (see scan_fixtures.build)."""
    return scan_fixtures.shared(tmp_path_factory)
