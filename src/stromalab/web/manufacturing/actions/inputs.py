"""Reading the values an action is given: numbers, counts, text and times, refused per field.

Each parser takes the field's key and raises ``ValidationError({key: message})``, so that a
page shows the problem beside its field, under the field's label (``web/feedback.py``); the
message never repeats the key and is in the reader's language. The pages and the API give the
same values the same way: a number as people write it (a decimal comma, spaces between
thousands), finite and within the bounds its caller states; a time neither in the future nor
before :data:`EARLIEST`.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.web.audit.canonical import canonical_json

#: spaces people put between thousands ("30 000 000", plain, no-break or narrow no-break space)
_THOUSANDS = str.maketrans("", "", " \u00a0\u202f\u2009")
#: no manufacturing step is older than this: it catches typing errors (year 1, 0202) before any
#: date arithmetic; the real lower bounds are the donor's consent and the previous step
EARLIEST = dt.date(2000, 1, 1)
#: the most cells a count may hold: far beyond any batch, well within what the database stores
MAX_CELLS = 10**12


def aware(value: dt.datetime, field: str) -> dt.datetime:
    """A date and time in the past (5 minutes of clock drift allowed) and not before
    :data:`EARLIEST`, made timezone-aware."""
    if not isinstance(value, dt.datetime):
        raise ValidationError({field: _("expected a date and time")})
    if value.date() < EARLIEST:
        raise ValidationError({field: _("%(date)s is not a plausible date (before %(earliest)s)")
                               % {"date": value.date().isoformat(), "earliest": EARLIEST.isoformat()}})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({field: _("%(time)s is in the future") % {"time": f"{value:%Y-%m-%d %H:%M}"}})
    return value


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """The data as stored and signed: canonical JSON values (UTC times, decimal text)."""
    stored: dict[str, Any] = json.loads(canonical_json(data))
    return stored


def _number(value: Any, field: str) -> Decimal:
    """A finite decimal as people type it: a comma or a point as decimal mark, spaces between
    thousands."""
    raw = str(value).strip()
    text = raw.translate(_THOUSANDS)
    if "," in text:
        if "." in text:
            raise ValidationError({field: _("write the number with one decimal separator, got %(value)s")
                                   % {"value": raw}})
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError({field: _("expected a number, got %(value)s") % {"value": raw}}) from None
    if not number.is_finite():
        raise ValidationError({field: _("expected a number, got %(value)s") % {"value": raw}})
    return number


def decimal(value: Any, field: str, *, minimum: Decimal | None = Decimal(0),
            maximum: Decimal | None = None, positive: bool = False) -> Decimal:
    """An exact decimal within ``minimum``–``maximum``; ``positive`` also refuses zero (a mass,
    a volume or a surface of nothing is a typing error)."""
    number = _number(value, field)
    if positive and number <= 0:
        raise ValidationError({field: _("must be more than 0, got %(value)s") % {"value": number}})
    if minimum is not None and number < minimum:
        raise ValidationError({field: _("must be at least %(minimum)s, got %(value)s")
                               % {"minimum": minimum, "value": number}})
    if maximum is not None and number > maximum:
        raise ValidationError({field: _("must be at most %(maximum)s, got %(value)s")
                               % {"maximum": maximum, "value": number}})
    return number


def count(value: Any, field: str, *, maximum: int = MAX_CELLS) -> int:
    """A positive whole number (of cells, of containers) of at most ``maximum``."""
    if isinstance(value, bool) or value is None:
        raise ValidationError({field: _("expected a whole number")})
    number = value if isinstance(value, int) else _number(value, field)
    if number != int(number):
        raise ValidationError({field: _("expected a whole number, got %(value)s") % {"value": value}})
    whole = int(number)
    if whole <= 0:
        raise ValidationError({field: _("must be positive, got %(value)s") % {"value": whole}})
    if whole > maximum:
        raise ValidationError({field: _("must be at most %(maximum)s, got %(value)s")
                               % {"maximum": f"{maximum:.0e}" if maximum >= 10**6 else maximum,
                                  "value": whole}})
    return whole


def text(value: Any, field: str, *, required: bool = True, max_length: int = 200) -> str:
    """Stripped text, required unless ``required=False``, at most ``max_length`` characters."""
    out = str(value or "").strip()
    if required and not out:
        raise ValidationError({field: _("required")})
    if len(out) > max_length:
        raise ValidationError({field: _("at most %(count)s characters") % {"count": max_length}})
    return out
