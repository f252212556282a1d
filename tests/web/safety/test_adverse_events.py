"""Adverse events after the donation: entered by the investigator with refusals beside their
fields, signed (a wrong password refused and counted toward the lockout), a serious event's
reporting deadline on the dashboard until its report date is recorded, audited; page and API."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from stromalab.web.accounts.models import User
from stromalab.web.audit.models import AuditEvent
from stromalab.web.safety import queries
from stromalab.web.safety.models import AdverseEvent

from ..conftest import PASSWORD


def _form(onset: dt.date, **extra: Any) -> dict[str, Any]:
    return {"onset_on": onset.isoformat(), "description": "Haematoma of the abdominal wall at the harvest site",
            "seriousness": ["hospitalisation"], "relation": "probable", "outcome": "recovering",
            "password": PASSWORD, **extra}


def test_page_entry_signed_then_reported(make_donation_batch: Callable[..., Any], client_as: Callable[..., Any]) -> None:
    batch = make_donation_batch(days_ago=10)
    investigator = make_donation_batch.investigator
    donor = batch.donation.donor
    client = client_as("investigator", investigator)
    url = f"/safety/donors/{donor.pseudonym}/events/new/"
    donated = timezone.localdate() - dt.timedelta(days=10)
    # an onset before the donation: refused beside the onset date
    body = client.post(url, _form(donated - dt.timedelta(days=1))).content.decode()
    field = body.index('name="onset_on"')
    error = body.rfind(f"before the donation ({donated})", 0, field)
    assert error > 0 and "name=" not in body[error:field]
    # a fatal outcome without the criterion "results in death": refused beside the criteria
    body = client.post(url, _form(donated, outcome="fatal")).content.decode()
    assert "Seriousness criteria (ICH E2A): a fatal outcome and the criterion" in body
    # a wrong password: nothing stored, the failure counted toward the lockout
    client.post(url, _form(donated, password="not my password"))
    assert not AdverseEvent.objects.exists()
    assert User.objects.get(pk=investigator.pk).failed_logins == 1
    onset = donated + dt.timedelta(days=2)
    response = client.post(url, _form(onset))
    event = AdverseEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/safety/events/{event.pk}/"
    assert event.signature is not None and event.signature.signer_id == investigator.pk
    assert event.signature.matches(event.signed_content())
    assert event.report_due == onset + dt.timedelta(days=15)  # serious, not fatal nor life-threatening
    # the deadline waits on the study dashboard until reported
    assert list(queries.serious_events_unreported(donor.study_id)) == [event]
    home = client.get("/").content.decode()
    assert 'id="queue-serious_events_unreported"' in home and f"report due by {event.report_due}" in home
    monitor_home = client_as("monitor").get("/").content.decode()
    assert f"report due by {event.report_due}" in monitor_home
    page = client.get(f"/safety/events/{event.pk}/").content.decode()
    assert 'id="report-due"' in page and "not reported yet" in page
    late = client.post(f"/safety/events/{event.pk}/", {"step": "report", "reported_on": (onset - dt.timedelta(days=1)).isoformat()})
    assert late.status_code == 200 and AdverseEvent.objects.get().reported_on is None
    client.post(f"/safety/events/{event.pk}/", {"step": "report", "reported_on": timezone.localdate().isoformat()})
    assert AdverseEvent.objects.get().reported_on == timezone.localdate()
    assert not queries.serious_events_unreported(donor.study_id).exists()
    assert f"report due by {event.report_due}" not in client.get("/").content.decode()
    events = AuditEvent.objects.filter(record_type="safety.AdverseEvent")
    assert events.filter(action="create").count() == 1
    assert events.filter(action="update", field="reported_on").count() == 1
    assert AuditEvent.objects.filter(action="sign", new__contains=f"safety.AdverseEvent:{event.pk}").count() == 1


def test_follow_up_needs_a_reason_to_change_the_outcome_and_is_signed_again(
        make_donation_batch: Callable[..., Any], client_as: Callable[..., Any]) -> None:
    batch = make_donation_batch(days_ago=3)
    client = client_as("investigator", make_donation_batch.investigator)
    donated = timezone.localdate() - dt.timedelta(days=3)
    client.post(f"/safety/donors/{batch.donation.donor.pseudonym}/events/new/",
                _form(donated, seriousness=[], outcome="recovering"))
    event = AdverseEvent.objects.get()
    assert event.report_due is None  # not serious: no expedited report
    url = f"/safety/events/{event.pk}/"
    body = client.post(url, {"step": "follow_up", "outcome": "recovered", "follow_up": "Resolved at day 10",
                             "password": PASSWORD}).content.decode()
    assert "a reason is required to change outcome" in body and AdverseEvent.objects.get().outcome == "recovering"
    client.post(url, {"step": "follow_up", "outcome": "life_threatening", "password": PASSWORD})
    client.post(url, {"step": "follow_up", "outcome": "recovered", "seriousness": ["life_threatening"],
                      "follow_up": "Readmitted; resolved at day 10", "reason": "follow-up visit", "password": PASSWORD})
    event.refresh_from_db()
    assert event.outcome == "recovered" and event.report_due == event.onset_on + dt.timedelta(days=7)
    assert event.signature is not None and event.signature.matches(event.signed_content())
    assert AuditEvent.objects.filter(record_type="safety.AdverseEvent", field="outcome",
                                     reason="follow-up visit").count() == 1


def test_only_the_investigator_enters_readers_read(make_donation_batch: Callable[..., Any],
                                                   client_as: Callable[..., Any]) -> None:
    batch = make_donation_batch()
    url = f"/safety/donors/{batch.donation.donor.pseudonym}/events/new/"
    assert client_as("coordinator").post(url, _form(timezone.localdate())).status_code == 403
    assert client_as("monitor").get("/safety/").status_code == 200
    assert client_as("operator").get("/safety/").status_code == 403


def test_french_page(make_donation_batch: Callable[..., Any], client_as: Callable[..., Any]) -> None:
    batch = make_donation_batch()
    client = client_as("investigator", make_donation_batch.investigator)
    client.cookies.load({"django_language": "fr"})
    body = client.get(f"/safety/donors/{batch.donation.donor.pseudonym}/events/new/").content.decode()
    shown = html.unescape(body)  # the choices are escaped by the form's widget templates (&#39;)
    assert "Enregistrer un événement indésirable" in body and "nécessite ou prolonge l'hospitalisation" in shown
    assert "Relation avec la procédure" in body and "rétabli avec séquelles" in body


def test_api_entry_follow_up_and_report(make_donation_batch: Callable[..., Any], client_as: Callable[..., Any]) -> None:
    batch = make_donation_batch(days_ago=1)
    investigator = make_donation_batch.investigator
    client = client_as("investigator", investigator)
    onset = timezone.localdate()
    url = f"/api/safety/donors/{batch.donation.donor.pseudonym}/events"
    wrong = client.post(url, content_type="application/json", data={**_form(onset), "password": "nope"})
    assert wrong.status_code == 400 and User.objects.get(pk=investigator.pk).failed_logins == 1
    bad = client.post(url, content_type="application/json", data={**_form(onset), "relation": "maybe"})
    assert bad.status_code == 400 and "relation" in bad.json()["fields"]
    created = client.post(url, content_type="application/json",
                          data={**_form(onset), "seriousness": ["life_threatening"]})
    assert created.status_code == 201
    event = created.json()
    assert event["report_due"] == (onset + dt.timedelta(days=7)).isoformat() and event["signed_by"]
    unreported = client.get("/api/safety/events/unreported").json()
    assert [e["id"] for e in unreported] == [event["id"]]
    followed = client.post(f"/api/safety/events/{event['id']}/follow-up", content_type="application/json",
                           data={"outcome": "recovering", "seriousness": ["life_threatening"],
                                 "follow_up": "Transfused", "password": PASSWORD})
    assert followed.status_code == 200 and followed.json()["follow_up"] == "Transfused"
    reported = client.post(f"/api/safety/events/{event['id']}/report", content_type="application/json",
                           data={"reported_on": onset.isoformat()})
    assert reported.status_code == 200 and reported.json()["reported_on"] == onset.isoformat()
    assert client.get("/api/safety/events/unreported").json() == []
