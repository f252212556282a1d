"""Input parsing shared by the result and panel actions, for the forms and the API alike.

Each function turns a raw value into what is stored, or raises a
:class:`~django.core.exceptions.ValidationError` keyed by the field at fault, so that the page
can show it beside that field and the API can name it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from stromalab.core.manufacturing.specification import (
    NumericLimit,
    PerDoseLimit,
    Requirement,
    Specification,
)
from stromalab.web.stored_text import text_problem

#: spaces people put between thousands ("1 000 000", with a plain, no-break or narrow no-break space)
_THOUSANDS = str.maketrans("", "", " \u00a0\u202f\u2009")
#: plausible values by unit: anything outside is a typing error, not a result
_BOUNDS: dict[str | None, tuple[Decimal, Decimal, str]] = {
    "%": (Decimal(0), Decimal(100), "a percentage is between 0 and 100"),
    "cells": (Decimal(1), Decimal(10) ** 15, "a cell count is a positive number below 10^15"),
}
_OTHER = (Decimal(0), Decimal(10) ** 9, "expected a number from 0 up to 10^9")


def clean_text(value: Any, name: str, limit: int, *, required: bool = False) -> str:
    """``value`` as stripped text of at most ``limit`` characters."""
    text = "" if value is None else str(value).strip()
    problem = text_problem(text)
    if problem:
        raise ValidationError({name: problem})
    if required and not text:
        raise ValidationError({name: "required"})
    if len(text) > limit:
        raise ValidationError({name: f"at most {limit} characters"})
    return text


def clean_value(value: Any, requirement: Requirement) -> str:
    """The result as stored: for a numeric test, the number as people write it (a decimal comma,
    spaces between thousands) checked finite and plausible for its unit, stored with a point;
    for a test with choices, the value of the choice named (refused, with the choices' labels,
    when it names none); for another text test, the text."""
    text = clean_text(value, "value", 100, required=True)
    if requirement.choices:
        choice = requirement.choice(text)
        if choice is None:
            language = get_language() or "en"
            raise ValidationError({"value": _("%(value)s is not a result of %(test)s: choose one of %(choices)s") % {
                "value": repr(text), "test": requirement.name,
                "choices": "; ".join(c.label(language) for c in requirement.choices)}})
        return choice.value
    if not isinstance(requirement.limit, NumericLimit | PerDoseLimit):
        return text
    number_text = text.translate(_THOUSANDS)
    if "," in number_text:
        if "." in number_text:
            raise ValidationError({"value": "write the number with one decimal separator"})
        number_text = number_text.replace(",", ".")
    try:
        number = Decimal(number_text)
    except InvalidOperation:
        raise ValidationError({"value": f"expected a number for {requirement.name}, got {text!r}"}) from None
    low, high, why = _BOUNDS.get(requirement.unit, _OTHER)
    if not number.is_finite() or not low <= number <= high:
        raise ValidationError({"value": f"{why} (got {text})"})
    return format(number, "f")


def clean_unit(value: Any, requirement: Requirement) -> str:
    """The specification's unit: it is fixed there, so a result may only repeat it."""
    unit = clean_text(value, "unit", 20)
    expected = requirement.unit or ""
    if unit and unit != expected:
        raise ValidationError({"unit": _("the unit of %(test)s is fixed by the specification: %(unit)s") % {
            "test": requirement.name, "unit": expected or _("none")}})
    return expected


def clean_date(value: Any, name: str, *, earliest: dt.date | None = None) -> dt.date:
    """A date (a ``date``, a ``datetime`` or ``YYYY-MM-DD`` text) that is not in the future nor,
    when ``earliest`` is given, before it."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value or ""))
        except ValueError as e:
            raise ValidationError({name: "expected a date YYYY-MM-DD"}) from e
    day: dt.date = value
    if day > timezone.localdate():
        raise ValidationError({name: "is in the future"})
    if earliest is not None and day < earliest:
        raise ValidationError({name: f"is before {earliest.isoformat()}, when the material was collected"})
    return day


def clean_dose(value: Any, requirement: Requirement) -> Decimal | None:
    """The requested dose (a whole number of cells) for a test judged per dose, else None."""
    if not isinstance(requirement.limit, PerDoseLimit):
        return None
    if value in (None, ""):
        raise ValidationError({"requested_dose": f"the requested dose is required to judge {requirement.name}"})
    try:
        dose = Decimal(str(value).strip())
    except InvalidOperation as e:
        raise ValidationError({"requested_dose": "expected a number of cells"}) from e
    if not dose.is_finite() or dose <= 0 or dose != dose.to_integral_value() or dose >= Decimal(10) ** 20:
        raise ValidationError({"requested_dose": "expected a positive whole number of cells"})
    return dose


def requirement_of(spec: Specification, test_id: str) -> Requirement:
    """The specification's requirement for ``test_id``; a refusal keyed ``test_id`` otherwise."""
    try:
        return spec.requirement(str(test_id))
    except KeyError:
        raise ValidationError({"test_id": f"{test_id!r} is not a test of release specification "
                                          f"version {spec.version}"}) from None
