"""Reading screening state without changing it: the signed decision, whether it still matches
the record, and the form's live preview (no audit event: nothing is changed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from stromalab.web.audit.canonical import sha256_hex
from stromalab.web.donors.models import Donor, Study

from . import models as m
from .record import Evaluation, build_record, evaluate
from .values import apply_data


def latest_decision(screening: m.Screening | None) -> m.EligibilityDecision | None:
    """The last signed eligibility decision of ``screening`` (None when none was signed)."""
    if screening is None:
        return None
    return (m.EligibilityDecision.objects.select_related("signature")
            .filter(screening=screening, signature__isnull=False).order_by("-id").first())


def decision_matches(decision: m.EligibilityDecision, screening: m.Screening) -> bool:
    """True while the current record is exactly the one signed."""
    return sha256_hex(build_record(screening)) == decision.record_hash


def preview_screening(*, donor: Donor, data: dict[str, Any]) -> Evaluation:
    """What the criteria would be if ``data`` were saved: the form's live status.

    The same :func:`apply_data` as saving is applied to an in-memory copy of the screening.
    """
    screening = m.Screening.objects.select_related("donor").filter(donor=donor).first()
    if screening is None:
        screening = m.Screening(donor=donor)
    apply_data(screening, data)
    return evaluate(screening)


# --- what waits for someone (the dashboard's work queues), oldest first ---------------------

def donors_to_screen(study: Study) -> QuerySet[Donor]:
    """The study's donors still in the study (not voided, not withdrawn) whose screening is not
    done: none started, or a verdict still incomplete. Only the pseudonym and whether a screening
    exists are read: a screening row carries the engine's results (a JSON list per row)."""
    return (Donor.objects.filter(study=study, voided_at__isnull=True, withdrawn_at__isnull=True)
            .filter(Q(screening__isnull=True) | Q(screening__verdict="incomplete"))
            .select_related("screening").only("pseudonym", "sequence", "screening__id").order_by("sequence"))


def data_queries(study: Study, status: str) -> QuerySet[m.DataQuery]:
    """The study's data queries in ``status`` (open: to answer; answered: to close), with
    their donor, for donors whose record is not voided."""
    return (m.DataQuery.objects.filter(screening__donor__study=study, screening__donor__voided_at__isnull=True,
                                       status=status)
            .select_related("screening__donor").order_by("opened_at", "id"))


def listed_queries(params: Mapping[str, str]) -> tuple[QuerySet[m.DataQuery], dict[str, str]]:
    """The data queries page's rows (newest first; ``status``: open by default, ``all``) and the
    filters in force: the page and its CSV/Excel export (web/exports/tables) read the same rows."""
    status = params.get("status", m.DataQuery.OPEN)
    qs = m.DataQuery.objects.select_related("screening__donor").order_by("-id")
    if status in dict(m.DataQuery.STATUSES):
        qs = qs.filter(status=status)
    return qs, {"status": status}


def screenings_to_sign(study: Study) -> QuerySet[m.Screening]:
    """Screenings with a final verdict (eligible or ineligible) and no eligibility decision
    signed since the record last changed: the investigator's signature is due (again)."""
    signed_since = m.EligibilityDecision.objects.filter(
        screening=OuterRef("pk"), signature__isnull=False, decided_at__gte=OuterRef("updated_at"))
    return (m.Screening.objects.filter(donor__study=study, donor__voided_at__isnull=True,
                                       donor__withdrawn_at__isnull=True, verdict__in=("eligible", "ineligible"))
            .exclude(Exists(signed_since)).select_related("donor").order_by("updated_at", "id"))
