"""Writing audit events: the only way any app adds to the trail.

Usage, inside an action (``@transaction.atomic``, acting user by keyword)::

    from stromalab.web.audit.actions import record_event, record_changes

    record_event(acting_user=user, action="create", record=donor, new={"pseudonym": p})
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

from django.db import connection

from .canonical import canonical_json, utc_now_text
from .chain import content_hash
from .models import AuditEvent, ChainHead


class ReasonRequired(ValueError):
    """A change to data already entered needs a reason (compliance.md)."""


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
    action: str,
    record: Any,
    field: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
    subject: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    ``acting_user`` may be ``None`` only for system events (bootstrap). ``action`` is a short
    verb: ``create``, ``update``, ``void``, ``read``, ``sign``, ``login``, ``login_failed``, ...
    """
    return _append([(action, record, field, old, new, reason, subject)], acting_user)[0]


def record_changes(
    *,
    acting_user: Any,
    record: Any,
    changes: Mapping[str, tuple[Any, Any]],
    reason: str = "",
    action: str = "update",
    require_reason: bool = True,
    subject: str | None = None,
) -> list[AuditEvent]:
    """Append one event per changed field (``changes``: field -> (old, new)).

    Unchanged fields are skipped. A change of a value that was already entered (old value not
    None/"") needs a ``reason`` unless ``require_reason`` is false; :class:`ReasonRequired`
    is raised otherwise (the caller's transaction then rolls back).
    """
    items = []
    for field, (old, new) in changes.items():
        if old == new:
            continue
        if require_reason and old not in (None, "", [], {}) and not (reason or "").strip():
            raise ReasonRequired(f"a reason is required to change {field}")
        items.append((action, record, field, old, new, reason, subject))
    return _append(items, acting_user) if items else []


def _append(items: list[tuple[Any, ...]], acting_user: Any) -> list[AuditEvent]:
    if not connection.in_atomic_block:
        raise RuntimeError("record_event must be called inside transaction.atomic")
    head = _lock_head()
    last_id, prev = head.last_id, head.last_hash
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
    return events


__all__ = ["ReasonRequired", "record_changes", "record_event"]
