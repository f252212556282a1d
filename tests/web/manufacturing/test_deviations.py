"""Closing a deviation: only the qualified person, with the investigation's impact and
conclusion and an e-signature (password re-asked, a wrong one counted toward the lockout);
audited; a closed deviation is never closed again; the page, the API and the batch record PDF."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stromalab.web.accounts.actions import SignatureError, set_role
from stromalab.web.accounts.models import Signature, User
from stromalab.web.audit.chain import verify_chain
from stromalab.web.audit.models import AuditEvent
from stromalab.web.feedback import error_messages
from stromalab.web.manufacturing import actions as a
from stromalab.web.manufacturing import reports
from stromalab.web.manufacturing.models import Deviation
from tests.web.conftest import PASSWORD

CONCLUSION = "Courier delay confirmed; cells within limits at isolation; no impact."


@pytest.fixture()
def qp(make_user: Any) -> Any:
    return make_user("qualified_person", first_name="Quentin", last_name="Pharmacien")


@pytest.fixture()
def deviation(enrolled_donor: Any, run_batch: Any, operator: Any) -> Deviation:
    batch = run_batch(enrolled_donor(), vials=2)
    return a.record_deviation(batch=batch, description="incubator door left open 10 min",
                              reason="door closed, temperature checked", acting_user=operator)


def _state(deviation: Deviation) -> tuple[Any, ...]:
    """The deviation's closure fields, signatures and audit events: unchanged by a refusal."""
    d = Deviation.objects.get(pk=deviation.pk)
    return (d.status, d.impact, d.conclusion, d.closed_at, d.closed_by_id, d.signature_id,
            Signature.objects.count(), AuditEvent.objects.count())


def _close(deviation: Deviation, user: Any, **kw: Any) -> Deviation:
    args = {"impact": "none", "conclusion": CONCLUSION, "password": PASSWORD} | kw
    return a.close_deviation(deviation=deviation, acting_user=user, **args)


def test_the_qualified_person_closes_with_conclusion_and_signature(deviation: Deviation, qp: Any) -> None:
    closed = _close(deviation, qp, impact="acceptable")
    closed.refresh_from_db()
    assert closed.status == "closed" and closed.impact == "acceptable" and closed.conclusion == CONCLUSION
    assert closed.closed_by == qp and closed.closed_at is not None
    sig = closed.signature
    assert sig.meaning == Signature.REVIEWED and sig.signer == qp and sig.printed_name == "Quentin Pharmacien"
    assert sig.record_type == "manufacturing.Deviation" and sig.record_id == str(closed.pk)
    assert closed.signature_matches() is True
    # audited: old and new status, impact and conclusion, with the conclusion as the reason
    events = AuditEvent.objects.filter(record_type="manufacturing.Deviation", record_id=str(closed.pk),
                                       action="close")
    changes = {e.field: (json.loads(e.old), json.loads(e.new)) for e in events}
    assert changes == {"status": ("open", "closed"), "impact": ("", "acceptable"), "conclusion": ("", CONCLUSION)}
    assert {e.user_id for e in events} == {qp.pk} and {e.reason for e in events} == {CONCLUSION}
    assert {e.subject for e in events} == {deviation.batch.code}
    sign = AuditEvent.objects.get(record_type="accounts.Signature", record_id=str(sig.pk))
    assert json.loads(sign.new)["record"] == f"manufacturing.Deviation:{closed.pk}"
    assert verify_chain().ok
    # an edit made behind the application's back shows the closing signature as no longer valid
    Deviation.objects.filter(pk=closed.pk).update(conclusion="something else")
    assert Deviation.objects.get(pk=closed.pk).signature_matches() is False


@pytest.mark.parametrize("role", ["operator", "qc_analyst", "monitor", "investigator", "administrator"])
def test_closing_needs_the_qualified_person_role(role: str, deviation: Deviation, make_user: Any) -> None:
    before = _state(deviation)
    with pytest.raises(PermissionDenied):
        _close(deviation, make_user(role))
    assert _state(deviation) == before


def test_wrong_password_is_refused_and_nothing_is_written(deviation: Deviation, qp: Any) -> None:
    before = _state(deviation)
    with pytest.raises(SignatureError, match="password incorrect"):
        _close(deviation, qp, password="not my password")
    with pytest.raises(SignatureError):
        _close(deviation, qp, password="")
    assert _state(deviation) == before


@pytest.mark.parametrize(("kw", "fragment"), [
    ({"conclusion": ""}, "conclusion"),
    ({"conclusion": "   "}, "conclusion"),
    ({"conclusion": "x" * 4001}, "Conclusion: at most 4000"),
    ({"impact": ""}, "Impact: one of none, acceptable, product_rejected, got ''"),
    ({"impact": "fine"}, "Impact: one of none, acceptable, product_rejected, got 'fine'"),
])
def test_closing_needs_a_conclusion_and_an_impact(kw: dict[str, str], fragment: str, deviation: Deviation,
                                                  qp: Any) -> None:
    before = _state(deviation)
    with pytest.raises(ValidationError) as e:
        _close(deviation, qp, **kw)
    assert fragment in " ".join(error_messages(e.value))
    assert _state(deviation) == before


def test_a_closed_deviation_cannot_be_closed_again(deviation: Deviation, qp: Any, make_user: Any) -> None:
    _close(deviation, qp)
    before = _state(deviation)
    other = make_user("qualified_person", first_name="Clara", last_name="Closer")
    for user, impact in ((qp, "none"), (other, "product_rejected")):
        with pytest.raises(a.TransitionError) as e:
            _close(deviation, user, impact=impact, conclusion="second thoughts")
        text = " ".join(e.value.messages)
        assert f"deviation {deviation.pk}" in text and "already closed" in text and "Quentin Pharmacien" in text
        assert "cannot be closed again or changed" in text and deviation.batch.code in text
    assert _state(deviation) == before
    assert Deviation.objects.count() == 1  # nothing deleted, nothing added


def test_four_eyes_whoever_recorded_it_may_not_close_it(deviation: Deviation, operator: Any,
                                                        make_user: Any) -> None:
    set_role(user=operator, role="qualified_person", acting_user=make_user("administrator"), reason="promoted")
    operator.refresh_from_db()
    before = _state(deviation)
    with pytest.raises(PermissionDenied, match="four eyes"):
        _close(deviation, operator)
    assert _state(deviation) == before


def test_close_from_the_batch_page(deviation: Deviation, qp: Any, client_as: Any) -> None:
    code = deviation.batch.code
    url = f"/manufacturing/batches/{code}/deviations/{deviation.pk}/close/"
    operator_page = client_as("operator").get(f"/manufacturing/batches/{code}/").content.decode()
    assert f'id="deviation-{deviation.pk}"' in operator_page and 'data-status="open"' in operator_page
    assert "close-deviation" not in operator_page
    assert client_as("operator").post(url, {"impact": "none", "conclusion": "x", "password": PASSWORD}
                                      ).status_code == 403
    client = client_as("qualified_person", qp)
    page = client.get(f"/manufacturing/batches/{code}/").content.decode()
    assert f'id="close-deviation-{deviation.pk}-form"' in page and f'action="{url}"' in page
    # a wrong password: refused with a message and counted toward the lockout
    response = client.post(url, {"impact": "none", "conclusion": CONCLUSION, "password": "wrong"}, follow=True)
    assert "password incorrect" in response.content.decode()
    assert User.objects.get(pk=qp.pk).failed_logins == 1
    assert Deviation.objects.get(pk=deviation.pk).status == "open"
    # no conclusion: the form refuses it
    response = client.post(url, {"impact": "none", "conclusion": "", "password": PASSWORD}, follow=True)
    assert "form has errors" in response.content.decode()
    response = client.post(url, {"impact": "acceptable", "conclusion": CONCLUSION, "password": PASSWORD},
                           follow=True)
    body = response.content.decode()
    assert "Deviation closed." in body and 'data-status="closed"' in body and 'data-impact="acceptable"' in body
    assert "Courier delay confirmed" in body and "Quentin Pharmacien" in body
    assert f'id="close-deviation-{deviation.pk}-form"' not in body
    again = client.post(url, {"impact": "none", "conclusion": "again", "password": PASSWORD}, follow=True)
    assert "already closed" in again.content.decode()


def test_close_through_the_api(deviation: Deviation, qp: Any, client_as: Any) -> None:
    code = deviation.batch.code
    url = f"/api/manufacturing/batches/{code}/deviations/{deviation.pk}/close"
    client = client_as("qualified_person", qp)

    def post(body: dict[str, Any], c: Any = client) -> Any:
        return c.post(url, data=json.dumps(body), content_type="application/json")

    assert post({"impact": "none", "conclusion": "x", "password": PASSWORD}, client_as("operator")
                ).status_code == 403
    r = post({"impact": "none", "conclusion": CONCLUSION, "password": "wrong"})
    assert r.status_code == 400 and "password incorrect" in r.json()["detail"][0]
    assert User.objects.get(pk=qp.pk).failed_logins == 1
    r = post({"impact": "none", "conclusion": " ", "password": PASSWORD})
    assert r.status_code == 400 and "conclusion" in r.json()["detail"][0]
    r = post({"impact": "none", "conclusion": CONCLUSION, "password": PASSWORD})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "closed" and body["impact"] == "none" and body["closed_by"] == qp.username
    assert body["signature_matches"] is True and "Quentin Pharmacien" in body["signature"]
    r = post({"impact": "none", "conclusion": CONCLUSION, "password": PASSWORD})
    assert r.status_code == 400 and "already closed" in r.json()["detail"][0]
    listed = client_as("monitor").get(f"/api/manufacturing/batches/{code}/deviations").json()
    assert [(d["id"], d["status"], d["conclusion"]) for d in listed] == [(deviation.pk, "closed", CONCLUSION)]


def test_batch_record_pdf_lists_closed_deviations_with_their_conclusion(deviation: Deviation, qp: Any,
                                                                        operator: Any) -> None:
    open_one = a.record_deviation(batch=deviation.batch, description="label printer jammed",
                                  reason="reprinted", acting_user=operator)
    _close(deviation, qp, impact="acceptable", conclusion="recalibrated")
    pdf = reports.batch_record_pdf(deviation.batch, compress=False)
    assert pdf.startswith(b"%PDF")
    for text in (b"incubator door left open", b"closure", b"recalibrated", b"impact acceptable",
                 b"Quentin Pharmacien", b"reviewed", b"matches the signed content", b"label printer jammed"):
        assert text in pdf, text
    assert b"1 deviation open" in pdf and open_one.status == "open"
