"""Donor eligibility: the screening record, the criteria language and its evaluation."""

from stromalab.core.eligibility.evaluate import (
    CriterionResult,
    ScreeningResult,
    evaluate,
    screen,
)
from stromalab.core.eligibility.record import RecordError, ScreeningRecord, parse_record

__all__ = [
    "CriterionResult",
    "RecordError",
    "ScreeningRecord",
    "ScreeningResult",
    "evaluate",
    "parse_record",
    "screen",
]
