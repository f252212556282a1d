"""CRF values as the form and the API send them, checked and applied in memory (nothing saved).

Shared by saving and by the form's live preview, so that what the page previews is exactly
what saving would store. Every refusal is a :class:`ValidationError` keyed on the CRF field
at fault; pages show it beside that field, under its label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from stromalab.core.vocabulary import FIELDS as VOCABULARY_FIELDS
from stromalab.core.vocabulary import Vocabulary

from . import models as m
from .record import protocol_for

#: the values a living adult donor's measurements can take (inclusive): a number outside is a
#: typing slip (a height in metres, a weight in grams, systolic and diastolic swapped is left to
#: the engine), refused before it can decide a criterion
PLAUSIBLE: Mapping[str, tuple[int, int]] = {
    "weight_kg": (20, 300), "height_cm": (100, 250), "systolic": (50, 300), "diastolic": (20, 200),
}
#: no screening date, birth date or test date before this one (year 1 was accepted)
EARLIEST = dt.date(1900, 1, 1)
#: dates that cannot lie in the future: the screening itself, the birth, a test already taken
_NOT_FUTURE = frozenset({"as_of", "birth_date", "pregnancy_date"})
#: the planned surgery: scheduled at most this many days ahead
SURGERY_HORIZON_DAYS = 3 * 366


def to_date(value: Any, field: str) -> dt.date | None:
    """A date from ISO text (or a date), refused under ``field`` when malformed or implausible
    (before 1900; in the future for a date already past; a surgery more than three years ahead);
    empty is None."""
    if value is None or value == "":
        return None
    day: dt.date
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError as e:
            raise ValidationError({field: _("expected a date YYYY-MM-DD")}) from e
    return _plausible_date(day, field)


def _plausible_date(value: dt.date, field: str) -> dt.date:
    today = timezone.localdate()
    if value < EARLIEST:
        raise ValidationError({field: _("%(date)s is not plausible (before %(earliest)s)")
                               % {"date": value.isoformat(), "earliest": EARLIEST.isoformat()}})
    if field in _NOT_FUTURE and value > today:
        raise ValidationError({field: _("%(date)s is in the future") % {"date": value.isoformat()}})
    if field == "surgery_date" and value > today + dt.timedelta(days=SURGERY_HORIZON_DAYS):
        raise ValidationError({field: _("%(date)s is more than three years ahead") % {"date": value.isoformat()}})
    return value


def _bounded(number: Decimal | int, field: str) -> None:
    low, high = PLAUSIBLE[field]
    if not low <= number <= high:
        raise ValidationError({field: _("%(value)s is not plausible: between %(low)s and %(high)s")
                               % {"value": number, "low": low, "high": high}})


def _to_decimal(value: Any, field: str) -> Decimal | None:
    """A measurement to one decimal, as typed (a decimal comma is accepted) or sent (a number)."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ".")).quantize(Decimal("0.1"))
    except InvalidOperation as e:
        raise ValidationError({field: _("expected a number")}) from e
    if not number.is_finite():
        raise ValidationError({field: _("expected a number")})
    _bounded(number, field)
    return number


def _to_int(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError({field: _("expected a whole number")})
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError) as e:
        raise ValidationError({field: _("expected a whole number")}) from e
    _bounded(number, field)
    return number


def _to_choice(value: Any, field: str, choices: list[tuple[str, Any]]) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or value not in dict(choices):
        raise ValidationError({field: f"must be one of {', '.join(dict(choices))}"})
    return str(value)


def _to_term(value: Any, field: str, vocabulary: Vocabulary | None, stored: str) -> str:
    """A value of the protocol's vocabulary for ``field``, as the vocabulary stores it.

    A value or one of its aliases is accepted whatever its letter case and blanks; anything
    else is refused, naming the choices. The value already stored is accepted unchanged even
    when it is outside the vocabulary: data typed freely before the protocol had vocabularies
    stays as it was (the form offers it as an extra choice) until someone picks a value.
    """
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: _("expected one of the protocol's choices")})
    if stored and value == stored:
        return stored
    term = vocabulary.term(value) if vocabulary is not None else None
    if term is None:
        choices = ", ".join(vocabulary.values) if vocabulary is not None else ""
        raise ValidationError({field: _("%(value)s is not one of the protocol's choices (%(choices)s)")
                               % {"value": value[:60], "choices": choices or _("none")}})
    return term.value


def _to_bool(value: Any, field: str) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "yes", "1"):
        return True
    if str(value).lower() in ("false", "no", "0"):
        return False
    raise ValidationError({field: "expected yes or no"})


_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "as_of": to_date, "birth_date": to_date, "surgery_date": to_date, "pregnancy_date": to_date,
    "weight_kg": _to_decimal, "height_cm": _to_decimal,
    "systolic": _to_int, "diastolic": _to_int,
    "sex": lambda v, f: _to_choice(v, f, m.SEX_CHOICES),
    "smoking": lambda v, f: _to_choice(v, f, m.SMOKING_CHOICES),
    "pregnancy_result": lambda v, f: _to_choice(v, f, m.PREGNANCY_RESULTS),
    "social_security": _to_bool,
}
#: Text and choice fields: stored as "" when cleared (the others as NULL).
_BLANK_AS_EMPTY = ("sex", "smoking", "pregnancy_result", "surgery_procedure", "surgery_site",
                   "surgery_anesthesia")

#: Where the screening record (core/eligibility/record.py) names a CRF field differently.
_RECORD_PATHS = {
    "blood_pressure.systolic": "systolic", "blood_pressure.diastolic": "diastolic",
    "surgery.procedure": "surgery_procedure", "surgery.site": "surgery_site",
    "surgery.anesthesia": "surgery_anesthesia", "surgery.date": "surgery_date",
    "pregnancy_test.result": "pregnancy_result", "pregnancy_test.date": "pregnancy_date",
}


def record_problem(error: str) -> ValidationError:
    """The engine's ``"path: message"`` about an inconsistent record, keyed on the CRF field."""
    path, _, message = error.partition(": ")
    if not message:
        return ValidationError(error)
    return ValidationError({_RECORD_PATHS.get(path, path): message})


def change_labels(changes: Mapping[str, Any]) -> dict[str, str]:
    """Human names of the keys of a serology or answer change (``serology.HIV``, ``answers.E5``);
    scalar fields are named by the model's verbose names."""
    labels = {}
    for key in changes:
        group, _, item = key.partition(".")
        if item:
            labels[key] = f"serology {item}" if group == "serology" else f"answer to criterion {item}"
    return labels


def apply_data(screening: m.Screening, data: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Apply CRF ``data`` to ``screening`` in memory (nothing saved) and return the changes."""
    protocol = protocol_for(screening)
    changes: dict[str, tuple[Any, Any]] = {}
    for field, raw in data.items():
        if field in ("serology", "answers") and raw is not None and not isinstance(raw, dict):
            raise ValidationError({field: "expected an object"})
        if isinstance(raw, (dict, list)) and (field in _PARSERS or field in VOCABULARY_FIELDS):
            raise ValidationError({field: "expected a single value"})
        if field in _PARSERS or field in VOCABULARY_FIELDS:
            value = (_to_term(raw, field, protocol.vocabularies.get(field), getattr(screening, field))
                     if field in VOCABULARY_FIELDS else _PARSERS[field](raw, field))
            if field in _BLANK_AS_EMPTY and value is None:
                value = ""
            old = getattr(screening, field)
            if old != value:
                changes[field] = (old if old != "" else None, value if value != "" else None)
                setattr(screening, field, value)
        elif field == "serology":
            screening.serology = _merge_choices(field, screening.serology, raw, m.SEROLOGY_TESTS,
                                                "unknown test {!r}", m.SEROLOGY_RESULTS, changes)
        elif field == "answers":
            screening.answers = _merge_choices(field, screening.answers, raw, protocol.answer_ids,
                                               "no question for criterion {!r}", m.ANSWER_CHOICES, changes)
        else:
            raise ValidationError({field: "unknown screening field"})
    return changes


def _merge_choices(field: str, current: dict[str, str], raw: Any, known: Any, unknown: str,
                   choices: Any, changes: dict[str, tuple[Any, Any]]) -> dict[str, str]:
    """``current`` with the per-key choices of ``raw`` applied (empty clears), noting changes."""
    merged = dict(current)
    for key, value in (raw or {}).items():
        if key not in known:
            raise ValidationError({field: unknown.format(key)})
        value = _to_choice(value, f"{field}.{key}", choices)
        old = merged.get(key)
        if (old or "") != value:
            changes[f"{field}.{key}"] = (old, value or None)
            if value:
                merged[key] = value
            else:
                merged.pop(key, None)
    return merged

