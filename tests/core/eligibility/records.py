"""Shared builders: an eligible donor's record, to be changed one fact at a time."""

from __future__ import annotations

import copy
from typing import Any

from stromalab.core.eligibility import ScreeningResult, screen
from stromalab.core.protocol import Protocol

NEGATIVE_SEROLOGY = {
    test: "negative"
    for test in ("HBsAg", "anti-HBc", "anti-HCV", "HIV", "HEV", "syphilis", "HTLV",
                 "toxoplasma-IgM", "EBV-IgM", "CMV-IgM")
}  # fmt: skip
EXCLUSIONS = [f"E{i}" for i in range(1, 23)]
ELIGIBLE: dict[str, Any] = {
    "donor": "D-0001",
    "as_of": "2026-03-02",
    "sex": "female",
    "birth_date": "1990-05-14",
    "weight_kg": 62.0,
    "height_cm": 168.0,
    "blood_pressure": {"systolic": 128, "diastolic": 82},
    "smoking": "never",
    "social_security": True,
    "consent": {"status": "signed", "date": "2026-03-01", "version": "1.0"},
    "surgery": {"procedure": "liposuction", "site": "abdominal wall", "anesthesia": "general", "date": "2026-03-20"},
    "serology": NEGATIVE_SEROLOGY,
    "pregnancy_test": {"result": "negative", "date": "2026-02-27"},
    "conditions": [{"code": "ICD10:J45.9", "onset": "2004-06-01", "end": None}],
    "medications": [{"code": "ATC:H02AB06", "start": "2025-12-01", "end": "2025-12-03"}],
    "answers": {cid: "no" for cid in EXCLUSIONS},
}


def eligible(**changes: Any) -> dict[str, Any]:
    """The eligible record with top-level fields replaced (None removes the field)."""
    record = copy.deepcopy(ELIGIBLE)
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def answers(**given: str) -> dict[str, str]:
    """All exclusion answers 'no' except those given (value '' removes the answer)."""
    result = {cid: "no" for cid in EXCLUSIONS}
    for cid, value in given.items():
        if value:
            result[cid] = value
        else:
            del result[cid]
    return result


def outcome(protocol: Protocol, record: dict[str, Any], cid: str) -> tuple[str, bool, str]:
    """(status, discrepancy, reason) of one criterion."""
    result: ScreeningResult = screen(protocol, record)
    for criterion in result.criteria:
        if criterion.id == cid:
            return criterion.status, criterion.discrepancy, criterion.reason
    raise KeyError(cid)


def status(protocol: Protocol, record: dict[str, Any], cid: str) -> str:
    return outcome(protocol, record, cid)[0]
