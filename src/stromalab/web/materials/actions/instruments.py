"""The instrument register: an instrument is registered with its calibration or qualification
due date, recalibrated (a new due date, with what was done), or taken out of service and back
(with a reason). Every change is audited with its reason in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from stromalab.web.accounts.permissions import check_role
from stromalab.web.audit.actions import record_changes, record_event
from stromalab.web.audit.kinds import EventKind

from ..inputs import choice, date, text
from ..models import Instrument
from ..permissions import INSTRUMENT_KEEPERS


@transaction.atomic(durable=True)
def register_instrument(*, identifier: str, kind: str, due_on: Any, acting_user: Any,
                        description: str = "") -> Instrument:
    """Add an instrument, in service, with its calibration or qualification due date."""
    check_role(acting_user, INSTRUMENT_KEEPERS)
    identifier = text(identifier, "identifier", max_length=100)
    if Instrument.objects.filter(identifier=identifier).exists():
        raise ValidationError({"identifier": _("instrument %(id)s is already registered") % {"id": identifier}})
    instrument = Instrument.objects.create(
        identifier=identifier, kind=choice(kind, "kind", Instrument.KINDS),
        description=text(description, "description", required=False), due_on=date(due_on, "due_on"),
        registered_by=acting_user)
    record_event(acting_user=acting_user, action=EventKind.CREATE, record=instrument, new={
        "identifier": instrument.identifier, "kind": instrument.kind, "description": instrument.description,
        "due_on": instrument.due_on, "status": instrument.status})
    return instrument


@transaction.atomic(durable=True)
def update_instrument(*, instrument: Instrument, reason: str, acting_user: Any, due_on: Any = None,
                      status: str | None = None) -> Instrument:
    """Record a calibration or qualification (``due_on``: the next due date) and/or put the
    instrument in or out of service (``status``); ``reason`` says what was done and why."""
    check_role(acting_user, INSTRUMENT_KEEPERS)
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    reason = text(reason, "reason", max_length=2000)
    changes: dict[str, tuple[Any, Any]] = {}
    if due_on not in (None, ""):
        new_due = date(due_on, "due_on")
        changes["due_on"] = (instrument.due_on, new_due)
        instrument.due_on = new_due
    if status not in (None, ""):
        new_status = choice(status, "status", Instrument.STATUSES)
        changes["status"] = (instrument.status, new_status)
        instrument.status, instrument.status_reason = new_status, reason
    if not any(old != new for old, new in changes.values()):
        raise ValidationError({"due_on": _("nothing to change: give a new due date or another status")})
    instrument.save(update_fields=["due_on", "status", "status_reason"])
    record_changes(acting_user=acting_user, record=instrument, changes=changes, reason=reason)
    return instrument
