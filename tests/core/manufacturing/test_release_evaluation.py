"""Judging results: each limit kind at its boundaries, and the batch release decision."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from stromalab.core.manufacturing.release import (
    Result,
    Status,
    evaluate,
    evaluate_batch,
)
from stromalab.core.manufacturing.specification import (
    Requirement,
    Specification,
    load_specification,
    parse_specification,
)

PROTOCOL = Path(__file__).resolve().parents[3] / "protocols" / "NCT05947682"
SPEC = load_specification(PROTOCOL / "release.yaml")
IN_PROCESS = load_specification(PROTOCOL / "manufacturing.yaml")


def judge(
    spec: Specification, test_id: str, value: str, requested_dose: Decimal | None = None
) -> Status:
    requirement: Requirement = spec.requirement(test_id)
    return evaluate(requirement, Result(test_id, value), requested_dose=requested_dose).status


@pytest.mark.parametrize(
    ("test_id", "value", "status"),
    [
        ("viability", "70", Status.PASS),
        ("viability", "70.0", Status.PASS),
        ("viability", "69.99", Status.FAIL),
        ("viability", "100", Status.PASS),
        ("cd73", "95", Status.PASS),
        ("cd73", "94.999", Status.FAIL),
        ("endotoxin", "2.0", Status.PASS),
        ("endotoxin", "2", Status.PASS),
        ("endotoxin", "2.01", Status.FAIL),
        ("endotoxin", "0", Status.PASS),
        ("hla-dr", "2.00001", Status.FAIL),
        ("sterility", "no growth", Status.PASS),
        ("sterility", "  No   Growth ", Status.PASS),
        ("sterility", "growth", Status.FAIL),
        ("mycoplasma", "not detected", Status.PASS),
        ("mycoplasma", "detected", Status.FAIL),
        ("karyotype", "normal", Status.PASS),
        ("karyotype", "abnormal", Status.FAIL),
        ("karyotype", " NORMAL ", Status.PASS),
        # a qualitative test takes one of its choices: other text is typed, not chosen
        ("karyotype", "46,XX normal", Status.INVALID),
        ("sterility", "contaminated", Status.INVALID),
        ("viability", "", Status.MISSING),
        ("viability", "seventy", Status.INVALID),
        ("viability", "70,5", Status.INVALID),
        ("viability", "NaN", Status.INVALID),
        ("viability", "Infinity", Status.INVALID),
    ],
)
def test_release_limits_at_boundaries(test_id: str, value: str, status: Status) -> None:
    assert judge(SPEC, test_id, value) is status


@pytest.mark.parametrize(
    ("value", "status"),
    [("39.9", Status.FAIL), ("40", Status.PASS), ("60.0", Status.PASS), ("60.01", Status.FAIL)],
)
def test_range_limit_is_inclusive(value: str, status: Status) -> None:
    assert judge(IN_PROCESS, "harvest-mass", value) is status


def test_decimal_values_are_accepted() -> None:
    verdict = evaluate(SPEC.requirement("endotoxin"), Result("endotoxin", Decimal("2.00")))
    assert verdict.status is Status.PASS and verdict.value == "2.00"


@pytest.mark.parametrize(
    ("value", "dose", "status"),
    [
        ("100000000", Decimal(100_000_000), Status.PASS),
        ("1.0E8", Decimal(100_000_000), Status.PASS),
        ("99999999", Decimal(100_000_000), Status.FAIL),
        ("100000000", None, Status.MISSING),
    ],
)
def test_per_dose_limit(value: str, dose: Decimal | None, status: Status) -> None:
    assert judge(SPEC, "cell-count", value, requested_dose=dose) is status


def test_one_of_limit() -> None:
    spec_text = (PROTOCOL / "release.yaml").read_text(encoding="utf-8")
    spec_text = spec_text.replace("limit: {equals: normal}", 'limit: {one_of: ["46,XX", "46,XY"]}')
    start = spec_text.index("choices:", spec_text.index("id: karyotype"))
    spec_text = spec_text[:start] + spec_text[spec_text.index("required:", start):]  # free text
    spec = parse_specification(spec_text, "r.yaml")
    assert spec.requirement("karyotype").limit_text == "one of: 46,XX; 46,XY"
    assert judge(spec, "karyotype", "46,xy") is Status.PASS
    assert judge(spec, "karyotype", "47,XY") is Status.FAIL


def test_choice_reasons_in_words() -> None:
    karyotype = SPEC.requirement("karyotype")
    assert evaluate(karyotype, Result("karyotype", "normal")).reason == "'normal' is normal"
    assert evaluate(karyotype, Result("karyotype", "abnormal")).reason == "'abnormal' is not normal"
    verdict = evaluate(karyotype, Result("karyotype", "46,XX normal"))
    assert verdict.reason == "'46,XX normal' is not one of the choices (normal, abnormal)"
    assert verdict.blocks_release


def test_unit_mismatch_is_invalid() -> None:
    requirement = SPEC.requirement("endotoxin")
    assert evaluate(requirement, Result("endotoxin", "1", "EU/mL")).status is Status.PASS
    verdict = evaluate(requirement, Result("endotoxin", "1", "EU/ml"))
    assert verdict.status is Status.INVALID
    assert "expects 'EU/mL'" in verdict.reason


def test_reasons_in_words() -> None:
    verdict = evaluate(SPEC.requirement("endotoxin"), Result("endotoxin", "2.5"))
    assert verdict.reason == "2.5 EU/mL is above the maximum 2"
    assert verdict.limit == "≤ 2 EU/mL"
    verdict = evaluate(SPEC.requirement("viability"), Result("viability", "81"))
    assert verdict.reason == "81 % meets the limit ≥ 70 %"


def test_result_for_another_test_is_an_error() -> None:
    with pytest.raises(ValueError, match="judged against 'viability'"):
        evaluate(SPEC.requirement("viability"), Result("cd73", "99"))


def _passing_results() -> list[Result]:
    values = {
        "viability": "92",
        "cell-count": "200000000",
        "cd73": "99.1",
        "cd90": "98",
        "cd105": "96.5",
        "cd45": "0.4",
        "cd34": "1.1",
        "cd14-cd11b": "0.2",
        "cd19-cd79a": "0.1",
        "hla-dr": "2.0",
        "sterility": "no growth",
        "mycoplasma": "not detected",
        "endotoxin": "0.5",
        "karyotype": "normal",
    }
    return [Result(test_id, value) for test_id, value in values.items()]


def test_complete_passing_batch_is_releasable() -> None:
    decision = evaluate_batch(SPEC, _passing_results(), requested_dose=Decimal(100_000_000))
    assert decision.releasable
    assert decision.blocking == () and decision.reasons == ()
    assert (decision.protocol, decision.specification_version) == ("NCT05947682", "1.1")
    assert [v.test_id for v in decision.verdicts] == [r.id for r in SPEC.requirements]


def test_failed_or_missing_required_test_blocks_release() -> None:
    results = [r for r in _passing_results() if r.test_id != "mycoplasma"]
    results = [Result("endotoxin", "2.01") if r.test_id == "endotoxin" else r for r in results]
    decision = evaluate_batch(SPEC, results, requested_dose=Decimal(100_000_000))
    assert not decision.releasable
    assert [(v.test_id, v.status) for v in decision.blocking] == [
        ("mycoplasma", Status.MISSING),
        ("endotoxin", Status.FAIL),
    ]
    assert decision.reasons == (
        "Mycoplasma (mycoplasma): missing: no result recorded",
        "Endotoxin (endotoxin): fail: 2.01 EU/mL is above the maximum 2",
    )


def test_missing_requested_dose_blocks_release() -> None:
    decision = evaluate_batch(SPEC, _passing_results())
    assert [v.test_id for v in decision.blocking] == ["cell-count"]


def test_optional_tests() -> None:
    """A missing optional result does not block; an out-of-specification one still does."""
    confluence = IN_PROCESS.requirement("confluence-at-passage")
    assert not confluence.required
    assert not evaluate(confluence, None).blocks_release
    assert evaluate(confluence, Result(confluence.id, "95")).blocks_release


def test_batch_results_must_be_unambiguous() -> None:
    with pytest.raises(ValueError, match=r"not a test of .*release\.yaml version 1\.1"):
        evaluate_batch(SPEC, [Result("cd200", "3")])
    with pytest.raises(ValueError, match="two results for 'cd73'"):
        evaluate_batch(SPEC, [Result("cd73", "99"), Result("cd73", "97")])
