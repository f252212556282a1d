"""The published JSON Schema and the parser agree on what a screening record is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from stromalab.core.eligibility import RecordError, screen
from stromalab.core.protocol import Protocol
from tests.core.eligibility.records import eligible

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[3] / "docs" / "schema" / "screening-record-v1.schema.json").read_text()
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_the_schema_is_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(
    "record",
    [
        eligible(),
        {"donor": "X", "as_of": "2026-01-01", "sex": "male"},
        eligible(consent={"status": "refused", "date": None}, answers={"E3": None}),
        eligible(conditions=[{"code": "SNOMED:22298006", "onset": "2001-01-01"}]),
    ],
)
def test_valid_for_both(protocol: Protocol, record: dict[str, Any]) -> None:
    VALIDATOR.validate(record)
    screen(protocol, record)


@pytest.mark.parametrize(
    "record",
    [
        eligible(weigth_kg=60),
        eligible(weight_kg=0),
        eligible(sex="F"),
        eligible(smoking="no"),
        eligible(blood_pressure={"systolic": 120}),
        eligible(serology={"HBV": "negative"}),
        eligible(pregnancy_test={"result": "negative"}),
        eligible(conditions=[{"code": "C50", "onset": "2001-01-01"}]),
        eligible(medications=[{"code": "ATC:H02AB06", "onset": "2001-01-01"}]),
        eligible(answers={"E23": "no"}),
        eligible(donor="Jean Dupont"),
        eligible(as_of="02/03/2026"),
    ],
)
def test_invalid_for_both(protocol: Protocol, record: dict[str, Any]) -> None:
    assert not VALIDATOR.is_valid(record)
    with pytest.raises(RecordError):
        screen(protocol, record)
