"""The batch record's guards: locks, the state machine's refusals, and opening a step.

Which step may follow which is decided once, by :mod:`stromalab.core.manufacturing.batch_record`;
this module hands it the batch's steps as stored (locked) and turns its refusal into a
:class:`TransitionError` naming the batch. A step row that does not exist yet is created here,
with its ``create`` audit event, so no step ever appears without one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from stromalab.core.manufacturing import batch_record
from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.donors.actions import DonorLocked, assert_material_use_allowed

from ..models import Batch, Step


class TransitionError(ValidationError):
    """A step recorded out of order, or on a batch/step in the wrong state."""


class LimitBreach(ValidationError):
    """A value outside an in-process limit, recorded without a deviation reason."""


def lock(batch: Batch, *, material_use: bool = True) -> Batch:
    """Lock the batch row; refuse a rejected or voided batch and, when the step uses the
    material (``material_use``), a donor whose consent no longer allows it."""
    locked = Batch.objects.select_for_update(of=("self",)).select_related("donation__donor").get(pk=batch.pk)
    closed = batch_record.batch_refusal(locked.status)
    if closed:
        raise TransitionError(f"batch {locked.code}: {closed}")
    if material_use:
        try:
            assert_material_use_allowed(locked.donation.donor)
        except PermissionDenied as e:
            raise DonorLocked(f"batch {locked.code}: {e}; the material may not be processed further") from e
    return locked


def steps_of(batch: Batch) -> dict[tuple[str, int], Step]:
    """The batch's steps, locked, by ``(kind, number)``."""
    return {(s.kind, s.number): s for s in Step.objects.select_for_update().filter(batch=batch)}


def require(batch: Batch, move: str) -> dict[tuple[str, int], Step]:
    """The batch's steps (locked) when ``move`` may be recorded now, else :class:`TransitionError`."""
    steps = steps_of(batch)
    refused = batch_record.refusal([(k, n, s.state) for (k, n), s in steps.items()], move,
                                   batch_status=batch.status)
    if refused:
        raise TransitionError(f"batch {batch.code}: {refused}")
    return steps


def create_step(batch: Batch, kind: str, *, acting_user: Any, number: int = 0, **fields: Any) -> Step:
    """A new step row, audited (``create`` with its kind, number, state and any data)."""
    step = Step.objects.create(batch=batch, kind=kind, number=number, **fields)
    new: dict[str, Any] = {"kind": kind, "number": number, "state": step.state}
    if step.data:
        new["data"] = step.data
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=step, new=new)
    return step


def open_step(batch: Batch, steps: dict[tuple[str, int], Step], kind: str, *, acting_user: Any) -> Step:
    """The step of ``kind`` about to be recorded: the planned row, or a new one (audited)."""
    return steps.get((kind, 0)) or create_step(batch, kind, acting_user=acting_user)
