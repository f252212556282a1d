"""Reading screening state without changing it: the signed decision, whether it still matches
the record, and the form's live preview (no audit event: nothing is changed)."""

from __future__ import annotations

from typing import Any

from stromalab.web.audit.canonical import sha256_hex
from stromalab.web.donors.models import Donor

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
