"""The criteria language: predicates on a screening record, in three-valued logic.

Every predicate returns an :data:`Outcome` ``(value, reason, discrepancy)`` where ``value`` is
True, False or None (unknown) and ``reason`` explains it in words an investigator reads.
A criterion turns its predicate into pass / fail / unknown (see :mod:`.evaluate`).

Predicates about recorded history (:class:`History`, :class:`Exposure`) are True when the
records show the condition and unknown otherwise: absence of a record is never absence of a
disease. Only an explicit answer, or a dated negative test under ``cleared_by``, clears it.

The predicates live by family: measured quantities in :mod:`.measured`, what the record states
directly (choices, answers, procedure, laboratory) in :mod:`.recorded`, recorded history in
:mod:`.history`; this module holds the combinators and names every kind, so that
``rules.Value``, ``rules.History`` … stay the one place callers read the language from.

Each kind is a frozen dataclass so that other back ends (the warehouse compiler) can read the
same tree and translate it instead of evaluating it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from stromalab.core.eligibility.history import Exposure, History
from stromalab.core.eligibility.measured import COMPARATORS, QUANTITIES, Ratio, Value
from stromalab.core.eligibility.outcome import Outcome, Rule, Tri
from stromalab.core.eligibility.record import ScreeningRecord
from stromalab.core.eligibility.recorded import Answer, Choice, Panel, Procedure, Test

__all__ = [
    "COMPARATORS", "QUANTITIES", "All", "Answer", "Any_", "BySex", "Choice", "Constant",
    "Exposure", "History", "Not", "Outcome", "Panel", "Procedure", "Ratio", "Reported", "Review",
    "Rule", "Test", "Tri", "Value",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Reported:
    """An answered question backed by recorded data.

    True when the answer is yes or any ``shown_by`` predicate is true; otherwise False when the
    answer is no or any ``cleared_by`` predicate is false; otherwise unknown. When the answer
    is no but the data show the condition, the outcome is True and flagged as a discrepancy.
    """

    answer: Answer
    shown_by: tuple[Rule, ...]
    cleared_by: tuple[Rule, ...] = ()

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        answers = record.answers
        answer = answers.get(self.answer.id) if answers else None
        shown: list[str] | None = None
        for rule in self.shown_by:
            value, said, _ = rule.evaluate(record)
            if value:
                if shown is None:
                    shown = [said]
                else:
                    shown.append(said)
        if shown is not None:
            if answer == "yes":
                return True, "; ".join(["answered yes", *shown]), False
            if answer == "no":
                return True, f"answered no, but records show {'; '.join(shown)}", True
            return True, f"records show {'; '.join(shown)}", False
        if answer == "yes":
            return True, "answered yes", False
        if answer == "no":
            return False, "answered no", False
        for rule in self.cleared_by:
            value, said, _ = rule.evaluate(record)
            if value is False:
                return False, said, False
        # Unknown: say what was looked for (rare path, so evaluating again costs nothing).
        not_shown: list[str] = []
        for rule in self.shown_by:
            said = rule.evaluate(record)[1]
            if said not in not_shown:
                not_shown.append(said)
        return None, "; ".join(["no answer", *not_shown]), False


@dataclass(frozen=True, slots=True)
class Constant:
    value: bool
    reason: str

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        return self.value, self.reason, False


@dataclass(frozen=True, slots=True)
class Review:
    """A criterion nobody has made computable yet (drafted by an import, or left to a person):
    always unknown, so the verdict stays ``incomplete`` until someone writes its rule. The
    ``note`` says what the reviewer has to decide."""

    note: str

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        return None, f"awaiting review: {self.note}", False


@dataclass(frozen=True, slots=True)
class BySex:
    """A different rule for each sex (``sex`` is always recorded)."""

    female: Rule
    male: Rule

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        return (self.female if record.sex == "female" else self.male).evaluate(record)


@dataclass(frozen=True, slots=True)
class _Kleene:
    """A Kleene connective over ``rules``: the subclass names the value that decides it."""

    rules: tuple[Rule, ...]
    decisive: ClassVar[bool]

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        outcomes = [rule.evaluate(record) for rule in self.rules]
        return _combine(outcomes, self.decisive)


@dataclass(frozen=True, slots=True)
class All(_Kleene):
    """Kleene conjunction: False if any is False, else unknown if any is unknown, else True."""

    decisive: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class Any_(_Kleene):
    """Kleene disjunction: True if any is True, else unknown if any is unknown, else False."""

    decisive: ClassVar[bool] = True


def _combine(outcomes: list[Outcome], decisive: bool) -> Outcome:
    flagged = any(d for _, _, d in outcomes)
    hits = [said for value, said, _ in outcomes if value is decisive]
    if hits:
        return decisive, "; ".join(hits), flagged
    unknown = [said for value, said, _ in outcomes if value is None]
    if unknown:
        return None, "; ".join(unknown), flagged
    return not decisive, "; ".join(said for _, said, _ in outcomes), flagged


@dataclass(frozen=True, slots=True)
class Not:
    rule: Rule

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        value, said, flagged = self.rule.evaluate(record)
        return (None if value is None else not value), f"not ({said})", flagged
