from __future__ import annotations

from pathlib import Path

import pytest

#: real instrument files kept in the repository (tests/data/fcs/README.md: origin and licences)
FIXTURES = Path(__file__).resolve().parents[2] / "data" / "fcs"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"FCS fixtures not found at {FIXTURES.resolve()}")
    return FIXTURES
