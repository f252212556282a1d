from __future__ import annotations

from pathlib import Path

import pytest

#: CI clones the repository with a copy of ``shared/`` beside it: <repo>/../shared/fixtures/fcs
FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "fcs"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"FCS fixtures not found at {FIXTURES.resolve()}")
    return FIXTURES
