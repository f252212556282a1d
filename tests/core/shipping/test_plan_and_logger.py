"""The shipping plan (protocols/<id>/shipping.yaml) and the logger file, in the core (no Django)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest

from stromalab.core.shipping.logger import (
    LoggerFileError,
    read_logger_csv,
    temperature_excursion,
    transit_excursion,
)
from stromalab.core.shipping.plan import SourceError, load_plan

PLAN = Path(__file__).resolve().parents[3] / "protocols" / "NCT05947682" / "shipping.yaml"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def test_the_study_plan_loads() -> None:
    plan = load_plan(PLAN)
    assert plan.limits.temperature_max_c == Decimal(-150) and plan.limits.max_transit_hours == 48
    assert plan.choice("sites", "aphp-cochin") is not None and plan.choice("sites", "elsewhere") is None
    assert plan.packings[0].label("fr").startswith("Conteneur")


def test_a_plan_mistake_names_its_line_and_key(tmp_path: Path) -> None:
    folder = tmp_path / "NCT05947682"
    folder.mkdir()
    path = folder / "shipping.yaml"
    path.write_text(PLAN.read_text(encoding="utf-8").replace("max_transit_hours: 48", "max_transit_hours: 0"),
                    encoding="utf-8")
    with pytest.raises(SourceError, match=r"shipping.yaml:\d+: limits.max_transit_hours"):
        load_plan(path)


def test_french_csv_and_excursions() -> None:
    readings = read_logger_csv("time;temperature_c\r\n01/03/2026 10:00;-182,5\r\n01/03/2026 10:10;\u2212149,5\r\n"
                               .encode(), zone=PARIS, latest=NOW)
    assert readings[0].at == dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    excursion = temperature_excursion(readings, load_plan(PLAN).limits)
    assert excursion is not None and excursion.value == "-149.5 °C" and len(excursion.readings) == 1
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert transit_excursion(start, start + dt.timedelta(hours=48), load_plan(PLAN).limits) is None
    assert transit_excursion(start, start + dt.timedelta(hours=49), load_plan(PLAN).limits) is not None


def test_a_future_reading_is_refused_by_row() -> None:
    with pytest.raises(LoggerFileError) as refused:
        read_logger_csv(b"time,temperature_c\n2030-01-01T00:00:00+00:00,-180\n", zone=PARIS, latest=NOW)
    assert (refused.value.kind, refused.value.row) == ("when", 2)
