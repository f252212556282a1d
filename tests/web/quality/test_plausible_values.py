"""QC results as people type them (a decimal comma, spaces between thousands) and only plausible
ones: finite, percentages 0-100, counts positive, dates from the collection to today."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from stromalab.web.quality import actions
from stromalab.web.quality.models import OosRecord, QcResult

from .conftest import DOSE

TODAY = dt.date.today()


def _record(batch: Any, analyst: Any, test_id: str, value: str, performed_on: dt.date = TODAY) -> QcResult:
    return actions.record_result(batch=batch, test_id=test_id, value=value, performed_on=performed_on,
                                 requested_dose=DOSE if test_id == "cell-count" else None, acting_user=analyst)


@pytest.mark.parametrize(("test_id", "typed", "stored", "status"), [
    ("endotoxin", "0,8", "0.8", "pass"),
    ("viability", "92,5", "92.5", "pass"),
    ("cd45", "2,01", "2.01", "fail"),
    ("cell-count", "120 000 000", "120000000", "pass"),
    ("cell-count", "120\u202f000\u202f000", "120000000", "pass"),
])
def test_numbers_as_people_write_them(test_id: str, typed: str, stored: str, status: str, batch: Any,
                                      analyst: Any) -> None:
    result = _record(batch, analyst, test_id, typed)
    assert (result.value, result.status) == (stored, status)


@pytest.mark.parametrize(("test_id", "typed", "problem"), [
    ("viability", "250", "a percentage is between 0 and 100"),
    ("cd73", "150", "a percentage is between 0 and 100"),
    ("viability", "-1", "a percentage is between 0 and 100"),
    ("cell-count", "1e400", "a cell count is a positive number"),
    ("cell-count", "0", "a cell count is a positive number"),
    ("endotoxin", "NaN", "expected a number from 0"),
    ("endotoxin", "Infinity", "expected a number from 0"),
    ("endotoxin", "1,5.2", "one decimal separator"),
    ("endotoxin", "low", "expected a number for Endotoxin"),
])
def test_implausible_numbers_are_refused_and_nothing_is_stored(test_id: str, typed: str, problem: str,
                                                                 batch: Any, analyst: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        _record(batch, analyst, test_id, typed)
    assert problem in refused.value.message_dict["value"][0]
    assert not QcResult.objects.exists() and not OosRecord.objects.exists()


def test_a_date_before_the_collection_or_in_the_future_is_refused(batch: Any, analyst: Any) -> None:
    for day, problem in ((dt.date(1, 1, 1), "when the material was collected"),
                         (TODAY - dt.timedelta(days=400), "when the material was collected"),
                         (TODAY + dt.timedelta(days=1), "in the future")):
        with pytest.raises(ValidationError) as refused:
            _record(batch, analyst, "endotoxin", "0.5", performed_on=day)
        assert problem in refused.value.message_dict["performed_on"][0]
    assert not QcResult.objects.exists()


def test_a_correction_meets_the_same_rules(batch: Any, analyst: Any) -> None:
    result = _record(batch, analyst, "viability", "92")
    with pytest.raises(ValidationError, match="between 0 and 100"):
        actions.correct_result(result=result, changes={"value": "920"}, reason="typo", acting_user=analyst)
    corrected = actions.correct_result(result=result, changes={"value": "92,4"}, reason="typo",
                                       acting_user=analyst)
    assert corrected.value == "92.4"


def test_the_page_shows_the_refusal_beside_the_result(batch: Any, analyst: Any, client_as: Any) -> None:
    client = client_as("qc_analyst", analyst)
    page = client.post(f"/quality/batches/{batch.code}/results/",
                       {"test_id": "viability", "value": "250", "performed_on": TODAY.isoformat()}).content.decode()
    assert "a percentage is between 0 and 100" in page and 'class="errorlist' in page
    assert not QcResult.objects.exists()
