"""Loading specification files: the study's own files, and errors with file, line and key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from stromalab.core.manufacturing.specification import (
    IN_PROCESS_FORMAT,
    RELEASE_FORMAT,
    Choice,
    NumericLimit,
    PerDoseLimit,
    SpecificationError,
    TextLimit,
    load_specification,
    parse_specification,
)

PROTOCOL = Path(__file__).resolve().parents[3] / "protocols" / "NCT05947682"

HEADER = """\
format: stromalab-release-specification/1
protocol: NCT05947682
version: "1.0"
effective: "2026-01-01"
tests:
"""
VIABILITY = """\
  - id: viability
    name: Viability
    method: dye exclusion
    unit: "%"
    limit: {min: 70}
    required: true
"""


def test_study_release_specification() -> None:
    spec = load_specification(PROTOCOL / "release.yaml")
    assert (spec.format, spec.protocol, spec.version) == (RELEASE_FORMAT, "NCT05947682", "1.1")
    assert spec.effective == date(2026, 11, 30)
    limits = {r.id: r.limit for r in spec.requirements}
    assert limits["viability"] == NumericLimit(Decimal(70), None)
    assert limits["cell-count"] == PerDoseLimit()
    for marker in ("cd73", "cd90", "cd105"):
        assert limits[marker] == NumericLimit(Decimal(95), None)
    for marker in ("cd45", "cd34", "cd14-cd11b", "cd19-cd79a", "hla-dr"):
        assert limits[marker] == NumericLimit(None, Decimal(2))
    assert limits["sterility"] == TextLimit(("no growth",))
    assert limits["mycoplasma"] == TextLimit(("not detected",))
    assert limits["endotoxin"] == NumericLimit(None, Decimal(2))
    assert limits["karyotype"] == TextLimit(("normal",))
    assert spec.requirement("endotoxin").limit_text == "≤ 2 EU/mL"
    assert all(r.required for r in spec.requirements)
    # version 1.1: the qualitative tests are choices; the limits above are those of 1.0
    assert {r.id for r in spec.requirements if r.choices} == {"sterility", "mycoplasma", "karyotype"}
    assert spec.requirement("karyotype").choices == (
        Choice("normal", "Normal (46,XX or 46,XY)", "Normal (46,XX ou 46,XY)", True),
        Choice("abnormal", "Abnormal (numerical or structural)", "Anormal (numérique ou structural)", False))
    for test_id in ("sterility", "mycoplasma"):
        choices = spec.requirement(test_id).choices
        assert [c.conforms for c in choices] == [True, False] and all(c.en and c.fr for c in choices)


QUALITATIVE = """\
  - id: sterility
    name: Sterility
    method: Ph. Eur. 2.6.27
    unit: null
    limit: {equals: no growth}
    choices:
      - {value: no growth, en: No growth, fr: Absence de croissance}
      - {value: growth, en: Growth, fr: Croissance}
    required: true
"""


def test_choices_conform_when_the_limit_names_them() -> None:
    requirement = parse_specification(HEADER + QUALITATIVE, "s.yaml").requirements[0]
    assert [(c.value, c.conforms) for c in requirement.choices] == [("no growth", True), ("growth", False)]
    assert requirement.choice("  No   GROWTH ") == requirement.choices[0]
    assert requirement.choice("46,XX normal") is None
    assert requirement.choices[1].label("fr") == "Croissance" and requirement.choices[1].label("en-gb") == "Growth"
    assert requirement.choices[1].label("fr-ca") == "Croissance"
    assert parse_specification(HEADER + VIABILITY, "s.yaml").requirements[0].choices == ()


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        (HEADER + QUALITATIVE.replace("{equals: no growth}", "{equals: sterile}"), 10,
         "tests[0].limit", "'sterile' is not one of the choices"),
        (HEADER + QUALITATIVE.replace("value: growth,", "value: No Growth,"), 13,
         "tests[0].choices[1].value", "duplicate choice 'No Growth'"),
        (HEADER + QUALITATIVE.replace("value: growth,", "value: growth, de: Wachstum,"), 13,
         "tests[0].choices[1].de", "unknown key"),
        (HEADER + QUALITATIVE.replace(", fr: Croissance", ""), 13, "tests[0].choices[1].fr",
         "missing key"),
        (HEADER + QUALITATIVE.replace("{equals: no growth}", "{one_of: [no growth, growth]}"), 12,
         "tests[0].choices", "every choice conforms"),
        (HEADER + QUALITATIVE.replace("{equals: no growth}", "{max: 2}"), 12, "tests[0].choices",
         "equals or one_of"),
        (HEADER + QUALITATIVE.replace("    choices:\n", "    choices: []\n    x:\n"), 12,
         "tests[0].x", "unknown key"),
        (HEADER + VIABILITY.replace("required:", "choices: []\n    required:"), 11,
         "tests[0].choices", "equals or one_of"),
    ],
)
def test_choice_errors_give_line_and_key(text: str, line: int, key: str, words: str) -> None:
    with pytest.raises(SpecificationError) as caught:
        parse_specification(text, "release.yaml")
    assert (caught.value.line, caught.value.key) == (line, key)
    assert words in caught.value.problem


def test_study_in_process_limits() -> None:
    spec = load_specification(PROTOCOL / "manufacturing.yaml")
    assert spec.format == IN_PROCESS_FORMAT
    assert spec.requirement("harvest-mass").limit == NumericLimit(Decimal(40), Decimal(60))
    assert spec.requirement("receipt-delay").limit == NumericLimit(None, Decimal(24))
    assert spec.requirement("receipt-delay").basis == "unit default, editable"


def test_numbers_are_exact_decimals_from_the_text() -> None:
    spec = parse_specification(HEADER + VIABILITY.replace("{min: 70}", "{max: 2.10}"), "s.yaml")
    limit = spec.requirements[0].limit
    assert isinstance(limit, NumericLimit)
    assert limit.maximum == Decimal("2.10") and str(limit.maximum) == "2.10"


def test_requirement_lookup_names_the_version() -> None:
    spec = parse_specification(HEADER + VIABILITY, "s.yaml")
    assert spec.requirements[0].line == 6
    with pytest.raises(KeyError, match=r"no test 'cd73' in s\.yaml version 1\.0"):
        spec.requirement("cd73")


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        (HEADER + VIABILITY.replace("limit:", "limt:"), 10, "tests[0].limt", "unknown key"),
        (HEADER + VIABILITY.replace("{min: 70}", "{min: seventy}"), 10, "tests[0].limit.min",
         "expected a number, got 'seventy'"),
        (HEADER + VIABILITY.replace("{min: 70}", "{min: .nan}"), 10, "tests[0].limit.min",
         "expected a number"),
        (HEADER + VIABILITY.replace("{min: 70}", "{above: 70}"), 10, "tests[0].limit.above",
         "unknown key"),
        (HEADER + VIABILITY.replace("{min: 70}", "{}"), 10, "tests[0].limit", "expected one of"),
        (HEADER + VIABILITY.replace("{min: 70}", "{min: 70, equals: x}"), 10, "tests[0].limit",
         "equals and min cannot be combined"),
        (HEADER + VIABILITY.replace("{min: 70}", "{min: 60, max: 40}"), 10, "tests[0].limit",
         "min 60 is above max 40"),
        (HEADER + VIABILITY.replace("{min: 70}", "{one_of: []}"), 10, "tests[0].limit.one_of",
         "non-empty list"),
        (HEADER + VIABILITY.replace("{min: 70}", "{per_dose: false}"), 10,
         "tests[0].limit.per_dose", "only per_dose: true"),
        (HEADER + VIABILITY.replace("{min: 70}", "70"), 10, "tests[0].limit", "mapping"),
        (HEADER + VIABILITY.replace("required: true", "required: yes"), 11,
         "tests[0].required", "true or false"),
        (HEADER + VIABILITY.replace("    unit: \"%\"\n", ""), 6, "tests[0].unit", "missing key"),
        (HEADER + VIABILITY.replace("id: viability", "id: Viability"), 6, "tests[0].id",
         "small letters"),
        (HEADER + VIABILITY + VIABILITY, 12, "tests[1].id", "duplicate test id 'viability'"),
        (HEADER + VIABILITY.replace("name: Viability", "name: \"\""), 7, "tests[0].name",
         "non-empty text"),
        (HEADER.replace("stromalab-release-specification/1", "release/9") + VIABILITY, 1,
         "format", "expected one of"),
        (HEADER.replace('"2026-01-01"', "2026-13-01") + VIABILITY, 4, "effective",
         "expected a date"),
        (HEADER.replace('version: "1.0"\n', "") + VIABILITY, 1, "version", "missing key"),
        (HEADER + "  []\n", 6, "tests", "non-empty list"),
        (HEADER.replace("tests:", "changes: [{version: '1', date: '2026-01-01'}]\ntests:")
         + VIABILITY, 5, "changes[0].note", "missing key"),
        (HEADER.replace("tests:", "format: again\ntests:") + VIABILITY, 5, "format",
         "duplicate key"),
        (HEADER + VIABILITY + "  - id: [\n", 13, "", "YAML syntax error"),
    ],
)
def test_errors_give_file_line_and_key(text: str, line: int, key: str, words: str) -> None:
    with pytest.raises(SpecificationError) as caught:
        parse_specification(text, "release.yaml")
    error = caught.value
    assert (error.source, error.line, error.key) == ("release.yaml", line, key)
    assert words in error.problem
    assert str(error).startswith(f"release.yaml:{line}: ")


def test_empty_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(SpecificationError, match="file is empty"):
        parse_specification("", "x.yaml")
    with pytest.raises(SpecificationError, match="cannot read file"):
        load_specification(tmp_path / "absent.yaml")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"unit: \xb0C\n")
    with pytest.raises(SpecificationError, match="not UTF-8"):
        load_specification(latin)


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ("{min: 070}", NumericLimit(Decimal("70"), None)),  # the text, not YAML 1.1's octal 56
        ("{min: 70.0}", NumericLimit(Decimal("70.0"), None)),
        ('{min: "70"}', NumericLimit(Decimal("70"), None)),
        ("{one_of: [yes, no]}", TextLimit(("yes", "no"))),  # not True and False
    ],
)
def test_values_are_read_as_written(limit: str, expected: object) -> None:
    spec = parse_specification(HEADER + VIABILITY.replace("{min: 70}", limit), "s.yaml")
    assert spec.requirements[0].limit == expected
    assert repr(spec.requirements[0].limit) == repr(expected)


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        # the key's own line, though its value starts on the next one
        (HEADER + VIABILITY.replace("limit: {min: 70}", "limt:\n      min: 70"), 10,
         "tests[0].limt", "unknown key"),
        (HEADER + VIABILITY.replace("{min: 70}", "{min: 0x46}"), 10, "tests[0].limit.min",
         "expected a number, got '0x46'"),
        (HEADER + VIABILITY.replace("required: true", "required: True"), 11,
         "tests[0].required", "true or false"),
        (HEADER.replace('"2026-01-01"', "2026-02-30") + VIABILITY, 4, "effective",
         "expected a date YYYY-MM-DD, got '2026-02-30'"),
        (HEADER.replace("tests:", "~: x\ntests:") + VIABILITY, 5, "~", "unknown key"),
    ],
)
def test_errors_keep_what_was_written(text: str, line: int, key: str, words: str) -> None:
    with pytest.raises(SpecificationError) as caught:
        parse_specification(text, "release.yaml")
    assert (caught.value.line, caught.value.key) == (line, key)
    assert words in caught.value.problem
