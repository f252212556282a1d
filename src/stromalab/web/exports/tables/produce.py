"""A table export from start to finish: who may take it, the file, and its audited event.

:func:`write` checks the reader against the table's page roles (and the account, as
:mod:`stromalab.web.exports.access` does for every export), writes the file and hashes it;
:func:`record` appends the :attr:`EventKind.DATA_EXPORT` event, shaped like the FHIR/ODM ones
(:mod:`stromalab.web.exports.record`): who, which table and format, the filters in force, the
number of records, whether identity columns were included, and the SHA-256 of the file.

Why the file is written before the event, not streamed after it like the audit trail's CSV
(:mod:`stromalab.web.audit.export`, which records the filters up front and cannot know the
hash): the event then holds the exact number of rows written and the hash of the exact bytes
handed over, so a file found later can be matched to its export. The page writes into a
temporary file on disk (memory stays flat whatever the table's length) and streams that file
to the browser once the event is recorded; the command line writes beside its destination and
moves the file into place once recorded. A failed write records nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from stromalab.web.accounts import roles
from stromalab.web.accounts.permissions import has_role
from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind

from ..access import account_refusal
from ..record import configured_study
from .base import Table
from .files import MEDIA_TYPES, WRITERS


@dataclass(frozen=True)
class TableFile:
    """A written table: what the event records and the response announces."""

    table: Table
    format: str
    filename: str
    media_type: str
    filters: dict[str, str]
    records: int
    identity: bool
    sha256: str


def refusal(user: Any, table: Table) -> str | None:
    """Why ``user`` may not export ``table`` (one line), or None: the account must be usable
    and its role one of the table's page roles."""
    if (reason := account_refusal(user)) is not None:
        return reason
    if not has_role(user, table.roles):
        allowed = ", ".join(str(dict(roles.CHOICES)[r]) for r in table.roles)
        return f"account {user.username} ({user.role}) may not read the {table.key} table (allowed: {allowed})"
    return None


def check_reader(user: Any, table: Table) -> None:
    """Raise :class:`PermissionDenied` with the reason unless ``user`` may export ``table``."""
    reason = refusal(user, table)
    if reason is not None:
        raise PermissionDenied(reason)


def filename(table: Table, fmt: str) -> str:
    return f"{table.key}-{timezone.now().strftime('%Y%m%dT%H%M%SZ')}.{fmt}"


def write(table: Table, fmt: str, *, acting_user: Any, params: Mapping[str, str], out: BinaryIO,
          name: str | None = None) -> TableFile:
    """Check the reader, write ``table`` under the page's filters ``params`` into ``out`` (an
    empty binary file open for reading too) in ``fmt`` (csv or xlsx), and hash what was written.
    Headers come in the active language. Nothing is recorded yet (:func:`record`)."""
    check_reader(acting_user, table)
    columns = table.columns_for(acting_user)
    selection = table.select(params, acting_user)
    records = WRITERS[fmt](str(table.title), columns, selection.rows, out)
    out.flush()
    out.seek(0)
    digest = hashlib.file_digest(out, "sha256").hexdigest()  # type: ignore[arg-type]
    return TableFile(table, fmt, name or filename(table, fmt), MEDIA_TYPES[fmt], selection.filters, records,
                     table.names_people(acting_user), digest)


@transaction.atomic(durable=True)
def record(file: TableFile, *, acting_user: Any, channel: str) -> int:
    """Append the export's event (``channel``: cli or page), filed on the study; its id."""
    check_reader(acting_user, file.table)
    event = record_event(acting_user=acting_user, action=EventKind.DATA_EXPORT, record=configured_study(),
                         field=file.table.key, new={
                             "format": file.format, "table": file.table.key, "file": file.filename,
                             "filters": file.filters, "records": file.records, "identity": file.identity,
                             "sha256": file.sha256, "channel": channel})
    return event.id
