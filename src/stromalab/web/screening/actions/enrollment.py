"""The signed eligibility decision, the enrollment slots and enrollment itself."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stromalab.web.accounts.actions import sign
from stromalab.web.accounts.models import Signature
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_event
from stromalab.web.audit.canonical import canonical_json, sha256_hex
from stromalab.web.audit.kinds import EventKind
from stromalab.web.donors.actions import (
    assert_data_entry_allowed,
    assert_material_use_allowed,
    set_donor_status,
)
from stromalab.web.donors.models import Donor, Study

from .. import models as m
from ..permissions import DECIDERS
from ..queries import decision_matches, latest_decision
from ..record import evaluate
from ..values import record_problem
from .common import screening_for


class EnrollmentError(ValidationError):
    """The donor cannot be enrolled (already enrolled, no valid signed eligible decision)."""


class EnrollmentFull(EnrollmentError):
    """Every enrollment slot of the study is taken."""


@transaction.atomic(durable=True)
def sign_decision(*, donor: Donor, password: str, acting_user: Any) -> m.EligibilityDecision:
    """The investigator signs the eligibility decision (password re-asked; meaning "approved").

    The signature is bound to the SHA-256 of the canonical JSON of the screening record; the
    verdict and every criterion's status and reason are kept with it (screen failures keep
    their reasons). An incomplete screening cannot be signed.
    """
    check_role(acting_user, DECIDERS)
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    assert_data_entry_allowed(donor)
    screening = screening_for(donor, acting_user)
    ev = evaluate(screening)
    if ev.error:
        raise record_problem(ev.error)
    if ev.verdict == "incomplete":
        unknown = [r["id"] for r in ev.results if r["status"] == "unknown"]
        raise ValidationError(f"screening incomplete: {', '.join(unknown)} unknown")
    decision = m.EligibilityDecision.objects.create(
        screening=screening, verdict=ev.verdict, record_json=canonical_json(ev.record),
        record_hash=sha256_hex(ev.record), results=ev.results)
    signature = sign(acting_user=acting_user, password=password, meaning=Signature.APPROVED,
                     record_type="screening.EligibilityDecision", record_id=str(decision.pk),
                     content=ev.record, subject=donor.pseudonym)
    decision.signature = signature
    decision.save(update_fields=["signature"])
    record_event(acting_user=acting_user, action=EventKind.DECIDE, record=decision,
                 new={"verdict": ev.verdict, "record_hash": decision.record_hash,
                      "failing": [r["id"] for r in ev.results if r["status"] == "fail"]})
    if donor.status != Donor.ENROLLED:
        set_donor_status(donor=donor, acting_user=acting_user,
                         status=Donor.ELIGIBLE if ev.verdict == "eligible" else Donor.SCREEN_FAILURE,
                         reason=f"signed eligibility decision: {ev.verdict}")
    return decision


def ensure_slots(*, study: Study, acting_user: Any) -> int:
    """Create the study's enrollment slot rows up to its target (never removes any).

    A step of loading a protocol (web/bootstrap.py): runs in that transaction.
    """
    have = m.EnrollmentSlot.objects.filter(study=study).count()
    for number in range(have + 1, study.enrollment_target + 1):
        slot = m.EnrollmentSlot.objects.create(study=study, number=number)
        record_event(acting_user=acting_user, action=EventKind.CREATE, record=slot, new={"number": number})
    return study.enrollment_target


@transaction.atomic(durable=True)
def enroll(*, donor: Donor, acting_user: Any) -> m.EnrollmentSlot:
    """Enroll an eligible donor into the first free slot.

    Requires a signed "eligible" decision that still matches the current record, and a signed,
    not withdrawn consent. The study row is locked (``SELECT ... FOR UPDATE``; SQLite's
    ``BEGIN IMMEDIATE``) and the slot is taken with ``UPDATE ... WHERE donor_id IS NULL``:
    when no free slot row is left, :class:`EnrollmentFull` is raised.
    """
    check_role(acting_user, DECIDERS)
    Study.objects.select_for_update().get(pk=donor.study_id)
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    assert_material_use_allowed(donor)
    if m.EnrollmentSlot.objects.filter(donor=donor).exists():
        raise EnrollmentError(f"{donor.pseudonym} is already enrolled")
    screening = m.Screening.objects.filter(donor=donor).first()
    decision = latest_decision(screening)
    if decision is None or decision.verdict != "eligible":
        raise EnrollmentError("no signed eligible decision")
    assert screening is not None
    if not decision_matches(decision, screening):
        raise EnrollmentError("the screening record changed after the decision was signed: sign again")
    free = (m.EnrollmentSlot.objects.filter(study_id=donor.study_id, donor__isnull=True)
            .order_by("number").values_list("pk", flat=True).first())
    if free is None:
        raise EnrollmentFull("enrollment target reached: no free slot")
    now = timezone.now()
    taken = m.EnrollmentSlot.objects.filter(pk=free, donor__isnull=True).update(
        donor=donor, decision=decision, enrolled_at=now, enrolled_by=acting_user)
    if taken != 1:  # pragma: no cover - the lock above makes this unreachable
        raise EnrollmentFull("slot taken concurrently")
    slot = m.EnrollmentSlot.objects.select_related("donor").get(pk=free)
    record_event(acting_user=acting_user, action=EventKind.ENROLL, record=slot, field="donor",
                 new={"donor": donor.pseudonym, "slot": slot.number, "decision": decision.pk})
    set_donor_status(donor=donor, status=Donor.ENROLLED, acting_user=acting_user,
                     reason=f"enrolled in slot {slot.number}")
    return slot
