"""From registration to enrollment through the actions (the views and API call the same)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stromalab.web.accounts.actions import SignatureError
from stromalab.web.audit.chain import verify_chain
from stromalab.web.audit.models import AuditEvent
from stromalab.web.donors import actions as donor_actions
from stromalab.web.donors.models import Donor
from stromalab.web.screening import actions
from stromalab.web.screening import models as m

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_complete_screening_is_eligible_with_28_criteria(eligible_donor: Any) -> None:
    donor = eligible_donor()
    s = m.Screening.objects.get(donor=donor)
    assert s.verdict == "eligible", [r for r in s.results if r["status"] != "pass"]
    assert len(s.results) == 28 and {r["status"] for r in s.results} == {"pass"}
    assert [r["id"] for r in s.results][:3] == ["I1", "I2", "I3"]


def test_missing_item_makes_criterion_unknown(study: Any, make_user: Any, screening_data: Any) -> None:
    coord = make_user("coordinator")
    donor = donor_actions.register_donor(study=study, identity={"last_name": "A", "first_name": "B"},
                                         acting_user=coord)
    data = screening_data()
    del data["serology"]
    ev = actions.save_screening(donor=donor, data=data, acting_user=coord)
    status = {r["id"]: r["status"] for r in ev.results}
    assert ev.verdict == "incomplete" and status["E2"] == "unknown" and status["I5"] == "unknown"


def test_change_needs_reason_and_is_audited(eligible_donor: Any) -> None:
    donor = eligible_donor()
    coord = eligible_donor.coordinator
    with pytest.raises(ValidationError, match="reason"):
        actions.save_screening(donor=donor, data={"weight_kg": "48.0"}, acting_user=coord)
    ev = actions.save_screening(donor=donor, data={"weight_kg": "48.0"}, reason="scale recalibrated",
                                acting_user=coord)
    assert ev.verdict == "ineligible"
    assert {r["id"]: r["status"] for r in ev.results}["E1"] == "fail"
    event = AuditEvent.objects.filter(subject=donor.pseudonym, field="weight_kg").order_by("-id").first()
    assert event is not None and event.old == '"62"' and event.new == '"48"'
    assert event.reason == "scale recalibrated" and event.username == coord.username
    assert verify_chain().ok


def test_inconsistent_record_is_refused_naming_the_field(eligible_donor: Any) -> None:
    donor = eligible_donor()
    with pytest.raises(ValidationError) as e:
        actions.save_screening(donor=donor, data={"birth_date": "2100-01-01"}, reason="fix",
                               acting_user=eligible_donor.coordinator)
    assert "birth_date" in str(e.value)
    assert m.Screening.objects.get(donor=donor).birth_date == dt.date(1990, 5, 14)


def test_discrepancy_opens_a_query_that_a_data_manager_closes(eligible_donor: Any, make_user: Any) -> None:
    donor = eligible_donor()
    coord = eligible_donor.coordinator
    # answer "no" to E11 (cancer) but a cancer is recorded: the engine flags a discrepancy
    actions.add_coded_entry(donor=donor, kind="condition", code="ICD10:C50.9", start="2015-01-01",
                            acting_user=coord)
    s = m.Screening.objects.get(donor=donor)
    e11 = next(r for r in s.results if r["id"] == "E11")
    assert e11["status"] == "fail" and e11["discrepancy"]
    query = m.DataQuery.objects.get(screening=s, criterion_id="E11")
    assert query.status == "open" and query.automatic
    # saving again does not open a second query
    actions.save_screening(donor=donor, data={"smoking": "former"}, reason="corrected", acting_user=coord)
    assert m.DataQuery.objects.filter(screening=s, criterion_id="E11").count() == 1
    dm = make_user("data_manager")
    with pytest.raises(PermissionDenied):
        actions.close_query(query=query, acting_user=coord)
    actions.answer_query(query=query, text="history confirmed by GP letter", acting_user=dm)
    actions.close_query(query=query, text="resolved", acting_user=dm)
    query.refresh_from_db()
    assert query.status == "closed"
    assert [x.kind for x in query.messages.all()] == ["open", "answer", "close"]
    assert AuditEvent.objects.filter(record_type="screening.DataQuery", action="query_close").exists()


def test_signed_decision_is_bound_to_the_record(eligible_donor: Any) -> None:
    donor = eligible_donor()
    inv = eligible_donor.investigator
    with pytest.raises(SignatureError):
        actions.sign_decision(donor=donor, password="wrong", acting_user=inv)
    with pytest.raises(PermissionDenied):
        actions.sign_decision(donor=donor, password=PASSWORD, acting_user=eligible_donor.coordinator)
    decision = actions.sign_decision(donor=donor, password=PASSWORD, acting_user=inv)
    s = decision.screening
    assert decision.verdict == "eligible" and actions.decision_matches(decision, s)
    sig = decision.signature
    assert sig.signer == inv and sig.meaning == "approved" and sig.printed_name == inv.get_full_name()
    assert sig.content_hash == decision.record_hash and len(sig.content_hash) == 64
    donor.refresh_from_db()
    assert donor.status == Donor.ELIGIBLE
    actions.save_screening(donor=donor, data={"height_cm": "169.0"}, reason="remeasured",
                           acting_user=eligible_donor.coordinator)
    s.refresh_from_db()
    assert not actions.decision_matches(decision, s)
    with pytest.raises(ValidationError, match="changed after"):
        actions.enroll(donor=donor, acting_user=inv)


def test_incomplete_screening_cannot_be_signed(study: Any, make_user: Any) -> None:
    coord, inv = make_user("coordinator"), make_user("investigator")
    donor = donor_actions.register_donor(study=study, identity={"last_name": "A", "first_name": "B"},
                                         acting_user=coord)
    actions.save_screening(donor=donor, data={"as_of": "2026-03-02", "sex": "male"}, acting_user=coord)
    with pytest.raises(ValidationError, match="incomplete"):
        actions.sign_decision(donor=donor, password=PASSWORD, acting_user=inv)


def test_screen_failure_keeps_its_reasons(eligible_donor: Any) -> None:
    donor = eligible_donor()
    actions.save_screening(donor=donor, data={"smoking": "current"}, reason="donor corrected",
                           acting_user=eligible_donor.coordinator)
    decision = actions.sign_decision(donor=donor, password=PASSWORD, acting_user=eligible_donor.investigator)
    donor.refresh_from_db()
    assert decision.verdict == "ineligible" and donor.status == Donor.SCREEN_FAILURE
    assert [r["id"] for r in decision.failing()] == ["I3"] and decision.failing()[0]["reason"]
    with pytest.raises(ValidationError, match="eligible"):
        actions.enroll(donor=donor, acting_user=eligible_donor.investigator)


def test_enrollment_up_to_the_target_only(eligible_donor: Any, study: Any) -> None:
    inv = eligible_donor.investigator
    slots = [actions.enroll(donor=eligible_donor(sign=True), acting_user=inv) for _ in range(6)]
    assert [s.number for s in slots] == [1, 2, 3, 4, 5, 6]
    seventh = eligible_donor(sign=True)
    with pytest.raises(actions.EnrollmentFull):
        actions.enroll(donor=seventh, acting_user=inv)
    with pytest.raises(ValidationError, match="already enrolled"):
        actions.enroll(donor=slots[0].donor, acting_user=inv)
    assert m.EnrollmentSlot.objects.filter(study=study).count() == 6
    assert Donor.objects.filter(status=Donor.ENROLLED).count() == 6


def test_withdrawal_blocks_data_entry_and_use(eligible_donor: Any, study: Any) -> None:
    donor = eligible_donor(sign=True)
    inv = eligible_donor.investigator
    donor_actions.record_consent(donor=donor, sheet=study.information_sheets.get(), status="withdrawn",
                                 date=dt.date.today(), reason="donor request", acting_user=inv)
    with pytest.raises(donor_actions.DonorLocked):
        actions.save_screening(donor=donor, data={"smoking": "former"}, reason="x",
                               acting_user=eligible_donor.coordinator)
    with pytest.raises(donor_actions.DonorLocked):
        donor_actions.assert_material_use_allowed(donor)
    with pytest.raises(donor_actions.DonorLocked):
        actions.enroll(donor=donor, acting_user=inv)
    # what was recorded is kept
    assert m.Screening.objects.get(donor=donor).weight_kg is not None
