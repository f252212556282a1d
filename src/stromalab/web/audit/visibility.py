"""What of the trail a reader may see: the administrator sees who did what to which record, never
the values.

Administrators manage accounts and see no study data (README, compliance.md): the old and new
values and the reason of an event can hold a birth date, a weight or a data query's text. For
them those three fields are withheld, except on account records, which are theirs to manage.
Every other reader of the trail (monitor, data manager, investigator, coordinator) reads study
data anyway and sees the events whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stromalab.web.accounts import roles

#: record types whose values an administrator may read: the accounts they manage
ADMINISTERED = ("accounts.User", "accounts.ApiToken")
WITHHELD = "(withheld: study data)"


def sees_values(reader: Any) -> bool:
    return getattr(reader, "role", None) != roles.ADMINISTRATOR


def as_seen_by(reader: Any, events: Iterable[Any]) -> list[Any]:
    """The events, with values withheld where ``reader`` may not read them (never saved)."""
    shown = list(events)
    if sees_values(reader):
        return shown
    for event in shown:
        if event.record_type not in ADMINISTERED:
            event.old = event.new = None if event.old is None and event.new is None else WITHHELD
            event.reason = WITHHELD if event.reason else ""
    return shown
