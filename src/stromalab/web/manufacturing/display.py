"""How recorded step values read on the batch page and in the printed batch record.

Step data are stored as JSON (ISO timestamps, lists of placements); operators and inspectors
should read them as they would on paper: ``2026-11-06 15:21 CET`` (the site's time zone, named, as
typed: an operator's 08:30 must not read 07:30 UTC), ``A0 → A1``, and numbers in the reader's
language: ``50,3`` and ``42 700 000`` in French (Django's number formatting; the stored
values stay as they are).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format

from stromalab.web.localtime import local_text

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def number_text(value: int | float | Decimal) -> str:
    """A number in the active language, thousands grouped: ``1 272,5`` in French."""
    return number_format(value, use_l10n=True, force_grouping=True)


def as_number(value: Any) -> Decimal | None:
    """A recorded number (stored as JSON decimal text or an integer) as a Decimal; ``None`` for
    anything else, so that text which is no number is shown as written."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def display_value(value: Any) -> str:
    """One recorded value as text; nothing recorded reads as an em dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return number_text(value)
    if isinstance(value, str) and _TIMESTAMP.match(value):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return local_text(moment)
        return f"{moment:%Y-%m-%d %H:%M}"
    if isinstance(value, dict):
        if "container" in value and "position" in value:
            return f"{value['container']} → {value['position']}"
        return ", ".join(f"{k} {display_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(display_value(v) for v in value)
    return str(value)
