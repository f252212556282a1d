"""Writing audit events: the only way any app adds to the trail.

Usage, inside an action (``@transaction.atomic``, acting user by keyword)::

    from stromalab.web.audit.actions import record_event, record_changes

    record_event(acting_user=user, action=EventKind.CREATE, record=donor, new={"pseudonym": p})
    record_changes(acting_user=user, record=screening, changes={"weight_kg": (old, new)},
                   reason=reason)

``record`` is a model instance (its ``_meta.label`` and ``pk`` are used, and its
``audit_subject`` attribute, when present, e.g. the donor pseudonym, files the event under
that subject) or a ``(record_type, record_id)`` tuple. Values are stored as canonical JSON.
Calling outside a transaction raises :class:`RuntimeError`: an event must commit (or roll
back) together with the change it describes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from . import checkpoints
from .canonical import canonical_json, utc_now_text
from .chain import content_hash
from .kinds import EventKind
from .models import AuditEvent, ChainHead
from .signals import events_committed


class ReasonRequired(ValidationError):
    """A change to data already entered needs a reason (compliance.md).

    Keyed on ``reason``, so that pages show it beside the form's reason field and the API
    returns it like any other refusal, with no special case in either.
    """

    def __init__(self, label: str) -> None:
        super().__init__({"reason": f"a reason is required to change {label}"})


def _change_label(record: Any, field: str, labels: Mapping[str, str] | None) -> str:
    """The human name of a changed field: ``labels``', else the model field's verbose name."""
    if labels and field in labels:
        return str(labels[field])
    meta = getattr(record, "_meta", None)
    if meta is not None:
        try:
            return str(meta.get_field(field).verbose_name)
        except Exception:  # not a model field (e.g. ``serology.hiv``)
            pass
    return field.replace("_", " ").replace(".", " ")


def _record_key(record: Any) -> tuple[str, str, str]:
    if isinstance(record, tuple):
        record_type, record_id = record[0], record[1]
        subject = record[2] if len(record) > 2 else ""
        return str(record_type), str(record_id), str(subject or "")
    subject = getattr(record, "audit_subject", "") or ""
    return record._meta.label, str(record.pk), str(subject)


def _lock_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1)
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def record_event(
    *,
    acting_user: Any,
    action: EventKind,
    record: Any,
    field: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
    subject: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    ``acting_user`` may be ``None`` only for system events (bootstrap). ``action`` is one of
    :class:`~stromalab.web.audit.kinds.EventKind` (stored as its text).
    """
    return _append([(action, record, field, old, new, reason, subject)], acting_user)[0]


def record_changes(
    *,
    acting_user: Any,
    record: Any,
    changes: Mapping[str, tuple[Any, Any]],
    reason: str = "",
    action: EventKind = EventKind.UPDATE,
    require_reason: bool = True,
    subject: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[AuditEvent]:
    """Append one event per changed field (``changes``: field -> (old, new)).

    Unchanged fields are skipped. A change of a value that was already entered (old value not
    None/"") needs a ``reason`` unless ``require_reason`` is false; :class:`ReasonRequired`
    is raised otherwise (the caller's transaction then rolls back), naming the field by its
    human label (``labels``, else the model field's verbose name).
    """
    items = []
    for field, (old, new) in changes.items():
        if old == new:
            continue
        if require_reason and old not in (None, "", [], {}) and not (reason or "").strip():
            raise ReasonRequired(_change_label(record, field, labels))
        items.append((action, record, field, old, new, reason, subject))
    return _append(items, acting_user) if items else []


def _append(items: list[tuple[Any, ...]], acting_user: Any) -> list[AuditEvent]:
    if not connection.in_atomic_block:
        raise RuntimeError("record_event must be called inside transaction.atomic")
    head = _lock_head()
    last_id, prev = head.last_id, head.last_hash
    first_id = last_id
    user_id = getattr(acting_user, "pk", None)
    username = getattr(acting_user, "username", "") or ("system" if acting_user is None else "")
    at = utc_now_text()
    events = []
    for action, record, field, old, new, reason, subject in items:
        record_type, record_id, default_subject = _record_key(record)
        last_id += 1
        event = AuditEvent(
            id=last_id, at=at, user_id=user_id, username=username, action=action,
            record_type=record_type, record_id=record_id,
            subject=default_subject if subject is None else subject, field=field,
            old=None if old is None else canonical_json(old),
            new=None if new is None else canonical_json(new),
            reason=reason or "", prev_hash=prev,
        )
        event.hash = content_hash([getattr(event, name) for name in AuditEvent.HASHED_FIELDS])
        prev = event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events)
    ChainHead.objects.filter(pk=1).update(last_id=last_id, last_hash=prev)
    checkpoints.after_append(first_id, last_id, prev)
    transaction.on_commit(lambda: events_committed.send(sender=AuditEvent), robust=True)
    return events


__all__ = ["ReasonRequired", "record_changes", "record_event"]
