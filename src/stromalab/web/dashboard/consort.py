"""The screening log in CONSORT style: registered → screened → eligible → consented → enrolled →
donated, with how many fall out at each step and why, where the record says.

Each step counts the donors who passed every step before it (a funnel: an enrolled donor who
later withdrew falls out at consent), non-voided donors of the study only. All the counts come
from one aggregate query over the donors (their screening and enrollment slot joined one to one,
their current consent and their donation as correlated subqueries): no loop over donors in Python.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, Count, OuterRef, Q, Subquery, When
from django.utils.translation import gettext_lazy as _

from stromalab.web.donors.models import Consent, Donor, Study
from stromalab.web.manufacturing.models import Donation

from .freshness import as_of_last_change


@dataclass(frozen=True)
class Exclusion:
    """Donors who fell out at a step, and why (``key``: a stable name for the API)."""

    key: str
    reason: Any  # lazily translated text
    count: int


@dataclass(frozen=True)
class Stage:
    """One step of the log: how many reached it, and who of the previous step did not, why."""

    key: str
    label: Any
    count: int
    excluded: tuple[Exclusion, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.key, "count": self.count,
                "excluded": {e.key: e.count for e in self.excluded}}


def donor_counts(study: Study, version: str) -> dict[str, int]:
    """Every count of the study's non-voided donors the dashboard shows, in one query, counted
    once per change of the study (``version``, :func:`.freshness.current_version`) whatever the
    languages the dashboard is read in: the screening log and the "donors to screen" queue read
    the same count, not two scans of the donors."""
    return as_of_last_change("donor_counts", study.pk, lambda: _count_donors(study), version=version,
                             translated=False)


def _count_donors(study: Study) -> dict[str, int]:
    names, sql, params = _compiled_counts(connection.vendor, study.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return dict(zip(names, row or (0,) * len(names), strict=True))


@functools.lru_cache(maxsize=16)
def _compiled_counts(vendor: str, study_id: str) -> tuple[tuple[str, ...], str, tuple[Any, ...]]:
    """The counting query's SQL, built by the ORM once per process (per engine and study).

    Every change of the study makes the dashboard count again (web/dashboard/freshness.py), and
    the ORM took longer to compile this aggregate of fourteen filtered counts over two
    correlated subqueries than the database to run it over 10,000 donors (docs/performance.md).
    The parameters are the study's id and constants, so the SQL stays right for the process's
    life. Grouped by study: the one row of the study (none when it has no donor), its columns the
    counts' names in the order returned."""
    current_consent = (Consent.objects.filter(donor=OuterRef("pk"), voided_at__isnull=True)
                       .order_by("-date", "-id").values("status")[:1])
    # the subqueries run only for the donors whose step needs them (eligible; enrolled), not for
    # every donor; a subquery, not Exists(), for the donation: Django 5.2 leaves a boolean Exists()
    # out of the inner query an aggregate over annotations reads from (the filter then named a
    # missing column)
    donors = Donor.objects.filter(study_id=study_id, voided_at__isnull=True).annotate(
        consent=Case(When(screening__verdict="eligible", then=Subquery(current_consent))),
        donation=Case(When(enrollment_slot__isnull=False,
                           then=Subquery(Donation.objects.filter(donor=OuterRef("pk")).values("pk")[:1]))))
    screened = Q(screening__as_of__isnull=False)
    eligible = screened & Q(screening__verdict="eligible")
    withdrawn = Q(withdrawn_at__isnull=False) | Q(consent=Consent.WITHDRAWN)
    consented = eligible & Q(withdrawn_at__isnull=True, consent=Consent.SIGNED)
    enrolled = consented & Q(enrollment_slot__isnull=False)
    counts = {
        "registered": Count("id"),
        "withdrawn": Count("id", filter=Q(withdrawn_at__isnull=False)),
        "eligible_any": Count("id", filter=Q(screening__verdict="eligible")),
        "ineligible_any": Count("id", filter=Q(screening__verdict="ineligible")),
        "incomplete_any": Count("id", filter=Q(screening__verdict="incomplete")),
        "screened": Count("id", filter=screened),
        "screened_ineligible": Count("id", filter=screened & Q(screening__verdict="ineligible")),
        "eligible": Count("id", filter=eligible),
        "eligible_withdrawn": Count("id", filter=eligible & withdrawn),
        "eligible_refused": Count("id", filter=eligible & ~withdrawn & Q(consent=Consent.REFUSED)),
        "consented": Count("id", filter=consented),
        "enrolled": Count("id", filter=enrolled),
        "donated": Count("id", filter=enrolled & Q(donation__isnull=False)),
        # the "donors to screen" queue's length (screening.queries.donors_to_screen's rows)
        "to_screen": Count("id", filter=Q(withdrawn_at__isnull=True)
                           & (Q(screening__isnull=True) | Q(screening__verdict="incomplete"))),
    }
    names = tuple(counts)
    sql, params = donors.order_by().values("study_id").annotate(**counts).values(*names).query.sql_with_params()
    return names, sql, tuple(params)


def screening_log(counts: dict[str, int], *, slots_left: int) -> tuple[Stage, ...]:
    """The log's steps from :func:`donor_counts`; ``slots_left`` says whether an eligible,
    consented donor not enrolled waits for enrollment or found the study full."""
    c = counts
    screened_incomplete = c["screened"] - c["screened_ineligible"] - c["eligible"]
    no_consent = c["eligible"] - c["consented"] - c["eligible_withdrawn"] - c["eligible_refused"]
    not_enrolled = c["consented"] - c["enrolled"]
    return (
        Stage("registered", _("Registered"), c["registered"]),
        Stage("screened", _("Screened"), c["screened"], (
            Exclusion("not_screened", _("not screened yet"), c["registered"] - c["screened"]),)),
        Stage("eligible", _("Eligible"), c["eligible"], (
            Exclusion("ineligible", _("ineligible (criteria below)"), c["screened_ineligible"]),
            Exclusion("incomplete", _("screening incomplete"), screened_incomplete))),
        Stage("consented", _("Consented"), c["consented"], (
            Exclusion("withdrawn", _("consent withdrawn"), c["eligible_withdrawn"]),
            Exclusion("refused", _("consent refused"), c["eligible_refused"]),
            Exclusion("no_consent", _("no signed consent recorded"), no_consent))),
        Stage("enrolled", _("Enrolled"), c["enrolled"], (
            Exclusion("study_full" if slots_left <= 0 else "awaiting_enrollment",
                      _("enrollment target reached") if slots_left <= 0 else _("awaiting enrollment"),
                      not_enrolled),)),
        Stage("donated", _("Donated"), c["donated"], (
            Exclusion("awaiting_harvest", _("awaiting harvest"), c["enrolled"] - c["donated"]),)),
    )
