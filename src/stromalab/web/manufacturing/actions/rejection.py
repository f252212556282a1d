"""Stopping material: a rejected step rejects its batch; a withdrawn consent blocks containers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from stromalab.core.manufacturing import batch_record
from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_changes
from stromalab.web.audit.kinds import EventKind
from stromalab.web.donors.actions import assert_material_use_allowed
from stromalab.web.donors.models import Donor

from ..models import Batch, Container, Step
from ..permissions import WRITERS
from .guards import TransitionError, lock
from .inputs import text


@transaction.atomic(durable=True)
def reject_step(*, step: Step, reason: str, acting_user: Any) -> Step:
    """Reject a planned or in-progress step: the batch is rejected, its containers too."""
    check_role(acting_user, WRITERS)
    reason = text(reason, "reason", max_length=1000)
    batch = lock(step.batch, material_use=False)
    step = Step.objects.select_for_update().get(pk=step.pk)
    refused = batch_record.rejection_refusal(step.kind, step.number, step.state)
    if refused:
        raise TransitionError(f"batch {batch.code}: {refused}")
    old = step.state
    step.state, step.rejected_reason = Step.REJECTED, reason
    step.completed_at, step.completed_by = timezone.now(), acting_user
    step.save()
    record_changes(acting_user=acting_user, record=step, changes={"state": (old, step.state)}, reason=reason,
                   action=EventKind.UPDATE)
    old_status = batch.status
    batch.status = Batch.REJECTED
    batch.save(update_fields=["status"])
    record_changes(acting_user=acting_user, record=batch, changes={"status": (old_status, batch.status)},
                   reason=f"{step.label} rejected: {reason}", action=EventKind.UPDATE)
    for c in Container.objects.select_for_update().filter(batch=batch, status=Container.QUARANTINE):
        c.status = Container.REJECTED
        c.save(update_fields=["status"])
        record_changes(acting_user=acting_user, record=c, changes={"status": (Container.QUARANTINE, c.status)},
                       reason=f"batch rejected: {reason}", action=EventKind.UPDATE)
    return step


@transaction.atomic(durable=True)
def block_withdrawn_containers(*, donor: Donor, acting_user: Any, reason: str = "consent withdrawn") -> int:
    """Mark ``blocked`` every container of a donor whose material may no longer be used
    (the computed :attr:`Container.effective_status` already shows them blocked; this records
    it in the containers' own status, audited). Returns the number marked."""
    check_role(acting_user, WRITERS)
    try:
        assert_material_use_allowed(donor)
    except PermissionDenied:
        pass
    else:
        raise ValidationError(f"{donor.pseudonym}: consent is valid; nothing to block")
    n = 0
    for c in Container.objects.select_for_update().filter(batch__donation__donor=donor).exclude(
            status__in=(Container.BLOCKED, Container.DISPATCHED)):
        old = c.status
        c.status = Container.BLOCKED
        c.save(update_fields=["status"])
        record_changes(acting_user=acting_user, record=c, changes={"status": (old, c.status)}, reason=reason,
                       action=EventKind.UPDATE)
        n += 1
    return n
