"""QC results: entered once per test, judged by the core against the release specification,
corrected with a reason (every changed field audited old and new) or voided, never deleted.
A result outside its limit opens an out-of-specification record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import ReasonRequired, record_changes, record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.manufacturing.actions.materials import INSTRUMENT_CHECK, record_unfit
from stromalab.web.manufacturing.models import Batch
from stromalab.web.materials.usage import judge_instrument

from .. import models as m
from ..permissions import ANALYSTS
from ..queries import judge, specification
from .inputs import clean_date, clean_dose, clean_text, clean_unit, clean_value, requirement_of
from .oos import open_oos_if_failed

#: the fields of a result that a correction may change
CORRECTABLE = ("value", "unit", "method", "instrument", "performed_on", "requested_dose")


def lock_open_batch(batch: Batch) -> Batch:
    """The batch, locked for this transaction; refused once its QC results may no longer change
    (batch neither in process nor in quarantine, or a release decision taken)."""
    batch = Batch.objects.select_for_update().select_related("donation__donor").get(pk=batch.pk)
    if batch.status not in (Batch.IN_PROCESS, Batch.QUARANTINE):
        raise ValidationError(f"batch {batch.code} is {batch.get_status_display()}: QC results can no longer change")
    if m.ReleaseDecision.objects.filter(batch=batch).exists():
        raise ValidationError(f"batch {batch.code} has a release decision: QC results can no longer change")
    return batch


def collected_on(batch: Batch) -> dt.date:
    """The day the batch's material was collected: no test of it can be older."""
    return timezone.localtime(batch.donation.collected_at).date()


@transaction.atomic(durable=True)
def record_result(*, batch: Batch, test_id: str, value: Any, performed_on: Any, acting_user: Any,
                  unit: str | None = None, method: str = "", instrument: str = "",
                  requested_dose: Any = None, deviation_reason: str = "") -> m.QcResult:
    """Enter a QC result for a test of the batch's release specification.

    ``instrument`` is the identifier of an instrument of the register (materials app), or empty;
    one past its calibration or qualification due date on ``performed_on`` needs
    ``deviation_reason`` and is then recorded as a deviation of the batch.

    ``method`` defaults to the specification's; ``unit`` is the specification's (another one is
    refused). A test with choices takes one of them. The result is judged by the core at
    once; a result outside its limit opens an out-of-specification record. A test that already
    has a result is changed with :func:`correct_result` (with a reason), not entered twice.
    """
    check_role(acting_user, ANALYSTS)
    return _enter_result(batch=batch, test_id=test_id, value=value, performed_on=performed_on,
                         acting_user=acting_user, unit=unit, method=method, instrument=instrument,
                         requested_dose=requested_dose, deviation_reason=deviation_reason)


def _enter_result(*, batch: Batch, test_id: str, value: Any, performed_on: Any, acting_user: Any,
                  unit: str | None = None, method: str = "", instrument: str = "",
                  requested_dose: Any = None, panel: m.FcsPanel | None = None,
                  deviation_reason: str = "") -> m.QcResult:
    """The body of :func:`record_result`, also used by a panel upload (``panel``: the result is
    the panel's), in the caller's transaction; the caller has checked the role."""
    batch = lock_open_batch(batch)
    spec = specification(batch)
    requirement = requirement_of(spec, test_id)
    if m.QcResult.objects.filter(batch=batch, test_id=requirement.id, voided_at__isnull=True).exists():
        raise ValidationError({"test_id": f"{requirement.name} already has a result for {batch.code}: "
                                          "correct it (with a reason) instead"})
    result = m.QcResult(
        batch=batch, test_id=requirement.id, test_name=requirement.name,
        value=clean_value(value, requirement),
        unit=clean_unit(unit, requirement),
        requested_dose=clean_dose(requested_dose, requirement),
        method=clean_text(method, "method", 200) or requirement.method,
        instrument=clean_text(instrument, "instrument", 200),
        # a typed date must fall after the collection; a panel's is the instrument's $DATE, whose
        # agreement with the batch is the FCS checks' business
        performed_on=clean_date(performed_on, "performed_on",
                                earliest=collected_on(batch) if panel is None else None),
        analyst=acting_user,
        specification_version=spec.version, limit_text=requirement.limit_text,
        source=m.QcResult.FCS if panel is not None else m.QcResult.MANUAL, panel=panel)
    # a typed result names an instrument of the register; a panel's is the FCS file's $CYT
    unfit = ""
    if panel is None:
        result.instrument, unfit = judge_instrument(instrument, "instrument", result.performed_on)
    verdict = judge(result, requirement)
    result.status, result.verdict_reason = verdict.status.value, verdict.reason
    result.save()
    if unfit:
        record_unfit(batch, None, [("instrument", unfit)], deviation_reason, acting_user, check_id=INSTRUMENT_CHECK,
                     limit="in service, within its calibration due date")
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=result, new={
        "test": result.test_id, "value": result.value, "unit": result.unit, "method": result.method,
        "instrument": result.instrument, "performed_on": result.performed_on,
        "requested_dose": result.requested_dose, "analyst": acting_user.username,
        "specification_version": spec.version, "status": result.status, "source": result.source,
        "panel": panel.pk if panel else None})
    open_oos_if_failed(result, verdict, acting_user)
    return result


@transaction.atomic(durable=True)
def correct_result(*, result: m.QcResult, changes: dict[str, Any], reason: str,
                   acting_user: Any) -> m.QcResult:
    """Change an entered result; ``reason`` is required and every changed field is audited with
    its old and new value. The result is judged again (a failure opens an OOS record)."""
    check_role(acting_user, ANALYSTS)
    return _apply_correction(result=result, changes=changes, reason=reason, acting_user=acting_user)


def _apply_correction(*, result: m.QcResult, changes: dict[str, Any], reason: str, acting_user: Any,
                      panel: m.FcsPanel | None = None) -> m.QcResult:
    """The body of :func:`correct_result`, also used by a panel upload that replaces a result
    (``panel``: the result becomes the panel's), in the caller's transaction."""
    reason = clean_text(reason, "reason", 1000)
    if not reason:
        raise ValidationError({"reason": "a reason is required to correct a result"})
    result = m.QcResult.objects.select_for_update().get(pk=result.pk)
    if result.voided_at is not None:
        raise ValidationError("this result is voided")
    batch = lock_open_batch(result.batch)
    requirement = requirement_of(specification(batch), result.test_id)
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise ValidationError({"changes": f"{', '.join(unknown)}: cannot be corrected (only "
                                          f"{', '.join(CORRECTABLE)})"})
    parsers: dict[str, Callable[[Any], Any]] = {
        "value": lambda v: clean_value(v, requirement),
        "unit": lambda v: clean_unit(v, requirement),
        "method": lambda v: clean_text(v, "method", 200, required=True),
        "instrument": lambda v: clean_text(v, "instrument", 200),
        "performed_on": lambda v: clean_date(v, "performed_on",
                                             earliest=collected_on(batch) if panel is None else None),
        "requested_dose": lambda v: clean_dose(v, requirement),
    }
    diff: dict[str, tuple[Any, Any]] = {}
    for name, raw in changes.items():
        new = parsers[name](raw)
        old = getattr(result, name)
        if old != new:
            diff[name] = (old, new)
            setattr(result, name, new)
    if panel is not None and result.panel_id != panel.pk:
        diff["panel"] = (result.panel_id, panel.pk)
        result.panel, result.source = panel, m.QcResult.FCS
    if not diff:
        return result
    verdict = judge(result, requirement)
    if result.status != verdict.status.value:
        diff["status"] = (result.status, verdict.status.value)
    result.status, result.verdict_reason = verdict.status.value, verdict.reason
    result.corrected_at, result.corrected_by = timezone.now(), acting_user
    try:
        record_changes(acting_user=acting_user, record=result, changes=diff, reason=reason,
                       action=EventKind.CORRECT)
    except ReasonRequired as e:  # pragma: no cover - the reason is checked above
        raise ValidationError({"reason": str(e)}) from e
    result.save()
    open_oos_if_failed(result, verdict, acting_user)
    return result


@transaction.atomic(durable=True)
def void_result(*, result: m.QcResult, reason: str, acting_user: Any) -> None:
    """Void a result entered in error (never deleted); the test is then missing again."""
    check_role(acting_user, ANALYSTS)
    reason = clean_text(reason, "reason", 1000)
    if not reason:
        raise ValidationError({"reason": "a reason is required"})
    result = m.QcResult.objects.select_for_update().get(pk=result.pk)
    lock_open_batch(result.batch)
    if result.voided_at is not None:
        raise ValidationError("this result is already voided")
    result.voided_at, result.void_reason = timezone.now(), reason
    result.save(update_fields=["voided_at", "void_reason"])
    record_event(acting_user=acting_user, action=EventKind.VOID, record=result, reason=reason,
                 old={"test": result.test_id, "value": result.value, "unit": result.unit})
