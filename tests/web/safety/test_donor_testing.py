"""Donor testing windows as a release condition: blocked with the reason in words (English and
French) until the samples are in their windows and the repeat is recorded; the repeat visit in
the investigator's work queue; entry by page and API with refusals beside their fields; audited."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from stromalab.web.audit.models import AuditEvent
from stromalab.web.quality.actions import ReleaseRefused, release_batch
from stromalab.web.quality.queries import release_summary
from stromalab.web.safety import actions, queries
from stromalab.web.safety.models import InfectionSample, RepeatVisit

from ..conftest import PASSWORD
from .conftest import TESTS, samples_on


def _safety_blockers(batch: Any) -> list[str]:
    return [b for b in release_summary(batch).blockers if "infection tests" in b or "tests infectieux" in b]


def test_release_blocked_until_the_repeat_sample_is_recorded(
        make_donation_batch: Callable[..., Any], make_user: Callable[..., Any], client_as: Callable[..., Any]) -> None:
    batch = make_donation_batch(days_ago=200)
    investigator = make_donation_batch.investigator
    donated = timezone.localdate() - dt.timedelta(days=200)
    due = donated + dt.timedelta(days=180)
    assert len(_safety_blockers(batch)) == 10  # no sample date yet, and the repeat due
    # sampled 30 days before the donation, no NAT: in the wide window, a repeat is due on day 180
    visit = actions.record_samples(donation=batch.donation, visit="donation",
                                   samples=samples_on(donated - dt.timedelta(days=30)), acting_user=investigator)
    assert visit is not None and visit.state == RepeatVisit.DUE and visit.due_on == due
    blockers = _safety_blockers(batch)
    assert blockers == [f"donor infection tests: {t}: the repeat sample, due from {due}, is not recorded yet"
                        for t in TESTS]
    with translation.override("fr"):
        assert _safety_blockers(batch)[0] == (f"tests infectieux du donneur : HIV : le prélèvement répété, dû à "
                                              f"partir du {due}, n'est pas encore enregistré")
    qp = make_user("qualified_person")
    with pytest.raises(ReleaseRefused) as refused:
        release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    assert blockers[0] in refused.value.messages
    # the repeat visit waits in the investigator's work queue, with its due date
    assert list(queries.repeat_tests_due(batch.donation.donor.study_id)) == [visit]
    home = client_as("investigator", investigator).get("/").content.decode()
    assert 'id="queue-repeat_tests_due"' in home and f"repeat sample due on {due}" in home
    assert f"/safety/donations/{batch.din}/" in home
    # one day early: recorded, still blocked, still due
    actions.record_samples(donation=batch.donation, visit="repeat", acting_user=investigator,
                           samples=samples_on(due - dt.timedelta(days=1), result="negative"))
    assert all("before" in b for b in _safety_blockers(batch)) and len(_safety_blockers(batch)) == 5
    assert RepeatVisit.objects.get().state == RepeatVisit.DUE
    # corrected to day 180: a change needs a reason
    with pytest.raises(ValidationError) as no_reason:
        actions.record_samples(donation=batch.donation, visit="repeat", acting_user=investigator,
                               samples=samples_on(due, result="negative"))
    assert "reason" in no_reason.value.message_dict
    actions.record_samples(donation=batch.donation, visit="repeat", acting_user=investigator,
                           samples=samples_on(due, result="negative"), reason="date copied from the wrong tube")
    assert _safety_blockers(batch) == [] and release_summary(batch).releasable
    assert RepeatVisit.objects.get().state == RepeatVisit.RECORDED
    assert not queries.repeat_tests_due(batch.donation.donor.study_id).exists()
    release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    # every change audited: the samples, their corrections and the repeat visit's schedule
    events = AuditEvent.objects.filter(record_type__in=("safety.InfectionSample", "safety.RepeatVisit"))
    assert events.filter(record_type="safety.InfectionSample", action="create").count() == 10
    corrected = events.filter(record_type="safety.InfectionSample", action="update", field="sampled_on")
    assert corrected.count() == 5 and {e.reason for e in corrected} == {"date copied from the wrong tube"}
    assert events.filter(record_type="safety.RepeatVisit", field="state", new=json.dumps("recorded")).exists()


def test_donation_sample_outside_its_window(make_donation_batch: Callable[..., Any]) -> None:
    batch = make_donation_batch(days_ago=10)
    donated = timezone.localdate() - dt.timedelta(days=10)
    actions.record_samples(donation=batch.donation, visit="donation", acting_user=make_donation_batch.investigator,
                           samples=samples_on(donated - dt.timedelta(days=31)))
    first = _safety_blockers(batch)[0]
    assert first == (f"donor infection tests: HIV: donation sample taken on {donated - dt.timedelta(days=31)}, outside "
                     f"its window ({donated - dt.timedelta(days=30)} to {donated + dt.timedelta(days=7)})")


def test_nat_on_the_donation_day_spares_the_repeat(make_donation_batch: Callable[..., Any]) -> None:
    batch = make_donation_batch(days_ago=3)
    donated = timezone.localdate() - dt.timedelta(days=3)
    visit = actions.record_samples(donation=batch.donation, visit="donation", acting_user=make_donation_batch.coordinator,
                                   samples=samples_on(donated + dt.timedelta(days=2), nat=True))
    assert visit is None and _safety_blockers(batch) == [] and release_summary(batch).releasable
    assert not RepeatVisit.objects.exists()


def test_page_refusals_beside_their_fields(make_donation_batch: Callable[..., Any], client_as: Callable[..., Any]) -> None:
    batch = make_donation_batch(days_ago=5)
    client = client_as("investigator", make_donation_batch.investigator)
    url = f"/safety/donations/{batch.din}/"
    page = client.get(url).content.decode()
    assert 'name="HIV.sampled_on"' in page and 'name="HIV.nat"' in page and 'name="syphilis.nat"' not in page
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(url, {"visit": "donation", "HIV.sampled_on": tomorrow.isoformat()})
    body = response.content.decode()
    assert response.status_code == 200 and not InfectionSample.objects.exists()
    field = body.index('name="HIV.sampled_on"')
    error = body.rfind("a sample date cannot be in the future", 0, field)
    assert error > 0 and "name=" not in body[error:field]  # just before its field, no other field between
    assert "HIV: sample date: a sample date cannot be in the future" in body  # the message names the label
    client.cookies.load({"django_language": "fr"})
    french = client.post(url, {"visit": "donation", "HIV.sampled_on": tomorrow.isoformat()},
                         HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "HIV : date du prélèvement : une date de prélèvement ne peut pas être dans le futur" in french
    donated = timezone.localdate() - dt.timedelta(days=5)
    ok = client.post(url, {"visit": "donation", **{f"{t}.sampled_on": donated.isoformat() for t in TESTS},
                           "HIV.nat": "on"})
    assert ok.status_code == 302
    assert InfectionSample.objects.filter(visit="donation").count() == 5
    assert InfectionSample.objects.get(test="HIV").nat
    shown = client.get(url).content.decode()
    assert 'id="repeat-due"' in shown and "le prélèvement répété, dû à partir du" in shown  # French since the cookie


def test_readers_see_entry_roles_write(make_donation_batch: Callable[..., Any], client_as: Callable[..., Any]) -> None:
    batch = make_donation_batch()
    url = f"/safety/donations/{batch.din}/"
    assert client_as("qualified_person").get(url).status_code == 200
    assert client_as("qualified_person").post(url, {"visit": "donation"}).status_code == 403
    assert client_as("operator").get(url).status_code == 403


def test_api_samples_and_repeat_due(make_donation_batch: Callable[..., Any], client_as: Callable[..., Any]) -> None:
    batch = make_donation_batch(days_ago=20)
    client = client_as("investigator", make_donation_batch.investigator)
    donated = timezone.localdate() - dt.timedelta(days=20)
    bad = client.post(f"/api/safety/donations/{batch.din}/samples", content_type="application/json",
                      data={"visit": "donation", "samples": {"syphilis": {"sampled_on": donated.isoformat(), "nat": True}}})
    assert bad.status_code == 400 and "syphilis.nat" in bad.json()["fields"]
    ok = client.post(f"/api/safety/donations/{batch.din}/samples", content_type="application/json",
                     data={"visit": "donation", "samples": samples_on(donated)})
    assert ok.status_code == 200
    body = ok.json()
    assert body["repeat_required"] and body["repeat_due"] == (donated + dt.timedelta(days=180)).isoformat()
    assert len(body["findings"]) == 5 and len(body["samples"]) == 5
    due = client.get("/api/safety/repeat-due").json()
    assert [d["din"] for d in due] == [batch.din]
    assert client_as("operator").get(f"/api/safety/donations/{batch.din}").status_code == 403
