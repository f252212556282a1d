"""The criteria language: predicates on a screening record, in three-valued logic.

Every predicate returns an :data:`Outcome` ``(value, reason, discrepancy)`` where ``value`` is
True, False or None (unknown) and ``reason`` explains it in words an investigator reads.
A criterion turns its predicate into pass / fail / unknown (see :mod:`.evaluate`).

Predicates about recorded history (:class:`History`, :class:`Exposure`) are True when the
records show the condition and unknown otherwise: absence of a record is never absence of a
disease. Only an explicit answer, or a dated negative test under ``cleared_by``, clears it.

Each kind is a frozen dataclass so that other back ends (the warehouse compiler) can read the
same tree and translate it instead of evaluating it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Context, Decimal
from typing import NamedTuple, Protocol, TypeAlias

from stromalab.core.eligibility.codes import CodeList
from stromalab.core.eligibility.dates import age_in_years, minus_months
from stromalab.core.eligibility.record import CodedFact, ScreeningRecord

Tri: TypeAlias = bool | None
Outcome: TypeAlias = tuple[Tri, str, bool]


class Rule(Protocol):
    def evaluate(self, record: ScreeningRecord) -> Outcome: ...


# --- measured values -----------------------------------------------------------------------

QUANTITIES = ("age_years", "bmi", "weight_kg", "height_cm", "systolic", "diastolic")
COMPARATORS = {"at_least": "≥", "at_most": "≤", "below": "<", "above": ">"}


def _measure(quantity: str, record: ScreeningRecord) -> tuple[Ratio | Decimal | int | None, str]:
    """The value of ``quantity`` and how to say it, or (None, why it is unknown)."""
    if quantity == "age_years":
        if record.birth_date is None:
            return None, "birth date not recorded"
        age = age_in_years(record.birth_date, record.as_of)
        return age, f"{age} years old on {record.as_of.isoformat()}"
    if quantity == "bmi":
        weight, height = record.weight_kg, record.height_cm
        if weight is None or height is None:
            missing = " and ".join(
                name for name, v in (("weight", weight), ("height", height)) if v is None
            )
            return None, f"BMI unknown: {missing} not recorded"
        # Exact: BMI is kept as the ratio weight*10^4 / height^2 and compared by
        # cross-multiplication, so 30.0 fails "< 30" whatever binary rounding would do.
        bmi = Ratio(_EXACT.multiply(weight, _TEN_THOUSAND), _EXACT.multiply(height, height))
        return bmi, f"BMI {bmi.shown()} kg/m² ({weight} kg, {height} cm)"
    if quantity in ("weight_kg", "height_cm"):
        value = record.weight_kg if quantity == "weight_kg" else record.height_cm
        name, unit = ("weight", "kg") if quantity == "weight_kg" else ("height", "cm")
        if value is None:
            return None, f"{name} not recorded"
        return value, f"{name} {value} {unit}"
    pressure = record.blood_pressure
    if pressure is None:
        return None, "blood pressure not recorded"
    value = pressure.systolic if quantity == "systolic" else pressure.diastolic
    return value, f"{quantity} blood pressure {value} mmHg"


#: Wide enough that products of recorded values are never rounded (inputs are at most ~20 digits).
_EXACT = Context(prec=200, rounding=ROUND_FLOOR)
_TEN_THOUSAND = Decimal(10000)
_CENT = Decimal("0.01")


class Ratio(NamedTuple):
    """An exact quotient of two decimals, compared by cross-multiplication (a tuple: cheap)."""

    numerator: Decimal
    denominator: Decimal  # > 0

    def compare(self, limit: Decimal) -> int:
        scaled = _EXACT.multiply(limit, self.denominator)
        return (self.numerator > scaled) - (self.numerator < scaled)

    def shown(self) -> str:
        """Two decimals, rounded down so that the shown figure never crosses a limit it did not."""
        return str(_EXACT.divide(self.numerator, self.denominator).quantize(_CENT, ROUND_FLOOR))


@dataclass(frozen=True, slots=True)
class Value:
    """A measured or derived quantity compared with limits; all limits must hold."""

    of: str
    limits: tuple[tuple[str, Decimal], ...]
    #: " (≥ 18 and ≤ 55)", said after a value that meets every limit
    met: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        bounds = " and ".join(f"{COMPARATORS[n]} {v}" for n, v in self.limits)
        object.__setattr__(self, "met", f" ({bounds})")

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        value, said = _measure(self.of, record)
        if value is None:
            return None, said, False
        for name, limit in self.limits:
            if not _holds(name, value, limit):
                return False, f"{said} (not {COMPARATORS[name]} {limit})", False
        return True, said + self.met, False


def _holds(comparator: str, value: Ratio | Decimal | int, limit: Decimal) -> bool:
    sign = value.compare(limit) if isinstance(value, Ratio) else (value > limit) - (value < limit)
    if comparator == "at_least":
        return sign >= 0
    if comparator == "at_most":
        return sign <= 0
    if comparator == "below":
        return sign < 0
    return sign > 0


# --- recorded choices and answers ----------------------------------------------------------


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


# --- recorded history ----------------------------------------------------------------------


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


# --- combinations --------------------------------------------------------------------------


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
class BySex:
    """A different rule for each sex (``sex`` is always recorded)."""

    female: Rule
    male: Rule

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        return (self.female if record.sex == "female" else self.male).evaluate(record)


@dataclass(frozen=True, slots=True)
class All:
    """Kleene conjunction: False if any is False, else unknown if any is unknown, else True."""

    rules: tuple[Rule, ...]

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        outcomes = [rule.evaluate(record) for rule in self.rules]
        return _combine(outcomes, decisive=False)


@dataclass(frozen=True, slots=True)
class Any_:
    """Kleene disjunction: True if any is True, else unknown if any is unknown, else False."""

    rules: tuple[Rule, ...]

    def evaluate(self, record: ScreeningRecord) -> Outcome:
        outcomes = [rule.evaluate(record) for rule in self.rules]
        return _combine(outcomes, decisive=True)


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
