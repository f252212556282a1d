"""Test names in English and French (``name: {en, fr}``): display words that change nothing
judged, still checked key by key with the file's line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from stromalab.core.manufacturing.release import Result, evaluate
from stromalab.core.manufacturing.specification import (
    SpecificationError,
    load_specification,
    parse_specification,
)

PROTOCOL = Path(__file__).resolve().parents[3] / "protocols" / "NCT05947682"
HEADER = """\
format: stromalab-in-process-limits/1
protocol: NCT05947682
version: "1.0"
effective: "2026-01-01"
tests:
  - id: svf-viability
"""
BODY = """\
    method: dye exclusion
    unit: "%"
    limit: {min: 70}
    required: true
"""


def _spec(name: str) -> str:
    return f"{HEADER}    name: {name}\n{BODY}"


def test_both_names_are_read_and_the_english_one_is_kept_for_judging() -> None:
    requirement = parse_specification(_spec("{en: SVF viability, fr: Viabilité de la FVS}"), "t.yaml").requirements[0]
    assert (requirement.name, requirement.name_fr) == ("SVF viability", "Viabilité de la FVS")
    assert [requirement.label(lang) for lang in ("fr", "fr-ca", "fr_FR", "en", "de")] == [
        "Viabilité de la FVS", "Viabilité de la FVS", "Viabilité de la FVS", "SVF viability", "SVF viability"]
    verdict = evaluate(requirement, Result("svf-viability", Decimal(65)))
    assert verdict.name == "SVF viability" and verdict.label("fr") == "Viabilité de la FVS"
    assert verdict.label("en") == "SVF viability"


def test_a_single_text_is_an_english_name_without_translation() -> None:
    requirement = parse_specification(_spec("SVF viability"), "t.yaml").requirements[0]
    assert requirement.name_fr is None and requirement.label("fr") == "SVF viability"
    assert evaluate(requirement, None).label("fr") == "SVF viability"


@pytest.mark.parametrize(("name", "key", "problem"), [
    ("{en: SVF viability}", "tests[0].name.fr", "missing key"),
    ("{en: SVF viability, fr: Viabilité, de: Lebensfähigkeit}", "tests[0].name.de", "unknown key"),
    ("{en: SVF viability, fr: ''}", "tests[0].name.fr", "non-empty text"),
    ("[SVF viability]", "tests[0].name", "mapping"),
])
def test_malformed_names_are_refused_with_line_and_key(name: str, key: str, problem: str) -> None:
    with pytest.raises(SpecificationError) as caught:
        parse_specification(_spec(name), "t.yaml")
    assert caught.value.key == key and problem in caught.value.problem and caught.value.line == 7


@pytest.mark.parametrize("file", ["release.yaml", "manufacturing.yaml"])
def test_every_test_of_the_study_is_named_in_french(file: str) -> None:
    spec = load_specification(PROTOCOL / file)
    assert all(r.name_fr for r in spec.requirements)
