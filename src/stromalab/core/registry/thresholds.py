"""Recognise a criterion that is one measured threshold: age, BMI, weight or height.

Conservative on purpose, because a drafted rule is evaluated as written: the criterion must
name exactly one quantity, state at least one limit, and say nothing else (once the limits,
the quantity's name, its units and a few filler words are taken away, nothing may remain).
"Age ≥ 18 and ≤ 55 years", "Adults 18 years or older", "BMI between 18.5 and 30 kg/m²", "Weight < 50 kg" are drafted;
"Age ≥ 18 with type 2 diabetes" is left for review.
"""

from __future__ import annotations

import re
from decimal import Decimal

_N = r"([0-9]+(?:\.[0-9]+)?)"
_UNIT = r"\s*(?:years?|yrs?|y|kg/m2|kg/m²|kg\.m-2|kg|cm|m)?\s*"

#: quantity -> the words that name it
_SUBJECTS = {
    "age_years": r"\b(?:ages?|aged|years?)\b",
    "bmi": r"\b(?:bmi|body mass index)\b",
    "weight_kg": r"\b(?:body weight|weight|weighing|weighs?)\b",
    "height_cm": r"\b(?:height|body height)\b",
}

#: (pattern, comparator of the first number, comparator of the second) in the order tried
_LIMITS: tuple[tuple[str, str, str | None], ...] = (
    (rf"\bbetween\s+{_N}{_UNIT}and\s+{_N}", "at_least", "at_most"),
    (rf"\bfrom\s+{_N}{_UNIT}to\s+{_N}", "at_least", "at_most"),
    (rf"(?:≥|>=|=>|≧|\bat least|\bminimum(?: of)?|\bno less than|\bnot less than)\s*{_N}", "at_least", None),
    (rf"(?:≤|<=|=<|≦|\bat most|\bmaximum(?: of)?|\bup to|\bno more than|\bnot more than|\bnot exceeding)\s*{_N}",
     "at_most", None),
    (rf"(?:>|\bover|\babove|\bgreater than|\bmore than|\bolder than|\bhigher than)\s*{_N}", "above", None),
    (rf"(?:<|\bunder|\bbelow|\bless than|\byounger than|\blower than)\s*{_N}", "below", None),
    (rf"{_N}{_UNIT}(?:or|and)\s+(?:older|over|above|more|greater)", "at_least", None),
    (rf"{_N}{_UNIT}(?:or|and)\s+(?:younger|under|below|less|lower)", "at_most", None),
    (rf"{_N}{_UNIT}(?:-|–|to)\s*{_N}", "at_least", "at_most"),
)

#: words that may surround a threshold without changing it
_FILLER = {
    "years", "year", "yrs", "yr", "y", "old", "of", "kg", "cm", "m", "kg/m2", "kg/m²", "kg.m-2",
    "and", "or", "must", "be", "is", "are", "the", "a", "an", "at", "time", "screening",
    "inclusion", "enrollment", "enrolment", "visit", "included", "inclusive", "both", "limits",
    "patients", "patient", "participants", "participant", "subjects", "subject", "volunteers",
    "adults", "adult", "aged", "age", "ages", "bmi", "body", "mass", "index", "weight", "weighing",
    "weighs", "weigh", "height", "between", "from", "to", "with", "=",
}


def _normal(text: str) -> str:
    lowered = text.lower().replace("\u00a0", " ")
    return re.sub(r"(?<=[0-9]),(?=[0-9])", ".", lowered)  # French decimal comma


def parse_threshold(text: str) -> tuple[str, tuple[tuple[str, Decimal], ...]] | None:
    """(quantity, ((comparator, limit), …)) when the whole criterion is one threshold."""
    if "\n" in text:
        return None
    normal = _normal(text)
    named = [q for q, pattern in _SUBJECTS.items() if re.search(pattern, normal)]
    if len(named) != 1:
        return None
    quantity = named[0]
    limits: dict[str, Decimal] = {}
    rest = normal
    for pattern, first, second in _LIMITS:
        for match in re.finditer(pattern, rest):
            pairs = [(first, match.group(1))] + ([(second, match.group(2))] if second else [])
            for comparator, number in pairs:
                if comparator in limits:
                    return None  # the same kind of limit twice: not a plain threshold
                limits[comparator] = Decimal(number)
        rest = re.sub(pattern, " ", rest)
    if not limits:
        return None
    leftover = [w for w in re.split(r"[\s,.;:()]+", rest) if w and w not in _FILLER]
    if leftover:
        return None
    if quantity == "height_cm" and re.search(r"[0-9]\s*m\b", normal) and not re.search(r"\bcm\b", normal):
        limits = {c: v * 100 for c, v in limits.items()}  # metres written: the record holds cm
    order = ("at_least", "above", "at_most", "below")
    return quantity, tuple((c, limits[c]) for c in order if c in limits)
