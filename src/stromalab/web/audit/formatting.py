"""An audit event as a person reads it: local time with its zone named, the actor's name, the
kind in words, the record's label and each change as ``field: old → new``.

Events are stored for the chain (UTC ISO text with microseconds, canonical JSON values, model
labels and keys); nothing here writes or changes them. :func:`readable` turns one page (or one
chunk of an export) into :class:`Row` objects with the labels read in bulk (labels.py), after
:func:`~stromalab.web.audit.visibility.as_seen_by` has withheld what the reader may not see.
The texts returned are plain: the template or the CSV writer escapes them for its target.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext

from stromalab.web.localtime import local_text

from .kinds import kind_label
from .labels import actor_name, field_label, object_labels, people_names
from .visibility import WITHHELD, as_seen_by

#: how deep nested lists and dicts are spelled out before "…" (values are small records)
_MAX_DEPTH = 4


def site_zone() -> ZoneInfo:
    """The site's time zone (``TIME_ZONE`` in settings.py): times are stored in UTC."""
    return ZoneInfo(settings.TIME_ZONE)


def zone_name() -> str:
    return str(settings.TIME_ZONE)


def parse_utc(at: str) -> dt.datetime | None:
    """The stored ``at`` text (``2026-03-02T10:15:30.123456Z``) as an aware UTC datetime."""
    try:
        return dt.datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(dt.UTC)
    except ValueError:
        return None


def local_time(at: str) -> str:
    """``2026-03-02 11:15:30 CET``: the site's local time to the second, its zone abbreviated
    (the page names the zone in full)."""
    moment = parse_utc(at)
    return at if moment is None else local_text(moment, seconds=True)


def utc_text(moment: dt.datetime) -> str:
    """A moment in the stored format, for comparisons with ``at`` (same width, so text order is
    time order)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _scalar(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return str(value)


def _spelled(value: Any, record_type: str, depth: int) -> str:
    """A JSON value in words: lists comma-separated, dicts as ``key: value`` pairs."""
    if depth > _MAX_DEPTH:
        return "…"
    if isinstance(value, list):
        return ", ".join(_spelled(item, record_type, depth + 1) for item in value) or "—"
    if isinstance(value, dict):
        pairs = [f"{field_label(record_type, str(key))}: {_spelled(item, record_type, depth + 1)}"
                 for key, item in value.items()]
        inner = "; ".join(pairs)
        return f"({inner})" if depth else inner
    return _scalar(value)


def value_text(stored: str | None, record_type: str) -> str:
    """A stored value (canonical JSON text) in words; the top-level pairs of a dict one a line.

    ``None`` (no value on that side) is the empty text; text that is not JSON (a value withheld
    from the administrator) is shown as it is.
    """
    if stored is None:
        return ""
    if stored == WITHHELD:
        return gettext("(withheld: study data)")
    try:
        value = json.loads(stored)
    except ValueError:
        return stored
    if isinstance(value, dict):
        return "\n".join(f"{field_label(record_type, str(key))}: {_spelled(item, record_type, 1)}"
                         for key, item in value.items())
    return _spelled(value, record_type, 0)


@dataclass(frozen=True)
class Row:
    """One event as shown and exported (plain texts; escaped by whoever writes them out)."""

    id: int
    when: str
    when_utc: str
    who: str
    username: str
    kind: str
    action: str
    record: str
    record_type: str
    record_id: str
    subject: str
    field: str
    old: str
    new: str
    reason: str


def readable(reader: Any, events: Iterable[Any]) -> list[Row]:
    """The events as ``reader`` may read them, with every label read in bulk: one query for the
    actors and one per record type, whatever the number of events."""
    shown = as_seen_by(reader, events)
    names = people_names(e.user_id for e in shown)
    labels = object_labels((e.record_type, e.record_id) for e in shown)
    withheld_reason = gettext("(withheld: study data)")
    return [
        Row(id=e.id, when=local_time(e.at), when_utc=e.at, who=actor_name(e.user_id, e.username, names),
            username=e.username, kind=kind_label(e.action), action=e.action,
            record=labels[(e.record_type, e.record_id)], record_type=e.record_type, record_id=e.record_id,
            subject=e.subject, field=field_label(e.record_type, e.field),
            old=value_text(e.old, e.record_type), new=value_text(e.new, e.record_type),
            reason=withheld_reason if e.reason == WITHHELD else e.reason)
        for e in shown
    ]
