"""Drafted rules: only where the wording is recognisable, only rule kinds the engine evaluates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from stromalab.core.registry.criteria import Criterion
from stromalab.core.registry.drafting import REVIEW_NOTE, draft_rule
from stromalab.core.registry.history_terms import match_history
from stromalab.core.registry.thresholds import parse_threshold

TEST_7_DAYS = {"test": {"field": "pregnancy_test", "within_days": 7}}


def rule(text: str, kind: str = "exclusion", cid: str = "E1") -> dict[str, Any]:
    return draft_rule(Criterion(cid, kind, text)).rule


@pytest.mark.parametrize("text, expected", [
    ("Age ≥ 18 and ≤ 55 years", ("age_years", (("at_least", 18), ("at_most", 55)))),
    ("Aged 18 to 65 years inclusive", ("age_years", (("at_least", 18), ("at_most", 65)))),
    ("Adults 18 years or older", ("age_years", (("at_least", 18),))),
    ("Age > 17", ("age_years", (("above", 17),))),
    ("BMI <30", ("bmi", (("below", 30),))),
    ("BMI between 18,5 and 35 kg/m²", ("bmi", (("at_least", Decimal("18.5")), ("at_most", 35)))),
    ("Weight < 50 kg", ("weight_kg", (("below", 50),))),
    ("Body weight of at least 45 kg", ("weight_kg", (("at_least", 45),))),
    ("Height between 1.50 and 1.90 m", ("height_cm", (("at_least", 150), ("at_most", 190)))),
])
def test_thresholds(text: str, expected: tuple[str, tuple[tuple[str, int | Decimal], ...]]) -> None:
    assert parse_threshold(text) == (expected[0], tuple((c, Decimal(v)) for c, v in expected[1]))


@pytest.mark.parametrize("text", [
    "Age ≥ 18 with type 2 diabetes", "Weight ≥ 50 kg and BMI < 30", "Knee pain for at least 6 years",
    "Women aged 18 to 45 years", "Weight < 110 lb", "Age ≥ 18 and ≥ 21", "Adults",
])
def test_anything_more_than_a_threshold_is_left_for_review(text: str) -> None:
    assert parse_threshold(text) is None
    assert rule(text) == {"review": REVIEW_NOTE}


def test_sex() -> None:
    assert rule("Women only", "inclusion", "I1") == {"choice": {"field": "sex", "true": ["female"], "false": ["male"]}}
    assert rule("Male", "inclusion", "I1") == {"choice": {"field": "sex", "true": ["male"], "false": ["female"]}}


def test_pregnancy_and_breastfeeding() -> None:
    assert rule("Pregnancy", cid="E4") == {"sex": {"male": False, "female": {"reported": {
        "answer": "E4", "shown_by": [TEST_7_DAYS], "cleared_by": [TEST_7_DAYS]}}}}
    # a negative test does not clear breastfeeding
    assert rule("Pregnant or breastfeeding women", cid="E2") == {"sex": {"male": False, "female": {
        "reported": {"answer": "E2", "shown_by": [TEST_7_DAYS]}}}}
    assert rule("Lactating", cid="E3") == {"sex": {"male": False, "female": {"answer": "E3"}}}
    assert rule("Pregnancy test positive at screening") == {"review": REVIEW_NOTE}
    # an inclusion cannot rest on an exclusion's answer
    assert rule("Pregnant women", "inclusion", "I1") == {"review": REVIEW_NOTE}


@pytest.mark.parametrize("text, name, when", [
    ("History of cancer", "cancer", "ever"),
    ("Active or any past history of cancer", "cancer", "ever"),
    ("Hematological malignancies", "haematological_malignancy", "ever"),
    ("Known insulin-dependent diabetes", "type_1_diabetes", "ever"),
    ("Active hepatitis C", "hepatitis_c", "active"),
    ("Known HIV infection", "hiv", "ever"),
    ("Haemophilia", "haemophilia", "ever"),
])
def test_history_terms(text: str, name: str, when: str) -> None:
    match = match_history(text)
    assert match is not None and (match[0].name, match[1]) == (name, when)
    draft = draft_rule(Criterion("E7", "exclusion", text))
    assert draft.rule == {"reported": {"answer": "E7", "shown_by": [
        {"history": {"in": "conditions", "codelist": name, "when": when}}]}}
    assert list(draft.codelists) == [name]


@pytest.mark.parametrize("text", ["Uncontrolled hypertension", "Family history of cancer",
                                  "Systemic or autoimmune disease", "Cancer\n• any type"])
def test_qualified_otherwise_is_not_a_history_term(text: str) -> None:
    assert match_history(text) is None
