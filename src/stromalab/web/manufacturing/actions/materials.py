"""The lots a step uses and the instrument a QC result was measured on, held against the
materials and equipment registers (:mod:`stromalab.web.materials.usage`).

A lot in quarantine or expired, or an instrument past its calibration or qualification due
date, is treated like a value outside an in-process limit (:mod:`.recording`): refused
(:class:`~.guards.LimitBreach`, beside the field that named it) unless the operator gives a
deviation reason, and then recorded as a deviation of the batch in the same transaction, which
blocks the release until the qualified person closes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.materials import usage

from ..models import Batch, Deviation, Step
from .guards import LimitBreach

#: the deviation's check for a lot or an instrument not fit for use
LOT_CHECK, INSTRUMENT_CHECK = "material-lot", "instrument"


def record_unfit(batch: Batch, step: Step | None, found: Sequence[tuple[str, str]], deviation_reason: str,
                 acting_user: Any, *, check_id: str, limit: str) -> list[Deviation]:
    """``found``: ``(field, problem)`` pairs; without a reason each is refused beside its field,
    with one each becomes a deviation (audited)."""
    reason = (deviation_reason or "").strip()
    if found and not reason:
        by_field: dict[str, list[str]] = {}
        for field, problem in found:
            by_field.setdefault(field, []).append(
                _("%(problem)s: give a deviation reason to record it as a deviation") % {"problem": problem})
        raise LimitBreach(by_field)
    deviations = []
    for _field, problem in found:
        deviation = Deviation.objects.create(batch=batch, step=step, check_id=check_id, description=problem,
                                             limit=limit, reason=reason, recorded_by=acting_user)
        record_event(acting_user=acting_user, action=EventKind.CREATE, record=deviation,
                     new={"check": check_id, "description": problem, "limit": limit,
                          "step": step.label if step is not None else None, "reason": reason}, reason=reason)
        deviations.append(deviation)
    return deviations


def use_lots(batch: Batch, step: Step, uses: Sequence[usage.Use], deviation_reason: str, acting_user: Any) -> None:
    """Record the step's lots (deviations first for the unfit ones), in the step's transaction."""
    record_unfit(batch, step, usage.problems(uses), deviation_reason, acting_user, check_id=LOT_CHECK,
                 limit="released, not expired")
    usage.record_uses(uses, batch=batch, step=step, acting_user=acting_user)
