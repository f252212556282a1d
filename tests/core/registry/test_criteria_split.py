"""The eligibility text split into criteria: headings, bullet styles, sub-bullets, verbatim."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from stromalab.core.registry.criteria import split_criteria

SEED = Path(__file__).resolve().parents[3] / "protocols" / "NCT05947682"


def test_the_seed_record_splits_into_the_seed_protocol_criteria() -> None:
    """The 28 criteria of the hand-written protocol, ids, kinds and wording, sub-bullets included."""
    record = json.loads((SEED / "study.json").read_text(encoding="utf-8"))
    text = record["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
    expected = yaml.safe_load((SEED / "eligibility.yaml").read_text(encoding="utf-8"))["criteria"]
    assert [(c.id, c.kind, c.text) for c in split_criteria(text)] == \
        [(c["id"], c["kind"], c["text"]) for c in expected]


@pytest.mark.parametrize("inclusion, exclusion", [
    ("Inclusion Criteria:", "Exclusion Criteria:"),
    ("INCLUSION CRITERIA", "EXCLUSION CRITERIA"),
    ("Key inclusion criteria:", "Key exclusion criteria:"),
    ("**Inclusion criteria**", "Criteria for exclusion:"),
    ("Inclusion criteria for healthy volunteers:", "Exclusion Criterion:"),
])
def test_usual_headings(inclusion: str, exclusion: str) -> None:
    criteria = split_criteria(f"{inclusion}\n\n* Adults\n* Consent\n\n{exclusion}\n\n* Pregnancy\n")
    assert [(c.id, c.kind, c.text) for c in criteria] == [
        ("I1", "inclusion", "Adults"), ("I2", "inclusion", "Consent"), ("E1", "exclusion", "Pregnancy")]


@pytest.mark.parametrize("marker", ["*", "-", "•", "1.", "1)", "(1)", "a."])
def test_bullet_styles(marker: str) -> None:
    criteria = split_criteria(f"Inclusion Criteria:\n{marker} Age ≥ 18 years\n{marker} BMI < 30")
    assert [c.text for c in criteria] == ["Age ≥ 18 years", "BMI < 30"]


def test_unmarked_lines_are_criteria_and_text_before_a_heading_is_inclusion() -> None:
    criteria = split_criteria("Healthy adult\nInclusion criteria:\nMale\nExclusion criteria: Diabetes\nAsthma")
    assert [(c.id, c.text) for c in criteria] == [
        ("I1", "Healthy adult"), ("I2", "Male"), ("E1", "Diabetes"), ("E2", "Asthma")]


def test_sub_bullets_stay_with_their_parent() -> None:
    text = ("Exclusion Criteria:\n* Any of:\n\n  * infarction\n  * stroke\n\n    * including TIA\n"
            "* Asthma\n1. One of:\na) x\nb) y\n2. Last\n   wrapped line")
    assert [c.text for c in split_criteria(text)] == [
        "Any of:\n• infarction\n• stroke\n  • including TIA", "Asthma",
        "One of:\n• x\n• y", "Last\nwrapped line"]


def test_a_sentence_that_starts_like_a_heading_is_a_criterion() -> None:
    criteria = split_criteria("Inclusion criteria include the following:\n* Adults")
    assert [c.text for c in criteria] == ["Inclusion criteria include the following:", "Adults"]


def test_no_text_no_criteria() -> None:
    assert split_criteria("") == ()
    assert split_criteria("\n  \n") == ()
