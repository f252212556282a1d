"""Every criterion of NCT05947682 at and around its boundaries (the screening contract)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from stromalab.core.eligibility import screen
from stromalab.core.protocol import Protocol
from tests.core.eligibility.records import (
    NEGATIVE_SEROLOGY,
    answers,
    eligible,
    outcome,
    status,
)

#: the registry listing the protocol was built from, kept with the protocol as its source document
LISTING = Path(__file__).resolve().parents[3] / "protocols" / "NCT05947682" / "registry-listing.txt"
ORDER = [f"I{i}" for i in range(1, 7)] + [f"E{i}" for i in range(1, 23)]


def test_the_eligible_donor_is_eligible_with_28_criteria_in_order(protocol: Protocol) -> None:
    result = screen(protocol, eligible())
    assert result.verdict == "eligible", [c for c in result.criteria if c.status != "pass"]
    assert [c.id for c in result.criteria] == ORDER
    assert [c.kind for c in result.criteria] == ["inclusion"] * 6 + ["exclusion"] * 22
    assert all(c.reason for c in result.criteria)


def test_criterion_texts_are_the_listing_verbatim(protocol: Protocol) -> None:
    listing = re.sub(r"\s+", " ", LISTING.read_text(encoding="utf-8").replace("•", " "))
    for criterion in protocol.criteria:
        text = re.sub(r"\s+", " ", criterion.text.replace("•", " ")).strip()
        assert text in listing, criterion.id


# --- I1 age -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "as_of", "expected"),
    [
        ("2008-03-02", "2026-03-02", "pass"),  # 18th birthday today
        ("2008-03-03", "2026-03-02", "fail"),  # 18 tomorrow
        ("1970-03-03", "2026-03-02", "pass"),  # 55, turns 56 tomorrow
        ("1970-03-02", "2026-03-02", "fail"),  # 56 today
        ("2008-02-29", "2026-02-28", "fail"),  # leap-day birthday: not yet 18 on 28 Feb
        ("2008-02-29", "2026-03-01", "pass"),  # ...18 on 1 March in a common year
        ("2004-02-29", "2022-02-28", "fail"),
        ("2004-02-29", "2022-03-01", "pass"),
        ("2008-02-29", "2028-02-29", "pass"),  # leap year: 20 on 29 February itself
        ("1972-02-29", "2028-02-28", "pass"),  # 55 until 29 February 2028
        ("1972-02-29", "2028-02-29", "fail"),  # 56 on 29 February in a leap year
        ("1971-02-28", "2026-02-28", "pass"),  # 55 today
    ],
)
def test_i1_age_on_and_around_birthdays(protocol: Protocol, birth: str, as_of: str, expected: str) -> None:
    record = eligible(birth_date=birth, as_of=as_of)
    record["surgery"]["date"] = "2029-01-01"
    record["consent"]["date"] = None
    assert status(protocol, record, "I1") == expected


def test_i1_unknown_without_birth_date(protocol: Protocol) -> None:
    assert outcome(protocol, eligible(birth_date=None), "I1")[::2] == ("unknown", "birth date not recorded")


def test_i1_reason_names_age_and_date(protocol: Protocol) -> None:
    assert outcome(protocol, eligible(), "I1")[2].startswith("35 years old on 2026-03-02")


# --- I2 BMI and E1 weight -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "height", "expected"),
    [
        (120, 200, "fail"),  # exactly 30.0
        (76.8, 160, "fail"),  # exactly 30; binary floating point says 29.999999999999993
        (86.7, 170, "fail"),  # exactly 30; binary floating point says 30.000000000000004
        (76.79, 160, "pass"),
        (119.99, 200, "pass"),
        (48.6, 127.3, "pass"),
        (75.0, 158.1, "fail"),
    ],
)
def test_i2_bmi_exact(protocol: Protocol, weight: float, height: float, expected: str) -> None:
    assert status(protocol, eligible(weight_kg=weight, height_cm=height), "I2") == expected


def test_i2_unknown_without_height(protocol: Protocol) -> None:
    state, _, reason = outcome(protocol, eligible(height_cm=None), "I2")
    assert (state, reason) == ("unknown", "BMI unknown: height not recorded")


@pytest.mark.parametrize(("weight", "expected"), [(50, "pass"), (50.0, "pass"), (49.99, "fail"), (49, "fail"), (None, "unknown")])
def test_e1_weight(protocol: Protocol, weight: float | None, expected: str) -> None:
    assert status(protocol, eligible(weight_kg=weight, height_cm=140), "E1") == expected


# --- I3, I5, I6 ---------------------------------------------------------------------------


@pytest.mark.parametrize(("smoking", "expected"), [("never", "pass"), ("former", "pass"), ("current", "fail"), (None, "unknown")])
def test_i3_smoking(protocol: Protocol, smoking: str | None, expected: str) -> None:
    assert status(protocol, eligible(smoking=smoking), "I3") == expected


@pytest.mark.parametrize(
    ("consent", "expected"),
    [
        ({"status": "signed", "date": "2026-03-02"}, "pass"),
        ({"status": "signed"}, "pass"),
        ({"status": "refused", "date": "2026-03-01"}, "fail"),
        ({"status": "withdrawn", "date": "2026-03-01"}, "fail"),
        ({"status": "signed", "date": "2026-03-03"}, "unknown"),  # dated after as_of: ignored
        (None, "unknown"),
    ],
)
def test_i5_consent(protocol: Protocol, consent: dict[str, str] | None, expected: str) -> None:
    assert status(protocol, eligible(consent=consent), "I5") == expected


@pytest.mark.parametrize(("value", "expected"), [(True, "pass"), (False, "fail"), (None, "unknown")])
def test_i6_social_security(protocol: Protocol, value: bool | None, expected: str) -> None:
    assert status(protocol, eligible(social_security=value), "I6") == expected


# --- I4 surgery ---------------------------------------------------------------------------

SURGERY = {"procedure": "liposuction", "site": "abdominal wall", "anesthesia": "general", "date": "2026-03-20"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "pass"),
        ({"procedure": "Lipoaspiration"}, "pass"),
        ({"procedure": "LIPO-ASPIRATION", "site": "Abdomen", "anesthesia": "General"}, "pass"),
        ({"date": "2026-03-02"}, "pass"),  # on the screening date
        ({"date": "2026-03-01"}, "fail"),  # already past
        ({"procedure": "abdominoplasty"}, "fail"),
        ({"site": "thighs"}, "fail"),
        ({"anesthesia": "local"}, "fail"),
        ({"site": None}, "unknown"),
        ({"date": None}, "unknown"),
        ({"anesthesia": "regional", "date": None}, "fail"),  # recorded otherwise beats missing
    ],
)
def test_i4_surgery(protocol: Protocol, changes: dict[str, Any], expected: str) -> None:
    surgery = {k: v for k, v in {**SURGERY, **changes}.items() if v is not None}
    assert status(protocol, eligible(surgery=surgery), "I4") == expected


def test_i4_unknown_without_surgery(protocol: Protocol) -> None:
    assert status(protocol, eligible(surgery=None), "I4") == "unknown"


# --- E2 serology --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "pass"),
        ({"HIV": "positive"}, "fail"),
        ({"CMV-IgM": "positive", "EBV-IgM": "equivocal"}, "fail"),
        ({"toxoplasma-IgM": "equivocal"}, "unknown"),
        ({"HEV": None}, "unknown"),
    ],
)
def test_e2_serology(protocol: Protocol, changes: dict[str, str | None], expected: str) -> None:
    serology = {k: v for k, v in {**NEGATIVE_SEROLOGY, **changes}.items() if v is not None}
    assert status(protocol, eligible(serology=serology), "E2") == expected


def test_e2_reason_names_the_positive_test(protocol: Protocol) -> None:
    record = eligible(serology={**NEGATIVE_SEROLOGY, "anti-HCV": "positive"})
    assert outcome(protocol, record, "E2")[2] == "positive: anti-HCV"


# --- answer-only criteria -----------------------------------------------------------------


@pytest.mark.parametrize("cid", ["E3", "E4", "E6", "E7", "E9", "E18", "E22"])
@pytest.mark.parametrize(("answer", "expected"), [("yes", "fail"), ("no", "pass"), ("", "unknown")])
def test_answer_only_criteria(protocol: Protocol, cid: str, answer: str, expected: str) -> None:
    assert status(protocol, eligible(answers=answers(**{cid: answer})), cid) == expected


# --- history criteria ---------------------------------------------------------------------

HISTORY_CASES = [
    # (criterion, code, in the list?)
    ("E8", "ICD10:A81.0", True), ("E8", "ICD10:F03.90", True), ("E8", "ICD10:F04", False),
    ("E8", "ICD10:G30.1", True), ("E8", "ICD10:G31.0", True), ("E8", "ICD10:G32", False),
    ("E10", "ICD10:C81.0", True), ("E10", "ICD10:C96.9", True), ("E10", "ICD10:C80", False),
    ("E10", "ICD10:D47.1", True), ("E10", "ICD10:D44", False),
    ("E11", "ICD10:C50.9", True), ("E11", "icd10:c509", True), ("E11", "ICD10:C97", True),
    ("E11", "ICD10:D09.9", True), ("E11", "ICD10:D10", False), ("E11", "ICD10:B99", False),
    ("E13", "ICD10:M05.79", True), ("E13", "ICD10:M07", False), ("E13", "ICD10:M34.0", True),
    ("E13", "ICD10:M36.8", True), ("E13", "ICD10:M37", False), ("E13", "ICD10:G35", True),
    ("E13", "ICD10:D86.0", True),
    ("E16", "ICD10:D66", True), ("E16", "ICD10:D68.1", True), ("E16", "ICD10:D68.10", True),
    ("E16", "ICD10:D681", True), ("E16", "ICD10:D68.2", False), ("E16", "ICD10:D68", False),
    ("E17", "ICD10:E10.9", True), ("E17", "ICD10:E11.9", False),
]  # fmt: skip


@pytest.mark.parametrize(("cid", "code", "listed"), HISTORY_CASES)
def test_ever_history_code_lists(protocol: Protocol, cid: str, code: str, listed: bool) -> None:
    conditions = [{"code": code, "onset": "2010-01-01", "end": "2012-01-01"}]
    # with the answer "no": a listed code fails with a discrepancy, others pass
    state, discrepancy, _ = outcome(protocol, eligible(conditions=conditions), cid)
    assert (state, discrepancy) == (("fail", True) if listed else ("pass", False))
    # without an answer: a listed code fails, others stay unknown
    record = eligible(conditions=conditions, answers=answers(**{cid: ""}))
    assert outcome(protocol, record, cid)[:2] == (("fail", False) if listed else ("unknown", False))


def test_history_dated_after_as_of_is_ignored(protocol: Protocol) -> None:
    record = eligible(conditions=[{"code": "ICD10:C50.9", "onset": "2026-03-03"}])
    assert status(protocol, record, "E11") == "pass"
    record = eligible(conditions=[{"code": "ICD10:C50.9", "onset": "2026-03-02"}])
    assert status(protocol, record, "E11") == "fail"


def test_e12_antineoplastic_ever(protocol: Protocol) -> None:
    meds = [{"code": "ATC:L01XA01", "start": "2001-01-01", "end": "2001-06-01"}]
    assert outcome(protocol, eligible(medications=meds), "E12")[:2] == ("fail", True)
    assert status(protocol, eligible(medications=[{"code": "ATC:L02BA01", "start": "2001-01-01"}]), "E12") == "pass"


@pytest.mark.parametrize(
    ("cid", "code"),
    [("E14", "ICD10:R16.1"), ("E14", "ICD10:R59.0"), ("E15", "ICD10:R17")],
)
@pytest.mark.parametrize(
    ("end", "expected"),
    [(None, "fail"), ("2026-03-02", "fail"), ("2026-03-01", "pass"), ("2027-01-01", "fail")],
)
def test_active_conditions(protocol: Protocol, cid: str, code: str, end: str | None, expected: str) -> None:
    record = eligible(conditions=[{"code": code, "onset": "2026-01-01", "end": end}])
    assert status(protocol, record, cid) == expected


@pytest.mark.parametrize(
    ("cid", "code"), [("E17", "ATC:A10AB01"), ("E17", "ATC:a10ae04"), ("E20", "ATC:N05AN01")]
)
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [("2020-01-01", None, "fail"), ("2020-01-01", "2026-03-02", "fail"),
     ("2020-01-01", "2026-03-01", "pass"), ("2026-03-03", None, "pass")],
)  # fmt: skip
def test_active_medications(protocol: Protocol, cid: str, code: str, start: str, end: str | None, expected: str) -> None:
    record = eligible(medications=[{"code": code, "start": start, "end": end}])
    assert status(protocol, record, cid) == expected


def test_e17_other_antidiabetics_do_not_count(protocol: Protocol) -> None:
    record = eligible(medications=[{"code": "ATC:A10BA02", "start": "2020-01-01"}])
    assert status(protocol, record, "E17") == "pass"


# --- E5 blood pressure --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("systolic", "diastolic", "answer", "expected"),
    [
        (159, 99, "no", ("pass", False)),
        (160, 80, "no", ("fail", True)),
        (120, 100, "no", ("fail", True)),
        (160, 80, "", ("fail", False)),
        (159, 99, "", ("unknown", False)),
        (120, 80, "yes", ("fail", False)),
    ],
)
def test_e5_hypertension(protocol: Protocol, systolic: int, diastolic: int, answer: str, expected: tuple[str, bool]) -> None:
    record = eligible(blood_pressure={"systolic": systolic, "diastolic": diastolic}, answers=answers(E5=answer))
    assert outcome(protocol, record, "E5")[:2] == expected


# --- E19 corticosteroids ------------------------------------------------------------------


def steroid(start: str, end: str | None, code: str = "ATC:H02AB06") -> dict[str, Any]:
    return {"code": code, "start": start, "end": end}


@pytest.mark.parametrize(
    ("as_of", "courses", "days", "expected"),
    [
        ("2026-03-02", [steroid("2026-02-01", "2026-02-05")], 5, "pass"),
        ("2026-03-02", [steroid("2026-02-01", "2026-02-06")], 6, "fail"),
        # straddling the window's first day: 2025-12-02 .. 2026-03-02
        ("2026-03-02", [steroid("2025-11-28", "2025-12-03")], 2, "pass"),
        ("2026-03-02", [steroid("2025-11-26", "2025-12-07")], 6, "fail"),
        ("2026-03-02", [steroid("2025-11-25", "2025-12-01")], 0, "pass"),
        # straddling as_of: only days up to as_of count
        ("2026-03-02", [steroid("2026-02-26", "2026-03-10")], 5, "pass"),
        ("2026-03-02", [steroid("2026-02-25", None)], 6, "fail"),
        # overlapping prescriptions count each day once
        ("2026-03-02", [steroid("2026-02-01", "2026-02-04"), steroid("2026-02-03", "2026-02-05")], 5, "pass"),
        ("2026-03-02", [steroid("2026-02-01", "2026-02-04"), steroid("2026-02-03", "2026-02-06")], 6, "fail"),
        ("2026-03-02", [steroid("2026-02-01", "2026-02-03"), steroid("2026-02-10", "2026-02-12")], 6, "fail"),
        ("2026-03-02", [steroid("2026-02-01", "2026-02-10"), steroid("2026-02-02", "2026-02-03")], 10, "fail"),
        # month-end arithmetic: 31 May minus 3 months is 28 February (29 in a leap year)
        ("2026-05-31", [steroid("2026-02-23", "2026-02-28")], 1, "pass"),
        ("2026-05-31", [steroid("2026-02-27", "2026-03-05")], 6, "fail"),
        ("2024-05-31", [steroid("2024-02-24", "2024-02-29")], 1, "pass"),
        ("2024-05-31", [steroid("2024-02-28", "2024-03-05")], 6, "fail"),
        ("2026-03-31", [steroid("2025-12-31", "2026-01-05")], 6, "fail"),
        # other ATC classes and future courses are ignored
        ("2026-03-02", [steroid("2026-02-01", "2026-02-20", code="ATC:H03AA01")], 0, "pass"),
        ("2026-03-02", [steroid("2026-03-03", "2026-03-20")], 0, "pass"),
    ],
)
def test_e19_distinct_steroid_days(protocol: Protocol, as_of: str, courses: list[dict[str, Any]], days: int, expected: str) -> None:
    record = eligible(as_of=as_of, medications=courses, answers=answers(E19=""))
    record["surgery"]["date"] = "2026-12-01"
    state, _, reason = outcome(protocol, record, "E19")
    assert re.search(rf"(^|; |show ){days} distinct days? ", reason), reason
    assert state == ("fail" if expected == "fail" else "unknown")
    # with the answer "no", the same data pass or fail with a discrepancy
    record["answers"]["E19"] = "no"
    assert outcome(protocol, record, "E19")[:2] == (("fail", True) if expected == "fail" else ("pass", False))


# --- E21 pregnancy ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sex", "answer", "test", "expected"),
    [
        ("male", "", None, ("pass", False)),
        ("male", "", {"result": "positive", "date": "2026-03-01"}, ("pass", False)),
        ("female", "", None, ("unknown", False)),
        ("female", "no", None, ("pass", False)),
        ("female", "yes", {"result": "negative", "date": "2026-03-01"}, ("fail", False)),
        ("female", "", {"result": "negative", "date": "2026-02-23"}, ("pass", False)),  # as_of - 7
        ("female", "", {"result": "negative", "date": "2026-02-22"}, ("unknown", False)),  # too old
        ("female", "", {"result": "negative", "date": "2026-03-03"}, ("unknown", False)),  # after as_of
        ("female", "", {"result": "positive", "date": "2026-03-02"}, ("fail", False)),
        ("female", "no", {"result": "positive", "date": "2026-02-25"}, ("fail", True)),
        ("female", "no", {"result": "positive", "date": "2026-02-01"}, ("pass", False)),
    ],
)
def test_e21_pregnancy(protocol: Protocol, sex: str, answer: str, test: dict[str, str] | None, expected: tuple[str, bool]) -> None:
    record = eligible(sex=sex, pregnancy_test=test, answers=answers(E21=answer))
    assert outcome(protocol, record, "E21")[:2] == expected


# --- verdicts and other code systems ------------------------------------------------------


def test_minimal_record_is_incomplete(protocol: Protocol) -> None:
    result = screen(protocol, {"donor": "X", "as_of": "2026-01-01", "sex": "male"})
    assert result.verdict == "incomplete"
    assert {c.status for c in result.criteria} == {"unknown", "pass"}  # E21 passes for a man


def test_one_failure_makes_ineligible(protocol: Protocol) -> None:
    assert screen(protocol, eligible(smoking="current")).verdict == "ineligible"
    assert screen(protocol, eligible(smoking="current", birth_date=None)).verdict == "ineligible"


def test_other_code_systems_are_listed_as_ignored(protocol: Protocol) -> None:
    record = eligible(conditions=[{"code": "SNOMED:363346000", "onset": "2010-01-01"}])
    result = screen(protocol, record)
    assert result.ignored == ("SNOMED:363346000",)
    assert result.to_dict()["ignored"] == ["SNOMED:363346000"]
    assert result.verdict == "eligible"


def test_result_dict_follows_the_contract(protocol: Protocol) -> None:
    data = screen(protocol, eligible()).to_dict()
    assert list(data) == ["donor", "protocol", "as_of", "verdict", "criteria", "ignored"]
    assert list(data["criteria"][0]) == ["id", "kind", "text", "status", "reason", "discrepancy"]
    assert data["criteria"][0]["text"] == "Age ≥ 18 and ≤ 55 years"
