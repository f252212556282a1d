"""Reporting deadlines of serious adverse events (ICH E2A), from the protocol folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from stromalab.core.safety.reporting import DEFAULT, ReportingRules, load_reporting, reporting_for
from stromalab.core.yamlsource import SourceError

FOLDER = Path(__file__).resolve().parents[3] / "protocols" / "NCT05947682"
ONSET = dt.date(2026, 5, 1)


def test_protocol_deadlines() -> None:
    rules = reporting_for(FOLDER)
    assert rules == ReportingRules(7, 15)
    assert rules.deadline(ONSET, ["death"]) == dt.date(2026, 5, 8)
    assert rules.deadline(ONSET, ["hospitalisation", "life_threatening"]) == dt.date(2026, 5, 8)
    assert rules.deadline(ONSET, ["hospitalisation"]) == dt.date(2026, 5, 16)
    assert rules.deadline(ONSET, ["medically_important"]) == dt.date(2026, 5, 16)
    assert rules.deadline(ONSET, []) is None


def test_a_folder_without_the_file_has_ich_e2a_deadlines(tmp_path: Path) -> None:
    assert reporting_for(tmp_path) is DEFAULT == ReportingRules(7, 15)


def test_urgent_longer_than_other_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "NCT05947682"
    folder.mkdir()
    text = (FOLDER / "adverse-events.yaml").read_text(encoding="utf-8")
    (folder / "adverse-events.yaml").write_text(text.replace("other_serious: 15", "other_serious: 5"), encoding="utf-8")
    with pytest.raises(SourceError, match="fatal_or_life_threatening"):
        load_reporting(folder / "adverse-events.yaml")
