"""Deviations: recorded by the operator, closed by the qualified person after investigation.

Deviations from an in-process limit are recorded by the step that found them
(:mod:`.recording`); this module records the others (manual) and closes any of them. An open
deviation blocks the batch's release in the quality app.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from stromalab.web.accounts.permissions import check_role
from stromalab.web.accounts.signed_closure import close_with_signature
from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind

from ..models import Batch, Deviation, Step
from ..permissions import DEVIATION_CLOSERS, WRITERS
from .guards import TransitionError
from .inputs import text


@transaction.atomic(durable=True)
def record_deviation(*, batch: Batch, description: str, reason: str, acting_user: Any,
                     step: Step | None = None) -> Deviation:
    """Record a departure from the process that no in-process limit caught (check ``manual``)."""
    check_role(acting_user, WRITERS)
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if step is not None and step.batch_id != batch.pk:
        raise ValidationError({"step": f"{step.label} is a step of another batch"})
    return open_deviation(batch=batch, step=step, check_id="manual", description=description,
                          reason=reason, acting_user=acting_user)


def open_deviation(*, batch: Batch, check_id: str, description: str, reason: str, acting_user: Any,
                   step: Step | None = None, value: str = "", limit: str = "") -> Deviation:
    """Record an open deviation and its ``create`` event, in the caller's transaction.

    The one way a deviation is opened outside an in-process step: a manual record (above), or a
    check another app runs in its own action (e.g. a shipment's temperature excursion), which
    has checked its role and locked what it needs. The deviation then blocks like any other."""
    deviation = Deviation.objects.create(batch=batch, step=step, check_id=check_id,
                                         description=text(description, "description", max_length=2000),
                                         value=value[:100], limit=limit[:100],
                                         reason=text(reason, "reason", max_length=2000), recorded_by=acting_user)
    new: dict[str, Any] = {"check": check_id, "description": deviation.description,
                           "step": step.label if step else None}
    if value or limit:
        new.update(value=deviation.value, limit=deviation.limit)
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=deviation, new=new,
                 reason=deviation.reason)
    return deviation


def _closed_message(deviation: Deviation) -> str:
    by = deviation.closed_by.printed_name if deviation.closed_by is not None else "?"
    at = f"{deviation.closed_at:%Y-%m-%d %H:%M} UTC" if deviation.closed_at else "?"
    return (f"batch {deviation.batch.code}: {deviation.label} is already closed (by {by} on {at}, "
            f"{deviation.get_impact_display()}): a closed deviation cannot be closed again or changed")


@transaction.atomic(durable=True)
def close_deviation(*, deviation: Deviation, impact: str, conclusion: str, password: str,
                    acting_user: Any) -> Deviation:
    """Close a deviation after its investigation, with the closer's e-signature.

    Who: the qualified person (:data:`~..permissions.DEVIATION_CLOSERS`). Closing a deviation
    decides whether a departure from the process affected the product, which is a quality
    decision: it belongs to the person who weighs the batch record at release (compliance.md:
    "review and release (or reject) batches"), not to the operator who recorded the deviation
    and is party to it. The quality app closes out-of-specification records the same way. Four
    eyes: whoever recorded the deviation may not close it, whatever their role now.

    ``impact`` is the investigation's verdict on the product: ``none``, ``acceptable`` or
    ``product_rejected`` (:attr:`Deviation.IMPACTS`); ``conclusion`` (required) is the summary
    of the investigation. The signature (password re-asked, meaning "reviewed") covers
    :meth:`Deviation.signed_content`; a wrong password raises
    :class:`~stromalab.web.accounts.actions.SignatureError` and nothing is written (the caller
    counts the failure toward the lockout). The change of status, impact and conclusion is
    audited. A closed deviation is never closed again nor changed (:class:`TransitionError`),
    and nothing is deleted. Closing with impact ``product_rejected`` does not change the
    batch: the quality app then refuses release and the qualified person rejects the batch
    there (its own signature and reason).
    """
    check_role(acting_user, DEVIATION_CLOSERS)
    Batch.objects.select_for_update(of=("self",)).get(pk=deviation.batch_id)  # same lock order as release
    deviation = (Deviation.objects.select_for_update(of=("self",))
                 .select_related("batch", "step", "closed_by").get(pk=deviation.pk))
    if deviation.status != Deviation.OPEN:
        raise TransitionError(_closed_message(deviation))
    if deviation.recorded_by_id == acting_user.pk:
        raise PermissionDenied(f"four eyes: {acting_user.username} recorded {deviation.label}; another "
                               "qualified person must close it")
    if impact not in dict(Deviation.IMPACTS):
        raise ValidationError({"impact": f"one of {', '.join(dict(Deviation.IMPACTS))}, got {impact!r}"})
    close_with_signature(deviation, conclusion=conclusion, password=password, acting_user=acting_user,
                         open_status=Deviation.OPEN, closed_status=Deviation.CLOSED,
                         decided={"impact": ("", impact)})
    return deviation
