"""Judging results against a specification: one result, then a whole batch.

A batch may leave storage only when every required test has a result within its limit, so the
decision and its reasons are computed here from plain values, the same way for the release
screen, the certificate of analysis and the CLI.

Numbers are compared as :class:`~decimal.Decimal` parsed from the result's text, both bounds
inclusive: 70 passes ``≥ 70``, 2.0 passes ``≤ 2``, 2.01 fails it. Text results are compared
ignoring case and runs of spaces (``No  growth`` equals ``no growth``). A test with ``choices``
takes only one of them: a conforming choice passes, another fails, and any other text is
invalid (it was typed, not chosen: correct it, it is no finding about the product).

Statuses:

* ``pass`` – within the limit;
* ``fail`` – outside the limit: an out-of-specification result, which blocks release until the
  investigation is closed (whether or not the test is ``required``);
* ``missing`` – no result yet (or, for a per-dose limit, no requested dose to compare with);
  blocks release only when the test is required;
* ``invalid`` – a result that cannot be judged (not a number, wrong unit); always blocks,
  because it must be corrected, not released around.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from stromalab.core.manufacturing.specification import (
    NumericLimit,
    PerDoseLimit,
    Requirement,
    Specification,
    TextLimit,
    is_french,
    normalized,
)


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    MISSING = "missing"
    INVALID = "invalid"


@dataclass(frozen=True)
class Result:
    """A QC result as recorded: the value as entered (text or Decimal) and its unit if known."""

    test_id: str
    value: str | Decimal
    unit: str | None = None


@dataclass(frozen=True)
class Verdict:
    """One test's outcome, with the reason in words for the release screen."""

    test_id: str
    name: str
    status: Status
    value: str | None
    limit: str
    required: bool
    reason: str
    #: the test's French name, when the specification gives one
    name_fr: str | None = None

    def label(self, language: str) -> str:
        """The test's name in ``language`` (see :meth:`Requirement.label`)."""
        return self.name_fr if self.name_fr is not None and is_french(language) else self.name

    @property
    def blocks_release(self) -> bool:
        return self.status in (Status.FAIL, Status.INVALID) or (
            self.status is Status.MISSING and self.required
        )


@dataclass(frozen=True)
class ReleaseDecision:
    """Whether a batch is releasable against one specification version, and why not."""

    protocol: str
    specification_version: str
    verdicts: tuple[Verdict, ...]

    @property
    def blocking(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.blocks_release)

    @property
    def releasable(self) -> bool:
        return not self.blocking

    @property
    def reasons(self) -> tuple[str, ...]:
        """One line per blocking test, e.g. ``Endotoxin (endotoxin): fail: 2.5 EU/mL …``."""
        return tuple(f"{v.name} ({v.test_id}): {v.status}: {v.reason}" for v in self.blocking)


def evaluate(
    requirement: Requirement, result: Result | None, *, requested_dose: Decimal | None = None
) -> Verdict:
    """Judge one result (``None`` when there is none) against its requirement."""
    if result is not None and result.test_id != requirement.id:
        raise ValueError(f"result for {result.test_id!r} judged against {requirement.id!r}")
    value = "" if result is None else str(result.value).strip()
    unit = None if result is None else result.unit
    status, reason = _judge(requirement, value, unit, requested_dose)
    return Verdict(
        requirement.id,
        requirement.name,
        status,
        value or None,
        requirement.limit_text,
        requirement.required,
        reason,
        requirement.name_fr,
    )


def _judge(
    requirement: Requirement, value: str, unit: str | None, requested_dose: Decimal | None
) -> tuple[Status, str]:
    if not value:
        return Status.MISSING, "no result recorded"
    if unit is not None and unit.strip() != (requirement.unit or ""):
        expected = requirement.unit or "none"
        return Status.INVALID, f"unit {unit!r} but the specification expects {expected!r}"
    limit = requirement.limit
    if requirement.choices:
        choice = requirement.choice(value)
        if choice is None:
            choices = ", ".join(c.value for c in requirement.choices)
            return Status.INVALID, f"{value!r} is not one of the choices ({choices})"
        if choice.conforms:
            return Status.PASS, f"{value!r} is {requirement.limit_text}"
        return Status.FAIL, f"{value!r} is not {requirement.limit_text}"
    if isinstance(limit, TextLimit):
        if normalized(value) in {normalized(a) for a in limit.allowed}:
            return Status.PASS, f"{value!r} is {requirement.limit_text}"
        return Status.FAIL, f"{value!r} is not {requirement.limit_text}"
    number = _decimal(value)
    if number is None:
        return Status.INVALID, f"{value!r} is not a number"
    shown = f"{value} {requirement.unit}" if requirement.unit else value
    if isinstance(limit, PerDoseLimit):
        if requested_dose is None:
            return Status.MISSING, "no requested dose recorded to compare with"
        if number >= requested_dose:
            return Status.PASS, f"{shown} reaches the requested dose {requested_dose}"
        return Status.FAIL, f"{shown} is below the requested dose {requested_dose}"
    return _numeric(limit, number, shown, requirement.limit_text)


def evaluate_batch(
    specification: Specification,
    results: Iterable[Result],
    *,
    requested_dose: Decimal | None = None,
) -> ReleaseDecision:
    """Judge a batch's results, one per test id, against every test of the specification.

    A result for a test the specification does not have, or two results for one test, is a
    ``ValueError``: the caller must choose which result counts (e.g. after a retest).
    """
    by_id: dict[str, Result] = {}
    known = {r.id for r in specification.requirements}
    for result in results:
        if result.test_id not in known:
            raise ValueError(
                f"result for {result.test_id!r}, which is not a test of "
                f"{specification.source} version {specification.version}"
            )
        if result.test_id in by_id:
            raise ValueError(f"two results for {result.test_id!r}; pass the one that counts")
        by_id[result.test_id] = result
    verdicts = tuple(
        evaluate(r, by_id.get(r.id), requested_dose=requested_dose)
        for r in specification.requirements
    )
    return ReleaseDecision(specification.protocol, specification.version, verdicts)


def _numeric(
    limit: NumericLimit, number: Decimal, shown: str, limit_text: str
) -> tuple[Status, str]:
    if limit.minimum is not None and number < limit.minimum:
        return Status.FAIL, f"{shown} is below the minimum {limit.minimum}"
    if limit.maximum is not None and number > limit.maximum:
        return Status.FAIL, f"{shown} is above the maximum {limit.maximum}"
    return Status.PASS, f"{shown} meets the limit {limit_text}"


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None

