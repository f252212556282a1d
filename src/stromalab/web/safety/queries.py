"""Read-only donor safety look-ups: what waits for the investigator (repeat samples due,
serious events to report) and the donations with their testing state."""

from __future__ import annotations

from django.db.models import QuerySet

from stromalab.web.manufacturing.models import Donation

from . import models as m


def repeat_tests_due(study_id: str) -> QuerySet[m.RepeatVisit]:
    """The study's repeat samples (Annex II 2.5) not recorded yet, the soonest due first."""
    return (m.RepeatVisit.objects.filter(state=m.RepeatVisit.DUE, donation__donor__study_id=study_id)
            .select_related("donation__donor").order_by("due_on", "id"))


def serious_events_unreported(study_id: str) -> QuerySet[m.AdverseEvent]:
    """The study's serious adverse events whose report is not recorded, the nearest deadline first."""
    return (m.AdverseEvent.objects.filter(report_due__isnull=False, reported_on__isnull=True,
                                          donor__study_id=study_id)
            .select_related("donor").order_by("report_due", "id"))


def donations(study_id: str) -> QuerySet[Donation]:
    """The study's donations with their repeat visit, newest first (the donor safety page)."""
    return (Donation.objects.filter(donor__study_id=study_id).select_related("donor", "repeat_visit")
            .order_by("-collected_at", "-id"))
