"""Reading the values the registers' actions are given: text and dates, refused per field.

Each parser takes the field's key and raises ``ValidationError({key: message})`` so that a page
shows the problem beside its field (``web/feedback.py``) and the API names it; the message is in
the reader's language and never repeats the key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: no expiry, calibration or due date is older than this: it catches typing errors (year 1, 0202)
EARLIEST = dt.date(2000, 1, 1)
#: nor further away than this (a lot expiring in 2999 is a typing error too)
LATEST = dt.date(2100, 12, 31)


def text(value: Any, field: str, *, required: bool = True, max_length: int = 200) -> str:
    """Stripped text, required unless ``required=False``, at most ``max_length`` characters."""
    out = str(value or "").strip()
    if required and not out:
        raise ValidationError({field: _("required")})
    if len(out) > max_length:
        raise ValidationError({field: _("at most %(count)s characters") % {"count": max_length}})
    return out


def choice(value: Any, field: str, choices: list[tuple[str, Any]]) -> str:
    """One of the codes of ``choices``."""
    code = str(value or "").strip()
    if code not in dict(choices):
        raise ValidationError({field: _("one of %(choices)s") % {
            "choices": ", ".join(str(label) for _code, label in choices)}})
    return code


def date(value: Any, field: str) -> dt.date:
    """A date (a ``date`` or ISO text) between :data:`EARLIEST` and :data:`LATEST`."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError({field: _("expected a date (YYYY-MM-DD)")}) from None
    if not isinstance(value, dt.date):
        raise ValidationError({field: _("expected a date (YYYY-MM-DD)")})
    if not EARLIEST <= value <= LATEST:
        raise ValidationError({field: _("%(date)s is not a plausible date") % {"date": value.isoformat()}})
    return value
