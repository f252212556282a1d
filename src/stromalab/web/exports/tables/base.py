"""What a table is: the page's roles, its columns (a human header, a typed value, whether it
names the person) and how it selects its rows from the page's query string.

A column's value is typed (text, a number, a date, a moment): the CSV writes it as the page
shows it, the Excel file keeps the type (:mod:`.cells`). Identity columns (name, NIR, contact)
are kept only for the roles that may read identity (:data:`roles.IDENTITY_READERS`); every
other reader gets the pseudonym only, whatever they ask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from stromalab.web.accounts import roles
from stromalab.web.accounts.permissions import has_role

Cell = str | int | float | Decimal | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Column:
    """One column: ``header`` is lazily translated text, or a function giving it at write time
    (a header that names the site's time zone); ``text``, when the page writes the value its own
    way (the trail's moments to the second, with the zone), is what the CSV holds."""

    header: Any
    value: Callable[[Any], Cell]
    identity: bool = False
    text: Callable[[Any], str] | None = None

    def heading(self) -> str:
        return str(self.header() if callable(self.header) else self.header)


@dataclass(frozen=True)
class Selection:
    """The rows under the filters (read lazily, a chunk at a time) and the filters in force, as
    recorded with the export."""

    rows: Iterable[Any]
    filters: dict[str, str]


@dataclass(frozen=True)
class Table:
    """A list page as a table. ``roles`` are the page's own (a test holds them equal), ``select``
    reads the page's query string (and the reader, for the tables whose rows depend on who
    reads them) through the same function as the page."""

    key: str
    title: Any
    roles: tuple[str, ...]
    columns: tuple[Column, ...]
    select: Callable[[Mapping[str, str], Any], Selection]

    def columns_for(self, reader: Any) -> tuple[Column, ...]:
        """The columns ``reader`` receives: identity columns for identity readers only."""
        identity = has_role(reader, roles.IDENTITY_READERS)
        return tuple(c for c in self.columns if identity or not c.identity)

    def names_people(self, reader: Any) -> bool:
        return any(c.identity for c in self.columns_for(reader))


def related(obj: Any, name: str) -> Any:
    """``obj.name`` for a one-to-one relation that may be missing (None then)."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None
