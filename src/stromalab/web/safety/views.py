"""Donor safety pages: the donations with their testing windows and samples, and the donors'
adverse events. Thin: parse, check the role, call an action, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from stromalab.web.accounts.permissions import has_role, require_role
from stromalab.web.donors.models import Donor
from stromalab.web.feedback import submit_form
from stromalab.web.manufacturing.models import Donation

from . import actions, queries, windows
from . import models as m
from .actions.samples import labels, visit_tests
from .forms import AdverseEventForm, FollowUpForm, ReportForm, SamplesForm
from .permissions import EVENT_ENTRY, READERS, SAMPLE_ENTRY


@require_role(READERS)
def donations(request: Any) -> HttpResponse:
    """The study's donations, their repeat visits, and the serious events still to report."""
    study = settings.STROMALAB_PROTOCOL
    return render(request, "safety/donations.html", {
        "donations": queries.donations(study)[:500],
        "unreported": queries.serious_events_unreported(study),
        "events": m.AdverseEvent.objects.filter(donor__study_id=study).select_related("donor").order_by("-onset_on", "-id")[:500],
    })


def _samples_form(donation: Donation, visit: str, data: Any = None) -> SamplesForm:
    rules = windows.rules(donation.donor.study_id)
    tests = visit_tests(donation, visit)
    return SamplesForm(data, visit=visit, tests=tests, labels=labels(tests),
                       nat_tests=rules.nat_tests if rules is not None else frozenset(),
                       initial=SamplesForm.initial_from(windows.samples(donation, visit)))


@require_role(READERS, write=SAMPLE_ENTRY)
@require_http_methods(["GET", "POST"])
def donation(request: Any, din: str) -> HttpResponse:
    """A donation's testing windows, what keeps its batch from release, and its samples."""
    donation = get_object_or_404(Donation.objects.select_related("donor"), din=din)
    visits = [m.InfectionSample.DONATION, m.InfectionSample.REPEAT]
    forms = {visit: _samples_form(donation, visit) for visit in visits}
    posted = request.POST.get("visit") if request.method == "POST" else None
    if posted in forms:
        form = forms[posted] = _samples_form(donation, posted, request.POST)
        if submit_form(request, form, lambda cd: actions.record_samples(
                donation=donation, visit=form.visit, samples=form.to_samples(), reason=cd["reason"],
                acting_user=request.user), _("Samples recorded.")):
            return redirect("safety:donation", din=din)
    assessment = windows.assessment(donation)
    return render(request, "safety/donation.html", {
        "donation": donation, "donated_on": windows.donated_on(donation), "assessment": assessment,
        "findings": [windows.finding_text(f) for f in assessment.findings] if assessment else [],
        "forms": forms, "repeat_visit": m.RepeatVisit.objects.filter(donation=donation).first(),
        "events": m.AdverseEvent.objects.filter(donor=donation.donor).order_by("onset_on", "id"),
        "can_enter": has_role(request.user, SAMPLE_ENTRY) and donation.donor.data_entry_allowed,
        "can_report": has_role(request.user, EVENT_ENTRY),
    })


@require_role(READERS, write=EVENT_ENTRY)
@require_http_methods(["GET", "POST"])
def event_new(request: Any, pseudonym: str) -> HttpResponse:
    """Enter a donor's adverse event after the donation, signed."""
    donor = get_object_or_404(Donor, pseudonym=pseudonym)
    form = AdverseEventForm(request.POST or None)
    created: list[m.AdverseEvent] = []
    if request.method == "POST" and submit_form(
            request, form, lambda cd: created.append(actions.record_adverse_event(donor=donor, acting_user=request.user, **cd)),
            _("Adverse event recorded and signed.")):
        return redirect("safety:event", event_id=created[0].pk)
    return render(request, "safety/event_new.html", {"donor": donor, "form": form,
                                                     "can_report": has_role(request.user, EVENT_ENTRY)})


@require_role(READERS, write=EVENT_ENTRY)
@require_http_methods(["GET", "POST"])
def event(request: Any, event_id: int) -> HttpResponse:
    """An adverse event: as signed, its follow-up (signed again) and its report date."""
    record = get_object_or_404(m.AdverseEvent.objects.select_related("donor", "signature"), pk=event_id)
    follow = FollowUpForm(initial={"outcome": record.outcome, "seriousness": record.seriousness,
                                   "follow_up": record.follow_up})
    report = ReportForm()
    step = request.POST.get("step") if request.method == "POST" else None
    if step == "follow_up":
        follow = FollowUpForm(request.POST)
        if submit_form(request, follow, lambda cd: actions.follow_up_adverse_event(
                event=record, acting_user=request.user, **cd), _("Follow-up recorded and signed.")):
            return redirect("safety:event", event_id=record.pk)
    elif step == "report":
        report = ReportForm(request.POST)
        if submit_form(request, report, lambda cd: actions.report_adverse_event(
                event=record, acting_user=request.user, **cd), _("Report date recorded.")):
            return redirect("safety:event", event_id=record.pk)
    return render(request, "safety/event.html", {
        "event": record, "follow": follow, "report": report,
        "matches": record.signature.matches(record.signed_content()) if record.signature else None,
        "can_report": has_role(request.user, EVENT_ENTRY),
    })
