"""In-process checks and specification tests as people read them, in the reader's language.

The core judges with the protocol's English names and English status values, and those stay
what is stored, signed and returned by the API. What a person reads is picked here: the test's
name in the active language from the protocol file (``name: {en, fr}``), the status as a word
of that language, and the limit with its fixed words translated, its unit in that language
(``unit: {en: days, fr: jours}``) and its numbers written the language's way (``2,5``). The quality app uses the same
helpers for the release specification's tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from stromalab.core.manufacturing.release import Verdict
from stromalab.core.manufacturing.specification import (
    NumericLimit,
    PerDoseLimit,
    Requirement,
    TextLimit,
)

from .config import in_process_limits
from .display import as_number, number_text
from .models import Step
from .queries import step_verdicts, study_of

#: the words shown for a verdict's status (the stored and API values stay English)
STATUS_WORDS = {"pass": gettext_lazy("pass"), "fail": gettext_lazy("fail"), "missing": gettext_lazy("missing"),
                "invalid": gettext_lazy("invalid")}


class Named(Protocol):
    """A requirement or a verdict: both carry the test's English name and its French one."""

    def label(self, language: str) -> str: ...


def active_language() -> str:
    """The active language (the request's, or the one a PDF is made in), else the site's."""
    return get_language() or settings.LANGUAGE_CODE


def shown_name(item: Named) -> str:
    """The test's name in the active language."""
    return item.label(active_language())


def status_word(status: str) -> str:
    """A verdict's status as a word of the active language (unknown values as stored)."""
    return str(STATUS_WORDS.get(status, status))


def unit_word(requirement: Requirement) -> str | None:
    """The requirement's unit in the active language (``None`` without one)."""
    return requirement.unit_label(active_language())


def limit_text(requirement: Requirement) -> str:
    """The limit in the active language: its numbers written that language's way, its unit in
    that language, the few fixed words of the core's wording (``one of``, ``requested dose``)
    translated."""
    limit, unit = requirement.limit, unit_word(requirement)
    if isinstance(limit, PerDoseLimit):
        return _("≥ requested dose") + (f" ({unit})" if unit else "")
    if isinstance(limit, TextLimit):
        if len(limit.allowed) > 1:
            return _("one of: %(values)s") % {"values": "; ".join(limit.allowed)}
        return limit.allowed[0]
    return _numeric_limit(limit, unit)


def _numeric_limit(limit: NumericLimit, unit: str | None) -> str:
    suffix = f" {unit}" if unit else ""
    low = None if limit.minimum is None else number_text(limit.minimum)
    high = None if limit.maximum is None else number_text(limit.maximum)
    if low is not None and high is not None:
        return f"{low}–{high}{suffix}"
    return f"≥ {low}{suffix}" if low is not None else f"≤ {high}{suffix}"


def value_text(value: str | None, requirement: Requirement | None = None) -> str:
    """A judged value as people read it: a number the language's way with the requirement's
    unit in that language, other text as recorded; nothing recorded is an em dash."""
    if not value:
        return "—"
    number = as_number(value)
    if number is None:
        return value
    unit = unit_word(requirement) if requirement is not None else None
    return number_text(number) + (f" {unit}" if unit else "")


@dataclass(frozen=True)
class CheckLine:
    """One in-process check of a step as the batch page and the batch record show it."""

    test_id: str
    name: str
    value: str
    limit: str
    #: the core's status (``pass``, ``fail``…), kept for styling
    status: str
    status_text: str


def check_line(verdict: Verdict, requirement: Requirement | None = None) -> CheckLine:
    """A verdict of the core as a line in the active language (its value and limit with the
    requirement's unit and numbers in that language when the requirement is given)."""
    limit = limit_text(requirement) if requirement is not None else verdict.limit
    return CheckLine(verdict.test_id, shown_name(verdict), value_text(verdict.value, requirement), limit,
                     str(verdict.status), status_word(verdict.status))


def check_lines(step: Step) -> list[CheckLine]:
    """The step's in-process checks (:func:`~.queries.step_verdicts`) in the active language."""
    spec = in_process_limits(study_of(step.batch))
    return [check_line(v, spec.requirement(v.test_id)) for v in step_verdicts(step)]
