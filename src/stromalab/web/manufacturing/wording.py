"""Texts the system wrote in English, read in the reader's language.

Some texts are study data written once, in English, and audited as written: the reason the core
gives for a verdict (``5.61 % is above the maximum 2``), the description of a deviation an
action recorded when a value fell outside its in-process limit (``Harvest mass 38 g outside
the in-process limit 40–60 g``), and the refusal of the label printer. They are translated
when shown, by pattern, as :mod:`stromalab.web.screening.query_text` does for automatic data
queries: no second stored copy, no migration, and the texts stored before this module read in
French too. The numbers in them are written the reader's way and the unit in the reader's
language when the requirement is known. A text that matches no pattern (one a person typed, or
one already stored in French) is shown as stored.

The patterns follow the English of :mod:`stromalab.core.manufacturing.release` (``_judge``),
:mod:`.actions.recording` (``check_limits``) and :mod:`stromalab.printing.labels`; the tests
of this module produce each text with those functions, so a change of wording there fails them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from stromalab.core.manufacturing.specification import Requirement

from .checks import active_language, limit_text, unit_word
from .display import as_number, number_text

if TYPE_CHECKING:
    from .models import Deviation

_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")


def _numbers(text: str) -> str:
    """Every plain number of ``text`` written the reader's way."""
    return _NUMBER.sub(lambda m: number_text(as_number(m[0]) or 0), text)


def limit_words(text: str, requirement: Requirement | None) -> str:
    """A limit as the core wrote it (``0–0 days``): the current requirement's wording when it is
    still the same limit, else its numbers and unit rewritten in the reader's language."""
    if requirement is None:
        return _numbers(text)
    if text == requirement.limit_text:
        conforming = [c.label(active_language()) for c in requirement.choices if c.conforms]
        return " / ".join(conforming) if conforming else limit_text(requirement)
    return _numbers(_with_unit(text, requirement))


def _quoted(text: str, requirement: Requirement | None) -> str:
    """A result the core quoted (``'no growth'``): a choice by its label in the reader's
    language, «…» in French, any other text as quoted."""
    choice = requirement.choice(text[1:-1]) if requirement is not None and len(text) > 1 else None
    return _("“%(value)s”") % {"value": choice.label(active_language())} if choice is not None else text


def _with_unit(text: str, requirement: Requirement | None) -> str:
    """``text`` with a trailing English unit of ``requirement`` in the reader's language."""
    if requirement is None or not requirement.unit:
        return text
    suffix = f" {requirement.unit}"
    return text[: -len(suffix)] + f" {unit_word(requirement)}" if text.endswith(suffix) else text


def quantity_text(text: str, requirement: Requirement | None) -> str:
    """A value as the core shows it (``5.61 %``, ``100000000 cells``), the reader's way."""
    return _numbers(_with_unit(text, requirement))


# --- verdict reasons (core release._judge) ------------------------------------------------------

_Render = Callable[[re.Match[str], Requirement | None], str]
_REASONS: list[tuple[re.Pattern[str], _Render]] = [
    (re.compile(r"no result recorded"), lambda m, r: _("no result recorded")),
    (re.compile(r"no requested dose recorded to compare with"),
     lambda m, r: _("no requested dose recorded to compare with")),
    (re.compile(r"unit (?P<unit>'.*') but the specification expects (?P<expected>'.*')"),
     lambda m, r: _("unit %(unit)s but the specification expects %(expected)s") % {
         "unit": m["unit"], "expected": m["expected"]}),
    (re.compile(r"(?P<value>'.*') is not one of the choices \((?P<choices>.*)\)"),
     lambda m, r: _("%(value)s is not one of the choices (%(choices)s)") % {
         "value": m["value"], "choices": m["choices"]}),
    (re.compile(r"(?P<value>'.*') is not a number"),
     lambda m, r: _("%(value)s is not a number") % {"value": m["value"]}),
    (re.compile(r"(?P<value>'.*') is not (?P<limit>.*)"),
     lambda m, r: _("%(value)s is not %(limit)s") % {"value": _quoted(m["value"], r), "limit": limit_words(m["limit"], r)}),
    (re.compile(r"(?P<value>'.*') is (?P<limit>.*)"),
     lambda m, r: _("%(value)s is %(limit)s") % {"value": _quoted(m["value"], r), "limit": limit_words(m["limit"], r)}),
    (re.compile(r"(?P<shown>.+) reaches the requested dose (?P<dose>\S+)"),
     lambda m, r: _("%(value)s reaches the requested dose %(dose)s") % {
         "value": quantity_text(m["shown"], r), "dose": _numbers(m["dose"])}),
    (re.compile(r"(?P<shown>.+) is below the requested dose (?P<dose>\S+)"),
     lambda m, r: _("%(value)s is below the requested dose %(dose)s") % {
         "value": quantity_text(m["shown"], r), "dose": _numbers(m["dose"])}),
    (re.compile(r"(?P<shown>.+) is below the minimum (?P<bound>\S+)"),
     lambda m, r: _("%(value)s is below the minimum %(bound)s") % {
         "value": quantity_text(m["shown"], r), "bound": _numbers(m["bound"])}),
    (re.compile(r"(?P<shown>.+) is above the maximum (?P<bound>\S+)"),
     lambda m, r: _("%(value)s is above the maximum %(bound)s") % {
         "value": quantity_text(m["shown"], r), "bound": _numbers(m["bound"])}),
    (re.compile(r"(?P<shown>.+) meets the limit (?P<limit>.+)"),
     lambda m, r: _("%(value)s meets the limit %(limit)s") % {
         "value": quantity_text(m["shown"], r), "limit": limit_words(m["limit"], r)}),
]


def reason_text(reason: str, requirement: Requirement | None = None) -> str:
    """A verdict's reason (the core's English) in the active language; ``requirement`` (the
    judged test) lets its unit and limit read in that language too."""
    for pattern, render in _REASONS:
        match = pattern.fullmatch(reason)
        if match is not None:
            return render(match, requirement)
    return reason


# --- deviation descriptions (actions.recording.check_limits) ------------------------------------

_OUTSIDE = " outside the in-process limit "
_NOT_KNOWN = re.compile(r"(?P<name>.+) not known, so not within the in-process limit (?P<limit>.+)", re.DOTALL)


def description_text(deviation: Deviation, requirement: Requirement | None = None) -> str:
    """The deviation's description in the active language: one an in-process check recorded is
    rendered from its template with the test's name, value and limit in that language
    (``requirement``: the check's in-process limit, when still in the study's file); any
    other text as stored."""
    text = deviation.description
    match = _NOT_KNOWN.fullmatch(text)
    if match is not None:
        return _("%(name)s not known, so not within the in-process limit %(limit)s") % {
            "name": _name(match["name"], requirement), "limit": limit_words(match["limit"], requirement)}
    head, found, limit = text.partition(_OUTSIDE)
    at = head.rfind(f" {deviation.value}") if found and deviation.value else -1
    if at < 0:
        return text
    return _("%(name)s %(value)s outside the in-process limit %(limit)s") % {
        "name": _name(head[:at], requirement), "value": quantity_text(head[at + 1:], requirement),
        "limit": limit_words(limit, requirement)}


def deviation_text(deviation: Deviation) -> str:
    """:func:`description_text` with the check's requirement from the batch's study's in-process
    limits (none for a check that is not one of them: a manual or a lot deviation)."""
    from .config import in_process_limits
    from .queries import study_of

    try:
        requirement = in_process_limits(study_of(deviation.batch)).requirement(deviation.check_id)
    except KeyError:
        requirement = None
    return description_text(deviation, requirement)


def _name(stored: str, requirement: Requirement | None) -> str:
    return requirement.label(active_language()) if requirement is not None else stored


# --- the label printer's refusals (printing.labels.LabelError) ---------------------------------

#: the parts of a label the printer names in its refusals
_LABEL_PARTS = {"product": gettext_lazy("product"), "storage": gettext_lazy("storage"),
                "expiry": gettext_lazy("expiry"), "expiration": gettext_lazy("expiration"),
                "collected": gettext_lazy("collection date"), "dates": gettext_lazy("dates"),
                "donor": gettext_lazy("donor"), "study": gettext_lazy("study"),
                "study and donor": gettext_lazy("study and donor"), "product code": gettext_lazy("product code"),
                "DIN": "DIN"}
_LABEL_REFUSALS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"no labels to print"), lambda m: _("no labels to print")),
    (re.compile(r"the (?P<part>.+) barcode needs (?P<mm>\d+) mm of label width"),
     lambda m: _("the %(part)s barcode needs %(mm)s mm of label width") % {"part": _part(m["part"]), "mm": m["mm"]}),
    (re.compile(r"the (?P<part>.+) text needs (?P<mm>\d+) mm of label width"),
     lambda m: _("the %(part)s text needs %(mm)s mm of label width") % {"part": _part(m["part"]), "mm": m["mm"]}),
    (re.compile(r"the label text needs more than (?P<mm>\d+) mm of height"),
     lambda m: _("the label text needs more than %(mm)s mm of height") % {"mm": m["mm"]}),
    (re.compile(r"(?P<part>.+?) does not fit on the label in (?P<n>\d+) line\(s\): (?P<text>.*)", re.DOTALL),
     lambda m: ngettext("%(part)s does not fit on the label in %(count)d line: %(text)s",
                        "%(part)s does not fit on the label in %(count)d lines: %(text)s", int(m["n"])) % {
         "part": _part(m["part"]), "count": int(m["n"]), "text": m["text"]}),
]


def _part(name: str) -> str:
    return str(_LABEL_PARTS.get(name, name))


def label_refusal_text(message: str) -> str:
    """A :class:`~stromalab.printing.labels.LabelError` message in the active language (one of
    another wording as written)."""
    for pattern, render in _LABEL_REFUSALS:
        match = pattern.fullmatch(message)
        if match is not None:
            return render(match)
    return message
