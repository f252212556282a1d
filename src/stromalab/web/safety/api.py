"""Donor safety through the API: the same actions and permissions as the pages."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from stromalab.web.accounts.permissions import api_op
from stromalab.web.donors.models import Donor
from stromalab.web.manufacturing.models import Donation

from . import actions, queries, windows
from . import models as m
from .permissions import EVENT_ENTRY, READERS, SAMPLE_ENTRY

router = Router(tags=["safety"])


class SampleOut(Schema):
    visit: str
    test: str
    sampled_on: dt.date
    nat: bool
    result: str


class TestingOut(Schema):
    din: str
    donor: str
    donated_on: dt.date
    window: list[dt.date] | None
    repeat_required: bool
    repeat_due: dt.date | None
    nat_exempt: bool
    findings: list[str]
    samples: list[SampleOut]


class SamplesIn(Schema):
    visit: str
    samples: dict[str, dict[str, Any]]
    reason: str = ""


class EventIn(Schema):
    onset_on: str
    description: str
    seriousness: list[str] = []
    relation: str
    outcome: str
    follow_up: str = ""
    password: str


class FollowUpIn(Schema):
    outcome: str
    seriousness: list[str] = []
    follow_up: str = ""
    reason: str = ""
    password: str


class ReportIn(Schema):
    reported_on: str


class EventOut(Schema):
    id: int
    donor: str
    onset_on: dt.date
    description: str
    seriousness: list[str]
    relation: str
    outcome: str
    follow_up: str
    report_due: dt.date | None
    reported_on: dt.date | None
    signed_by: str

    @staticmethod
    def resolve_donor(e: m.AdverseEvent) -> str:
        return e.donor.pseudonym

    @staticmethod
    def resolve_signed_by(e: m.AdverseEvent) -> str:
        return e.signature.printed_name if e.signature else ""


def _testing(donation: Donation) -> dict[str, Any]:
    found = windows.assessment(donation)
    return {
        "din": donation.din, "donor": donation.donor.pseudonym, "donated_on": windows.donated_on(donation),
        "window": list(found.window) if found else None,
        "repeat_required": bool(found and found.repeat_required), "repeat_due": found.repeat_due if found else None,
        "nat_exempt": bool(found and found.nat_exempt),
        "findings": [windows.finding_text(f) for f in found.findings] if found else [],
        "samples": list(m.InfectionSample.objects.filter(donation=donation).order_by("visit", "test")),
    }


def _donation(din: str) -> Donation:
    return get_object_or_404(Donation.objects.select_related("donor"), din=din)


@api_op(router, "GET", "/donations/{din}", READERS, response=TestingOut)
def get_testing(request: Any, din: str) -> Any:
    return _testing(_donation(din))


@api_op(router, "POST", "/donations/{din}/samples", SAMPLE_ENTRY, response=TestingOut)
def record_samples(request: Any, din: str, payload: SamplesIn) -> Any:
    donation = _donation(din)
    actions.record_samples(donation=donation, visit=payload.visit, samples=payload.samples,
                           reason=payload.reason, acting_user=request.auth)
    return _testing(donation)


@api_op(router, "GET", "/repeat-due", READERS, response=list[TestingOut])
def repeat_due(request: Any) -> Any:
    return [_testing(v.donation) for v in queries.repeat_tests_due(settings.STROMALAB_PROTOCOL)[:500]]


@api_op(router, "GET", "/events/unreported", READERS, response=list[EventOut])
def unreported(request: Any) -> Any:
    return list(queries.serious_events_unreported(settings.STROMALAB_PROTOCOL).select_related("signature")[:500])


@api_op(router, "POST", "/donors/{pseudonym}/events", EVENT_ENTRY, response={201: EventOut})
def record_event(request: Any, pseudonym: str, payload: EventIn) -> Any:
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    return Status(201, actions.record_adverse_event(donor=donor, acting_user=request.auth, **payload.dict()))


@api_op(router, "POST", "/events/{event_id}/follow-up", EVENT_ENTRY, response=EventOut)
def follow_up(request: Any, event_id: int, payload: FollowUpIn) -> Any:
    event = get_object_or_404(m.AdverseEvent, pk=event_id)
    return actions.follow_up_adverse_event(event=event, acting_user=request.auth, **payload.dict())


@api_op(router, "POST", "/events/{event_id}/report", EVENT_ENTRY, response=EventOut)
def report(request: Any, event_id: int, payload: ReportIn) -> Any:
    event = get_object_or_404(m.AdverseEvent, pk=event_id)
    return actions.report_adverse_event(event=event, acting_user=request.auth, reported_on=payload.reported_on)
