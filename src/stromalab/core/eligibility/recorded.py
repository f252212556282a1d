"""Predicates on what the record states directly: choices, answers, the planned procedure and
laboratory results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from stromalab.core.eligibility.outcome import Outcome
from stromalab.core.eligibility.record import ScreeningRecord


@dataclass(frozen=True, slots=True)
class Choice:
    """An enumerated field: listed under ``true`` → True, under ``false`` → False."""

    field: str
    true: frozenset[object]
    false: frozenset[object]

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        if self.field == "consent":
            consent = record.consent
            if consent is None:
                return None, "consent not recorded", False
            dated = f" on {consent.date.isoformat()}" if consent.date else ""
            version = f" (information sheet {consent.version})" if consent.version else ""
            if consent.date is not None and consent.date > record.as_of:
                return None, f"consent {consent.status}{dated}, after the screening date", False
            value: object = consent.status
            said = f"consent {consent.status}{dated}{version}"
        else:
            value = getattr(record, self.field)
            if value is None:
                return None, f"{self.field.replace('_', ' ')} not recorded", False
            said = _say(self.field, value)
        if _member(value, self.true):
            return True, said, False
        if _member(value, self.false):
            return False, said, False
        return None, f"{said}: not decisive for this criterion", False


def _member(value: object, options: frozenset[object]) -> bool:
    """Membership that keeps ``true`` apart from ``1`` (Python treats them as equal)."""
    return any(option == value and type(option) is type(value) for option in options)


def _say(field: str, value: object) -> str:
    if field == "social_security":
        return "affiliated to social security" if value else "not affiliated to social security"
    return f"{field.replace('_', ' ')}: {value}"


_ANSWERED_NO: Outcome = (False, "answered no", False)
_ANSWERED_YES: Outcome = (True, "answered yes", False)
_NO_ANSWER: Outcome = (None, "no answer", False)


@dataclass(frozen=True, slots=True)
class Answer:
    """The investigator's yes/no answer to a criterion's question; yes means the donor has it."""

    id: str

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        answers = record.answers
        answer = answers.get(self.id) if answers else None
        if answer == "no":
            return _ANSWERED_NO
        if answer == "yes":
            return _ANSWERED_YES
        return _NO_ANSWER


# --- planned procedure ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Procedure:
    """A planned operation: procedure, site, anaesthesia and date must all qualify.

    Any item recorded otherwise makes it False even when others are missing; a missing item
    otherwise leaves it unknown. Text is compared without regard to letter case.
    """

    procedures: frozenset[str]
    site_contains: tuple[str, ...]
    anesthesia: frozenset[str]
    not_before_as_of: bool

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        surgery = record.surgery
        if surgery is None:
            return None, "surgery not recorded", False
        wrong: list[str] = []
        missing: list[str] = []
        if surgery.procedure is None:
            missing.append("procedure")
        elif surgery.procedure.strip().lower() not in self.procedures:
            wrong.append(f"procedure '{surgery.procedure}' is not {' / '.join(sorted(self.procedures))}")
        if surgery.site is None:
            missing.append("site")
        elif not any(part in surgery.site.lower() for part in self.site_contains):
            wrong.append(f"site '{surgery.site}' is not abdominal")
        if surgery.anesthesia is None:
            missing.append("anesthesia")
        elif surgery.anesthesia.strip().lower() not in self.anesthesia:
            wrong.append(f"anesthesia '{surgery.anesthesia}' is not {' / '.join(sorted(self.anesthesia))}")
        if surgery.date is None:
            missing.append("date")
        elif self.not_before_as_of and surgery.date < record.as_of:
            wrong.append(f"surgery date {surgery.date.isoformat()} is before the screening date")
        if wrong:
            return False, "; ".join(wrong), False
        if missing:
            return None, f"surgery {', '.join(missing)} not recorded", False
        return (
            True,
            f"{surgery.procedure}, {surgery.site}, {surgery.anesthesia} anesthesia on {surgery.date}",
            False,
        )


# --- laboratory ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Panel:
    """A panel of tests: any positive → True; all negative → False; otherwise unknown."""

    tests: tuple[str, ...]

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        results = record.serology or {}
        positive = [t for t in self.tests if results.get(t) == "positive"]
        if positive:
            return True, f"positive: {', '.join(positive)}", False
        missing = [t for t in self.tests if t not in results]
        equivocal = [t for t in self.tests if results.get(t) == "equivocal"]
        if missing or equivocal:
            parts = []
            if equivocal:
                parts.append(f"equivocal: {', '.join(equivocal)}")
            if missing:
                parts.append(f"not recorded: {', '.join(missing)}")
            return None, "; ".join(parts), False
        return False, f"all {len(self.tests)} tests negative", False


@dataclass(frozen=True, slots=True)
class Test:
    """A dated test that counts when dated from ``as_of`` − ``within_days`` to ``as_of``."""

    field: str
    within_days: int

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        test = record.pregnancy_test
        name = self.field.replace("_", " ")
        first = record.as_of - timedelta(days=self.within_days)
        if test is None:
            return None, f"no {name} recorded", False
        if not first <= test.date <= record.as_of:
            return None, f"{name} of {test.date.isoformat()} is outside {first.isoformat()}–{record.as_of.isoformat()}", False
        return test.result == "positive", f"{name} {test.result} on {test.date.isoformat()}", False
