"""Predicates on recorded history: coded conditions and medications, and medication exposure.

They are True when the records show the condition and unknown otherwise: absence of a record is
never absence of a disease (only an explicit answer, or a dated negative test under
``cleared_by`` in :class:`~stromalab.core.eligibility.rules.Reported`, clears it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from stromalab.core.eligibility.codes import CodeList
from stromalab.core.eligibility.dates import minus_months
from stromalab.core.eligibility.outcome import Outcome
from stromalab.core.eligibility.record import CodedFact, ScreeningRecord


@dataclass(frozen=True, slots=True)
class History:
    """A coded condition or medication, ``ever`` (onset on or before as_of) or ``active`` at as_of."""

    source: str  # "conditions" | "medications"
    codes: CodeList
    when: str  # "ever" | "active"
    absent: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        qualifier = "active " if self.when == "active" else ""
        object.__setattr__(self, "absent", f"no {qualifier}record of {self.codes.label}")

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        facts: Sequence[CodedFact] = (
            record.conditions if self.source == "conditions" else record.medications
        )
        if facts:
            as_of = record.as_of
            active = self.when == "active"
            codes = self.codes
            for fact in facts:
                if fact.system != codes.system or fact.start > as_of:
                    continue
                if active and fact.end is not None and fact.end < as_of:
                    continue
                if codes.matches(fact.code):
                    start = fact.start.isoformat()
                    span = f"since {start}" if fact.end is None else f"{start} to {fact.end.isoformat()}"
                    return True, f"{fact.raw} ({codes.label}), {span}", False
        return None, self.absent, False


@dataclass(frozen=True, slots=True)
class Exposure:
    """More than ``more_than_days`` distinct calendar days of a medication in the window
    [as_of − ``window_months`` calendar months, as_of], overlapping prescriptions counted once."""

    codes: CodeList
    window_months: int
    more_than_days: int

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        as_of = record.as_of
        first = minus_months(as_of, self.window_months)
        spans: list[tuple[date, date]] = []
        for fact in record.medications:
            if fact.system != self.codes.system or fact.start > as_of:
                continue
            start = max(fact.start, first)
            end = as_of if fact.end is None or fact.end > as_of else fact.end
            if start <= end and self.codes.matches(fact.code):
                spans.append((start, end))
        days = _distinct_days(spans)
        said = (
            f"{days} distinct day{'s' if days != 1 else ''} of "
            f"{self.codes.label} between "
            f"{first.isoformat()} and {as_of.isoformat()}"
        )
        if days > self.more_than_days:
            return True, f"{said} (more than {self.more_than_days})", False
        return None, f"{said} (not more than {self.more_than_days})", False


def _distinct_days(spans: list[tuple[date, date]]) -> int:
    total = 0
    reach: date | None = None
    for start, end in sorted(spans):
        if reach is not None and start <= reach:
            if end > reach:
                total += (end - reach).days
                reach = end
            continue
        total += (end - start).days + 1
        reach = end
    return total
