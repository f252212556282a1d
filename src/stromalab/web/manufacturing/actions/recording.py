"""Recording a step's values: judged against the study's in-process limits, then signed.

A value outside a limit is never silently accepted: without a deviation reason the action
refuses it (:class:`~.guards.LimitBreach`, the transaction rolls back); with one, a
:class:`~..models.Deviation` is recorded in the same transaction. Completing a step stores its
data, moves it to done and signs it with the operator's password (meaning "authored").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.core.manufacturing.release import Result, Status, Verdict, evaluate
from stromalab.web.accounts.actions import sign
from stromalab.web.accounts.models import Signature
from stromalab.web.audit.actions import record_changes, record_event
from stromalab.web.audit.kinds import EventKind

from ..config import in_process_limits
from ..models import Batch, Deviation, Step
from ..queries import study_of
from .guards import LimitBreach
from .inputs import jsonable


def check_limits(batch: Batch, step: Step, checks: Iterable[tuple[str, Any]], deviation_reason: str,
                 acting_user: Any) -> list[Verdict]:
    """Judge ``(limit id, value)`` pairs by the batch's study's limits; the failed ones need a
    deviation reason and are recorded as deviations (otherwise :class:`LimitBreach`). A required
    check without a value (``""``: e.g. no surgery date to compare the harvest with) cannot be
    shown within its limit, so it fails too."""
    spec = in_process_limits(study_of(batch))
    failed = []
    for test_id, value in checks:
        verdict = evaluate(spec.requirement(test_id), Result(test_id, str(value)))
        if verdict.status in (Status.FAIL, Status.INVALID) or (
                verdict.status is Status.MISSING and verdict.required):
            failed.append(verdict)

    def said(v: Verdict) -> str:
        if v.status is Status.MISSING:
            return _("%(name)s not known, so not within the in-process limit %(limit)s") % {
                "name": v.name, "limit": v.limit}
        unit = spec.requirement(v.test_id).unit
        return f"{v.name} {v.value}{' ' + unit if unit else ''} outside the in-process limit {v.limit}"

    reason = (deviation_reason or "").strip()
    if failed and not reason:
        raise LimitBreach(
            f"batch {batch.code}: {step.label}: " + "; ".join(said(v) for v in failed)
            + ": give a deviation reason to record it as a deviation")
    for v in failed:
        deviation = Deviation.objects.create(
            batch=batch, step=step, check_id=v.test_id, value=v.value or "", limit=v.limit,
            description=said(v), reason=reason, recorded_by=acting_user)
        record_event(acting_user=acting_user, action=EventKind.CREATE, record=deviation,
                     new={"check": v.test_id, "value": v.value, "limit": v.limit, "step": step.label,
                          "reason": reason}, reason=reason)
    return failed


def complete(step: Step, data: dict[str, Any], *, password: str, acting_user: Any) -> Signature:
    """Set the data, move the step to done and sign it (meaning "authored"); audited."""
    old_state, old_data = Step.objects.values_list("state", "data").get(pk=step.pk)  # as stored
    now = timezone.now()
    step.data = jsonable({**step.data, **data})
    step.state = Step.DONE
    if step.started_at is None:
        step.started_at, step.started_by = now, acting_user
    step.completed_at, step.completed_by = now, acting_user
    step.save()
    signature = sign(acting_user=acting_user, password=password, meaning=Signature.AUTHORED,
                     record_type="manufacturing.Step", record_id=str(step.pk),
                     content=step.signed_content(), subject=step.batch.code)
    step.signature = signature
    step.save(update_fields=["signature"])
    record_changes(acting_user=acting_user, record=step, require_reason=False, action=EventKind.UPDATE,
                   changes={"state": (old_state, step.state), "data": (old_data or None, step.data)})
    return signature
