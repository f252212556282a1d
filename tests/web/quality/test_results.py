"""QC results: judged by the core against release.yaml, OOS on failure, corrections with a
reason (audited old/new), voiding, permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stromalab.web.audit.chain import verify_chain
from stromalab.web.audit.models import AuditEvent
from stromalab.web.quality import actions
from stromalab.web.quality import models as m
from tests.web.materials.helpers import instrument

from .conftest import DOSE, PASSING, enter_all

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def test_result_is_judged_and_audited(batch: Any, analyst: Any) -> None:
    instrument("NC-200", analyst)
    r = actions.record_result(batch=batch, test_id="viability", value="70", performed_on=TODAY,
                              instrument="NC-200", acting_user=analyst)
    assert (r.status, r.unit, r.method) == ("pass", "%", "dye exclusion / flow cytometry")
    assert r.limit_text == "≥ 70 %" and r.specification_version == "1.1" and r.analyst == analyst
    event = AuditEvent.objects.get(record_type="quality.QcResult", record_id=str(r.pk), action="create")
    assert event.subject == batch.code and event.username == analyst.username and '"70"' in event.new
    assert not m.OosRecord.objects.exists()


def test_result_outside_limit_opens_an_oos(batch: Any, analyst: Any) -> None:
    r = actions.record_result(batch=batch, test_id="endotoxin", value="2.01", performed_on=TODAY,
                              acting_user=analyst)
    assert r.status == "fail"
    oos = m.OosRecord.objects.get()
    assert (oos.result, oos.status, oos.test_id, oos.value) == (r, "open", "endotoxin", "2.01 EU/mL")
    assert "above the maximum 2" in oos.description
    assert AuditEvent.objects.filter(action="oos_open", record_id=str(oos.pk)).exists()


def test_text_results_and_units(batch: Any, analyst: Any) -> None:
    ok = actions.record_result(batch=batch, test_id="sterility", value="No  Growth", performed_on=TODAY,
                               acting_user=analyst)
    assert (ok.status, ok.value) == ("pass", "no growth")  # the choice named, as the specification writes it
    with pytest.raises(ValidationError) as refused:
        actions.record_result(batch=batch, test_id="viability", value="80", unit="cells",
                              performed_on=TODAY, acting_user=analyst)
    assert refused.value.message_dict == {"unit": ["the unit of Viability is fixed by the specification: %"]}
    same = actions.record_result(batch=batch, test_id="viability", value="80", unit="%", performed_on=TODAY,
                                 acting_user=analyst)
    assert (same.status, same.unit) == ("pass", "%")
    assert not m.OosRecord.objects.exists()


def test_cell_count_needs_the_requested_dose(batch: Any, analyst: Any) -> None:
    with pytest.raises(ValidationError, match="requested dose"):
        actions.record_result(batch=batch, test_id="cell-count", value="1e8", performed_on=TODAY,
                              acting_user=analyst)
    low = actions.record_result(batch=batch, test_id="cell-count", value="90000000", performed_on=TODAY,
                                requested_dose=DOSE, acting_user=analyst)
    assert low.status == "fail" and m.OosRecord.objects.filter(result=low).exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("test_id", "colour", "not a test of release specification"),
    ("value", "", "required"),
    ("performed_on", (TODAY + dt.timedelta(days=2)).isoformat(), "future"),
    ("performed_on", "yesterday", "YYYY-MM-DD"),
])
def test_bad_input_is_refused(batch: Any, analyst: Any, field: str, value: str, message: str) -> None:
    data = {"test_id": "viability", "value": "80", "performed_on": TODAY}
    data[field] = value
    with pytest.raises(ValidationError, match=message):
        actions.record_result(batch=batch, acting_user=analyst, **data)


def test_one_result_per_test_then_corrections(batch: Any, analyst: Any) -> None:
    r = actions.record_result(batch=batch, test_id="cd45", value="3.5", performed_on=TODAY, acting_user=analyst)
    with pytest.raises(ValidationError, match="already has a result"):
        actions.record_result(batch=batch, test_id="cd45", value="1", performed_on=TODAY, acting_user=analyst)
    with pytest.raises(ValidationError, match="reason"):
        actions.correct_result(result=r, changes={"value": "1.5"}, reason="  ", acting_user=analyst)
    r = actions.correct_result(result=r, changes={"value": "1.5"}, reason="transcription error",
                               acting_user=analyst)
    assert r.status == "pass" and r.corrected_by == analyst
    ev = AuditEvent.objects.get(record_type="quality.QcResult", record_id=str(r.pk), field="value")
    assert (ev.old, ev.new, ev.reason, ev.action) == ('"3.5"', '"1.5"', "transcription error", "correct")
    assert AuditEvent.objects.filter(record_id=str(r.pk), field="status", old='"fail"', new='"pass"').exists()
    # the OOS opened by the first value stays open: it must be investigated, not corrected away
    assert m.OosRecord.objects.get(result=r).status == "open"
    assert verify_chain().ok


def test_void_makes_the_test_missing_again(batch: Any, analyst: Any) -> None:
    r = actions.record_result(batch=batch, test_id="karyotype", value="normal", performed_on=TODAY,
                              acting_user=analyst)
    with pytest.raises(ValidationError, match="reason"):
        actions.void_result(result=r, reason="", acting_user=analyst)
    actions.void_result(result=r, reason="entered on the wrong batch", acting_user=analyst)
    r.refresh_from_db()
    assert r.voided_at is not None and m.QcResult.objects.filter(pk=r.pk).exists()  # never deleted
    again = actions.record_result(batch=batch, test_id="karyotype", value="normal", performed_on=TODAY,
                                  acting_user=analyst)
    assert again.pk != r.pk
    assert AuditEvent.objects.filter(action="void", record_id=str(r.pk), reason="entered on the wrong batch").exists()


@pytest.mark.parametrize("role", ["qualified_person", "operator", "monitor", "administrator", "investigator"])
def test_only_qc_analysts_enter_results(batch: Any, make_user: Any, role: str) -> None:
    with pytest.raises(PermissionDenied):
        actions.record_result(batch=batch, test_id="viability", value="80", performed_on=TODAY,
                              acting_user=make_user(role))


def test_results_freeze_after_the_decision(batch: Any, analyst: Any, qp: Any) -> None:
    from ..conftest import PASSWORD

    results = enter_all(batch, analyst)
    actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    with pytest.raises(ValidationError, match="can no longer change"):
        actions.correct_result(result=results[0], changes={"value": "71"}, reason="late", acting_user=analyst)
    assert len(results) == len(PASSING)
