"""Release: refused while a required test is missing or failed, an OOS or a manufacturing
deviation is open, the batch is not in quarantine or the donor's eligibility no longer holds;
four eyes; e-signature with the password re-asked; containers released or rejected with audit;
the certificate of analysis."""

from __future__ import annotations

import base64
import datetime as dt
import zlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stromalab.web.accounts.actions import SignatureError, set_role
from stromalab.web.accounts.models import Signature
from stromalab.web.audit.chain import verify_chain
from stromalab.web.audit.models import AuditEvent
from stromalab.web.manufacturing.models import Batch, Container
from stromalab.web.quality import actions, queries
from stromalab.web.quality import models as m
from stromalab.web.quality.certificate import render

from .conftest import PASSWORD, enter_all

pytestmark = pytest.mark.django_db


def _statuses(batch: Any) -> set[str]:
    return set(Container.objects.filter(batch=batch).values_list("status", flat=True))


def test_complete_passing_batch_is_released_by_another_person(batch: Any, analyst: Any, qp: Any) -> None:
    enter_all(batch, analyst)
    summary = queries.release_summary(batch)
    assert summary.blockers == [] and summary.releasable and summary.eligibility.ok
    decision = actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    sig = decision.signature
    assert sig is not None and sig.meaning == Signature.RELEASED and sig.signer == qp
    assert sig.printed_name == "Quentin Pharmacien"
    batch.refresh_from_db()
    assert batch.status == Batch.RELEASED and _statuses(batch) == {"released"}
    assert queries.decision_matches(queries.release_summary(batch)) is True
    events = AuditEvent.objects.filter(subject=batch.code)
    assert events.filter(action="release", record_type="quality.ReleaseDecision").exists()
    assert events.filter(record_type="manufacturing.Batch", field="status", new='"released"').exists()
    assert events.filter(record_type="manufacturing.Container", field="status", new='"released"').count() == 2
    assert verify_chain().ok
    with pytest.raises(ValidationError, match="already released"):
        actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)


def test_missing_required_test_refuses_release(batch: Any, analyst: Any, qp: Any) -> None:
    enter_all(batch, analyst, skip=("mycoplasma",))
    with pytest.raises(ValidationError) as e:
        actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    assert any("Mycoplasma: missing" in msg for msg in e.value.messages)
    batch.refresh_from_db()
    assert batch.status == "quarantine" and _statuses(batch) == {"quarantine"}
    assert not m.ReleaseDecision.objects.exists() and not Signature.objects.filter(meaning="released").exists()


def test_failed_test_and_open_oos_refuse_release_until_closed_and_corrected(batch: Any, analyst: Any,
                                                                            qp: Any, make_user: Any) -> None:
    results = {r.test_id: r for r in enter_all(batch, analyst, overrides={"hla-dr": "2.4"})}
    oos = m.OosRecord.objects.get()
    with pytest.raises(ValidationError) as e:
        actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    text = " ".join(e.value.messages)
    assert "HLA-DR: fail" in text and f"OOS {oos.pk}" in text
    # the lab finds a calculation error: corrected with a reason, but the OOS still blocks
    actions.correct_result(result=results["hla-dr"], changes={"value": "1.4"}, reason="gate misplaced; re-analysed",
                           acting_user=analyst)
    with pytest.raises(ValidationError, match=f"OOS {oos.pk}"):
        actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    # closing needs a conclusion and the closer's signature; the analyst's role may not close it
    with pytest.raises(PermissionDenied):
        actions.close_oos(oos=oos, conclusion="x", password=PASSWORD, acting_user=analyst)
    closer = make_user("qualified_person", first_name="Clara", last_name="Closer")
    with pytest.raises(ValidationError, match="conclusion"):
        actions.close_oos(oos=oos, conclusion=" ", password=PASSWORD, acting_user=closer)
    with pytest.raises(SignatureError):
        actions.close_oos(oos=oos, conclusion="laboratory error", password="wrong", acting_user=closer)
    oos.refresh_from_db()
    assert oos.status == "open"
    actions.close_oos(oos=oos, conclusion="laboratory error: gate misplaced; re-analysis within limits",
                      password=PASSWORD, acting_user=closer)
    oos.refresh_from_db()
    assert oos.status == "closed" and oos.closed_by == closer and oos.signature.meaning == "reviewed"
    assert oos.signature.matches(oos.signed_content())
    decision = actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    assert decision.decision == "released"


def test_four_eyes_the_analyst_cannot_release_even_with_the_role(batch: Any, analyst: Any, qp: Any,
                                                                  make_user: Any) -> None:
    enter_all(batch, analyst)
    admin = make_user("administrator")
    set_role(user=analyst, role="qualified_person", acting_user=admin, reason="promoted")
    analyst.refresh_from_db()
    with pytest.raises(PermissionDenied, match="four eyes"):
        actions.release_batch(batch=batch, password=PASSWORD, acting_user=analyst)
    with pytest.raises(PermissionDenied, match="four eyes"):
        actions.reject_batch(batch=batch, password=PASSWORD, reason="x", acting_user=analyst)
    assert not m.ReleaseDecision.objects.exists()
    assert actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp).decision == "released"


def test_four_eyes_covers_corrections_by_another_analyst(batch: Any, analyst: Any, make_user: Any) -> None:
    results = enter_all(batch, analyst)
    other = make_user("qc_analyst")
    actions.correct_result(result=results[0], changes={"value": "93"}, reason="recount", acting_user=other)
    set_role(user=other, role="qualified_person", acting_user=make_user("administrator"), reason="moved")
    other.refresh_from_db()
    assert other.pk in queries.qc_participants(batch)
    with pytest.raises(PermissionDenied, match="four eyes"):
        actions.release_batch(batch=batch, password=PASSWORD, acting_user=other)


def test_wrong_password_refuses_the_signature(batch: Any, analyst: Any, qp: Any) -> None:
    enter_all(batch, analyst)
    with pytest.raises(SignatureError, match="password incorrect"):
        actions.release_batch(batch=batch, password="not my password", acting_user=qp)
    batch.refresh_from_db()
    assert batch.status == "quarantine" and _statuses(batch) == {"quarantine"}
    assert not m.ReleaseDecision.objects.exists()


def test_only_the_qualified_person_releases(batch: Any, analyst: Any, make_user: Any) -> None:
    enter_all(batch, analyst)
    for role in ("qc_analyst", "operator", "monitor", "administrator"):
        with pytest.raises(PermissionDenied):
            actions.release_batch(batch=batch, password=PASSWORD, acting_user=make_user(role))


def test_batch_must_be_in_quarantine(make_batch: Any, analyst: Any, qp: Any) -> None:
    batch = make_batch(status="in_process")
    enter_all(batch, analyst)
    with pytest.raises(ValidationError, match="only a batch in quarantine"):
        actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)


def test_withdrawn_consent_blocks_release(batch: Any, analyst: Any, qp: Any, eligible_donor: Any) -> None:
    from stromalab.web.donors import actions as donor_actions

    enter_all(batch, analyst)
    donor = batch.donation.donor
    donor_actions.record_consent(donor=donor, sheet=donor.current_consent().sheet, status="withdrawn",
                                 date=dt.date.today(), reason="donor request",
                                 acting_user=eligible_donor.investigator)
    with pytest.raises(ValidationError, match="consent withdrawn"):
        actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    assert _statuses(batch) == {"quarantine"}


def test_changed_screening_record_blocks_release(batch: Any, analyst: Any, qp: Any, eligible_donor: Any) -> None:
    from stromalab.web.screening import actions as screening_actions

    enter_all(batch, analyst)
    screening_actions.save_screening(donor=batch.donation.donor, data={"weight_kg": "63.0"},
                                     reason="re-weighed", acting_user=eligible_donor.coordinator)
    summary = queries.release_summary(batch)
    assert not summary.eligibility.ok and "no longer matches" in summary.eligibility.text
    with pytest.raises(ValidationError, match="donor eligibility"):
        actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)


def test_reject_needs_a_reason_and_rejects_the_containers(batch: Any, analyst: Any, qp: Any) -> None:
    enter_all(batch, analyst, overrides={"sterility": "growth"})
    with pytest.raises(ValidationError, match="reason"):
        actions.reject_batch(batch=batch, password=PASSWORD, reason="", acting_user=qp)
    d = actions.reject_batch(batch=batch, password=PASSWORD, reason="sterility failure", acting_user=qp)
    assert d.decision == "rejected" and d.signature.meaning == "reviewed"
    batch.refresh_from_db()
    assert batch.status == "rejected" and _statuses(batch) == {"rejected"}
    assert AuditEvent.objects.filter(action="reject", subject=batch.code, reason="sterility failure").exists()


def test_only_released_containers_can_be_dispatched(batch: Any, analyst: Any, qp: Any, make_batch: Any) -> None:
    from stromalab.web.manufacturing import actions as manufacturing

    container = Container.objects.filter(batch=batch).first()
    with pytest.raises(ValidationError):
        manufacturing.dispatch_container(container=container, destination="ward 3", reason="infusion",
                                         acting_user=make_batch.operator)
    enter_all(batch, analyst)
    actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    container.refresh_from_db()
    manufacturing.dispatch_container(container=container, destination="ward 3", reason="infusion",
                                     acting_user=make_batch.operator)
    container.refresh_from_db()
    assert container.status == "dispatched"


def pdf_text(pdf: bytes) -> str:
    """The content streams of a PDF, decoded (ASCII85 and Flate filters), as Latin-1 text:
    enough to find strings set in the base fonts without pdftotext."""
    chunks = []
    for obj in pdf.split(b"endobj"):
        head, sep, rest = obj.partition(b"stream")
        if not sep:
            continue
        data = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0].strip()
        if b"ASCII85Decode" in head:
            data = base64.a85decode(data.removeprefix(b"<~").removesuffix(b"~>"))
        if b"FlateDecode" in head:
            data = zlib.decompress(data)
        chunks.append(data.decode("latin-1"))
    return "\n".join(chunks)


def test_certificate_lists_every_test_and_the_signature(batch: Any, analyst: Any, qp: Any) -> None:
    enter_all(batch, analyst)
    actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    data = queries.certificate_data(batch)
    pdf = render(data, compress=False)
    assert pdf.startswith(b"%PDF")
    assert b"Quentin Pharmacien" in pdf and batch.code.encode() in pdf and b"released" in pdf
    assert b"Signature matches the current content: yes" in pdf
    assert data["signature"]["content_hash"].encode() in pdf
    for name in ("Viability", "Endotoxin", "Karyotype", "HLA-DR", "Ph. Eur. 2.6.27", "Ana Lyst"):
        assert name.encode() in pdf, name
    compressed = render(data)
    assert compressed.startswith(b"%PDF") and "Quentin Pharmacien" in pdf_text(compressed)


def test_certificate_before_release_is_a_draft(batch: Any, analyst: Any) -> None:
    enter_all(batch, analyst, skip=("karyotype",))
    pdf = render(queries.certificate_data(batch), compress=False)
    assert b"draft, not a certificate" in pdf and b"Karyotype: missing" in pdf


# --- manufacturing deviations ------------------------------------------------------------------

def _deviation(batch: Any, operator: Any, description: str = "receipt 30 h after harvest") -> Any:
    from stromalab.web.manufacturing import actions as manufacturing

    return manufacturing.record_deviation(batch=batch, description=description, reason="courier delayed by snow",
                                          acting_user=operator)


def _close_deviation(deviation: Any, user: Any, impact: str = "acceptable",
                     conclusion: str = "viability at isolation within limits") -> Any:
    from stromalab.web.manufacturing import actions as manufacturing

    return manufacturing.close_deviation(deviation=deviation, impact=impact, conclusion=conclusion,
                                         password=PASSWORD, acting_user=user)


def test_open_deviation_blocks_release_until_closed(make_batch: Any, analyst: Any, qp: Any,
                                                    make_user: Any) -> None:
    batch = make_batch()
    first = _deviation(batch, make_batch.operator)
    second = _deviation(batch, make_batch.operator, description="incubator door left open")
    enter_all(batch, analyst)
    summary = queries.release_summary(batch)
    assert not summary.releasable and summary.open_deviations == [first, second]
    with pytest.raises(actions.ReleaseRefused) as e:
        actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    text = " ".join(e.value.messages)
    for d in (first, second):  # each open deviation is named
        assert f"deviation {d.pk} (manual: {d.description}) is open" in text
    batch.refresh_from_db()
    assert batch.status == "quarantine" and _statuses(batch) == {"quarantine"}
    assert not m.ReleaseDecision.objects.exists()
    closer = make_user("qualified_person", first_name="Clara", last_name="Closer")
    _close_deviation(first, closer)
    with pytest.raises(actions.ReleaseRefused) as e:
        actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    text = " ".join(e.value.messages)
    assert f"deviation {second.pk}" in text and f"deviation {first.pk}" not in text
    _close_deviation(second, qp, impact="none", conclusion="temperature log normal throughout")
    summary = queries.release_summary(batch)
    assert summary.blockers == [] and summary.closed_deviations == [first, second]
    content = summary.content("released")["deviations"]
    assert [(d["status"], d["impact"], d["conclusion"]) for d in content] == [
        ("closed", "acceptable", "viability at isolation within limits"),
        ("closed", "none", "temperature log normal throughout")]
    decision = actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    assert decision.decision == "released"
    assert queries.decision_matches(queries.release_summary(batch)) is True
    # the certificate lists the closed deviations with their conclusion and closer
    pdf = render(queries.certificate_data(batch, histograms=False), compress=False)
    for text_ in ("Manufacturing deviations", "incubator door left open", "temperature log normal",
                  "acceptable", "Clara Closer"):
        assert text_.encode() in pdf, text_


def test_deviation_closed_as_product_rejected_blocks_release(batch: Any, analyst: Any, qp: Any,
                                                             make_batch: Any, make_user: Any) -> None:
    deviation = _deviation(batch, make_batch.operator)
    enter_all(batch, analyst)
    _close_deviation(deviation, make_user("qualified_person"), impact="product_rejected",
                     conclusion="cells exposed to room temperature for 6 h")
    with pytest.raises(actions.ReleaseRefused, match=f"deviation {deviation.pk} .*product rejected"):
        actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    d = actions.reject_batch(batch=batch, password=PASSWORD, reason=f"deviation {deviation.pk}", acting_user=qp)
    assert d.decision == "rejected" and _statuses(batch) == {"rejected"}


def test_open_deviation_keeps_the_content_signed_before_closure_existed(make_batch: Any) -> None:
    batch = make_batch()
    deviation = _deviation(batch, make_batch.operator)
    content = queries.release_summary(batch).content("released")
    assert content["deviations"] == [{"id": deviation.pk, "check": "manual", "description": deviation.description,
                                      "reason": "courier delayed by snow"}]


def test_release_page_shows_deviations_as_blocking_then_closed(make_batch: Any, analyst: Any, qp: Any,
                                                               client_as: Any, make_user: Any) -> None:
    batch = make_batch()
    deviation = _deviation(batch, make_batch.operator)
    enter_all(batch, analyst)
    client = client_as("qualified_person", qp)
    body = client.get(f"/quality/batches/{batch.code}/release/").content.decode()
    assert f'id="deviation-{deviation.pk}" data-status="open"' in body and "blocks release" in body
    assert 'id="blockers"' in body and f"deviation {deviation.pk} (manual: {deviation.description}) is open" in body
    assert f"/manufacturing/batches/{batch.code}/#deviation-{deviation.pk}" in body
    response = client.post(f"/quality/batches/{batch.code}/release/", {"decision": "release", "password": PASSWORD},
                           follow=True)
    assert f"deviation {deviation.pk}" in response.content.decode()
    assert batch.__class__.objects.get(pk=batch.pk).status == "quarantine"
    _close_deviation(deviation, make_user("qualified_person", first_name="Clara", last_name="Closer"))
    body = client.get(f"/quality/batches/{batch.code}/release/").content.decode()
    assert f'id="deviation-{deviation.pk}" data-status="closed"' in body and 'data-impact="acceptable"' in body
    assert "viability at isolation within limits" in body and "Clara Closer" in body
    assert 'id="releasable"' in body and 'id="blockers"' not in body
    api = client.get(f"/api/quality/batches/{batch.code}/release").json()
    assert api["open_deviations"] == [] and api["releasable"] is True
    assert [(d["id"], d["status"], d["impact"]) for d in api["deviations"]] == [(deviation.pk, "closed", "acceptable")]
