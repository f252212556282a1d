"""Out-of-specification records: opened when a result fails its limit, closed by an
investigation that the closer signs. An open record blocks release."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from stromalab.core.manufacturing.release import Status, Verdict
from stromalab.web.accounts.permissions import check_role
from stromalab.web.accounts.signed_closure import close_with_signature
from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind

from .. import models as m
from ..permissions import OOS_CLOSERS


def open_oos_if_failed(result: m.QcResult, verdict: Verdict, acting_user: Any) -> m.OosRecord | None:
    """Open an OOS record for a failed result unless one is already open for it (a correction
    never closes one: it must be investigated). Runs in the caller's transaction."""
    if verdict.status is not Status.FAIL:
        return None
    if result.oos_records.filter(status=m.OosRecord.OPEN).exists():
        return None
    oos = m.OosRecord.objects.create(
        batch=result.batch, result=result, test_id=result.test_id, value=result.shown_value,
        limit_text=result.limit_text, description=verdict.reason, opened_by=acting_user)
    record_event(acting_user=acting_user, action=EventKind.OOS_OPEN, record=oos,
                 new={"result": result.pk, "test": result.test_id, "value": result.shown_value,
                      "limit": result.limit_text, "description": verdict.reason})
    return oos


@transaction.atomic(durable=True)
def close_oos(*, oos: m.OosRecord, conclusion: str, password: str, acting_user: Any) -> m.OosRecord:
    """Close an OOS record after investigation: the conclusion is required and the closer signs
    it (password re-asked, meaning "reviewed")."""
    check_role(acting_user, OOS_CLOSERS)
    oos = m.OosRecord.objects.select_for_update().select_related("batch").get(pk=oos.pk)
    if oos.status != m.OosRecord.OPEN:
        raise ValidationError("this OOS record is already closed")
    close_with_signature(oos, conclusion=conclusion, password=password, acting_user=acting_user,
                         open_status=m.OosRecord.OPEN, closed_status=m.OosRecord.CLOSED)
    return oos
