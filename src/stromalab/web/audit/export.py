"""The trail as CSV: the filtered events, streamed, safe to open in a spreadsheet, and itself
an audited event.

A trail can hold a million events: the response is written as it is read, a thousand events at
a time along the primary key (labels read in bulk per chunk), never held in memory whole. A cell
a spreadsheet would read as a formula (starting with ``= + - @``, a tab or a carriage return) is
prefixed with ``'`` (OWASP, "CSV injection"): an event's values and reasons are typed by people.
Who exported what is itself recorded (:attr:`EventKind.EXPORT`, with the filters and the last
event included), before the first row is sent.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from .actions import record_event
from .formatting import Row, readable, zone_name
from .kinds import EventKind
from .models import AuditEvent

CHUNK = 1000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """The cell as text a spreadsheet will not evaluate."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


@transaction.atomic(durable=True)
def record_export(*, acting_user: Any, subject: str, filters: Mapping[str, str]) -> AuditEvent:
    """Record that ``acting_user`` exported the trail (of ``subject``, under ``filters``)."""
    return record_event(acting_user=acting_user, action=EventKind.EXPORT, record=("audit.AuditEvent", ""),
                        subject=subject, new={"filters": dict(filters), "subject": subject})


class _Echo:
    """A file whose write returns the line: csv.writer then formats one row at a time."""

    def write(self, value: str) -> str:
        return value


def _header() -> list[str]:
    return ["#", gettext("When (%(zone)s)") % {"zone": zone_name()}, gettext("When (UTC)"),
            gettext("Who"), gettext("Account"), gettext("Event"), gettext("Record"),
            gettext("Record type"), gettext("Record id"), gettext("Subject"), gettext("Field"),
            gettext("Before"), gettext("After"), gettext("Reason")]


def _cells(row: Row) -> list[str]:
    return [str(row.id), row.when, row.when_utc, row.who, row.username, row.kind, row.record,
            row.record_type, row.record_id, row.subject, row.field, row.old, row.new, row.reason]


def rows_through(reader: Any, qs: QuerySet[AuditEvent], through: int) -> Iterator[Row]:
    """The events of ``qs`` up to id ``through``, newest first, as ``reader`` reads them: read
    :data:`CHUNK` at a time along the primary key (also the list pages' Excel export)."""
    below = through + 1
    while True:
        chunk = list(qs.filter(id__lt=below).order_by("-id")[:CHUNK])
        if not chunk:
            return
        yield from readable(reader, chunk)
        below = chunk[-1].id


def csv_lines(reader: Any, qs: QuerySet[AuditEvent], through: int) -> Iterator[str]:
    """The CSV text, newest event first, of the events of ``qs`` up to id ``through``."""
    writer = csv.writer(_Echo())
    yield writer.writerow(_header())
    for row in rows_through(reader, qs, through):
        yield writer.writerow([safe_cell(cell) for cell in _cells(row)])
