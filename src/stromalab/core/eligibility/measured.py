"""Predicates on measured and derived quantities (age, BMI, weight, height, blood pressure).

Values are compared exactly: BMI is an exact :class:`Ratio` compared by cross-multiplication, so
a value on a limit is judged by the limit, never by binary rounding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Context, Decimal
from typing import NamedTuple

from stromalab.core.eligibility.dates import age_in_years
from stromalab.core.eligibility.outcome import Outcome
from stromalab.core.eligibility.record import ScreeningRecord

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
