"""In-process checks and specification tests as people read them, in the reader's language.

The core judges with the protocol's English names and English status values, and those stay
what is stored, signed and returned by the API. What a person reads is picked here: the test's
name in the active language from the protocol file (``name: {en, fr}``), the status as a word
of that language, and the limit with its fixed words translated. The quality app uses the same
helpers for the release specification's tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from stromalab.core.manufacturing.release import Verdict
from stromalab.core.manufacturing.specification import PerDoseLimit, Requirement, TextLimit

from .models import Step
from .queries import step_verdicts

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


def limit_text(requirement: Requirement) -> str:
    """The limit in the active language: numbers and units as the file gives them, the few fixed
    words of the core's wording (``one of``, ``requested dose``) translated."""
    limit, unit = requirement.limit, requirement.unit
    if isinstance(limit, PerDoseLimit):
        return _("≥ requested dose") + (f" ({unit})" if unit else "")
    if isinstance(limit, TextLimit) and len(limit.allowed) > 1:
        return _("one of: %(values)s") % {"values": "; ".join(limit.allowed)}
    return requirement.limit_text


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


def check_line(verdict: Verdict) -> CheckLine:
    """A verdict of the core as a line in the active language."""
    return CheckLine(verdict.test_id, shown_name(verdict), verdict.value or "—", verdict.limit,
                     str(verdict.status), status_word(verdict.status))


def check_lines(step: Step) -> list[CheckLine]:
    """The step's in-process checks (:func:`~.queries.step_verdicts`) in the active language."""
    return [check_line(v) for v in step_verdicts(step)]
