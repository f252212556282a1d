"""Reading the values an action is given: numbers, counts, text and times, refused per field.

Each parser takes the field's key and raises ``ValidationError({key: message})``, so that a
page shows the problem beside its field, under the field's label (``web/feedback.py``); the
message never repeats the key.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from stromalab.web.audit.canonical import canonical_json


def aware(value: dt.datetime, field: str) -> dt.datetime:
    """A date and time in the past (5 minutes of clock drift allowed), made timezone-aware."""
    if not isinstance(value, dt.datetime):
        raise ValidationError({field: "expected a date and time"})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({field: f"{value:%Y-%m-%d %H:%M} is in the future"})
    return value


def jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """The data as stored and signed: canonical JSON values (UTC times, decimal text)."""
    stored: dict[str, Any] = json.loads(canonical_json(data))
    return stored


def decimal(value: Any, field: str, *, minimum: Decimal | None = Decimal(0),
            maximum: Decimal | None = None) -> Decimal:
    """An exact decimal (a comma accepted as the decimal mark) within ``minimum``–``maximum``."""
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except Exception:
        raise ValidationError({field: f"expected a number, got {value!r}"}) from None
    if not number.is_finite():
        raise ValidationError({field: f"expected a number, got {value!r}"})
    if minimum is not None and number < minimum:
        raise ValidationError({field: f"must be at least {minimum}, got {number}"})
    if maximum is not None and number > maximum:
        raise ValidationError({field: f"must be at most {maximum}, got {number}"})
    return number


def count(value: Any, field: str) -> int:
    """A positive whole number (of cells, of containers)."""
    if isinstance(value, bool):
        raise ValidationError({field: "expected a whole number"})
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"expected a whole number, got {value!r}"}) from None
    if number <= 0:
        raise ValidationError({field: f"must be positive, got {number}"})
    return number


def text(value: Any, field: str, *, required: bool = True, max_length: int = 200) -> str:
    """Stripped text, required unless ``required=False``, at most ``max_length`` characters."""
    out = str(value or "").strip()
    if required and not out:
        raise ValidationError({field: "required"})
    if len(out) > max_length:
        raise ValidationError({field: f"at most {max_length} characters"})
    return out
