"""Fixtures for warehouse pre-screening: a synthetic OMOP warehouse configured as source ``test``,
its schedule, and an analyst. The demo source is written under a temporary ``VAR_DIR``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stromalab.core.warehouse import synthetic

AS_OF = synthetic.AS_OF_MAY
RANDOM_PERSONS = 400
#: every random person is on the schedule (abdominal liposuction under general anaesthesia)
SCHEDULED_RANDOM = range(synthetic.RANDOM_FROM, synthetic.RANDOM_FROM + RANDOM_PERSONS)


@pytest.fixture(scope="session")
def warehouse_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic.write(tmp_path_factory.mktemp("omop") / "omop.duckdb", RANDOM_PERSONS, 11, AS_OF)


@pytest.fixture(scope="session")
def schedule_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [*synthetic.PLANTED_SCHEDULE,
            *[(p, "2022-06-20", "liposuction", "abdominal wall", "general") for p in SCHEDULED_RANDOM]]
    return synthetic.write_schedule(tmp_path_factory.mktemp("schedule") / "schedule.csv", rows)


@pytest.fixture(autouse=True)
def _sources(warehouse_db: Path, tmp_path: Path, settings: Any) -> None:
    settings.STROMALAB_WAREHOUSES = f"test={warehouse_db}"
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture()
def analyst(make_user: Callable[..., Any], study: Any) -> Any:
    return make_user("warehouse_analyst", username="analyst")
