"""Fixtures of the register and CAPA tests: the people, a media directory of the test's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.manufacturing.conftest import enrolled_donor, operator, run_batch  # noqa: F401  (batches)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.STROMALAB_MEDIA_DIR = tmp_path / "media"
    return Path(settings.STROMALAB_MEDIA_DIR)


@pytest.fixture()
def qp(make_user: Any) -> Any:
    return make_user("qualified_person", first_name="Paul", last_name="Pharmacien")


@pytest.fixture()
def analyst(make_user: Any) -> Any:
    return make_user("qc_analyst")
