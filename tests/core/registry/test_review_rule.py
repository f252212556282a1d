"""The ``review`` rule: a criterion awaiting review is unknown whatever the record says."""

from __future__ import annotations

from pathlib import Path

import pytest

from stromalab.core.eligibility import screen
from stromalab.core.protocol import ProtocolError, load_protocol

HEAD = "format: stromalab-eligibility/1\nprotocol: NCT09000099\nversion: \"0.1\"\ncodelists: {}\ncriteria:\n"
RECORD = {"donor": "D-1", "as_of": "2026-03-02", "sex": "male", "birth_date": "1980-01-01"}


def folder(tmp_path: Path, criteria: str) -> Path:
    path = tmp_path / "NCT09000099"
    path.mkdir()
    (path / "study.json").write_text('{"protocolSection": {}}', encoding="utf-8")
    (path / "eligibility.yaml").write_text(HEAD + criteria, encoding="utf-8")
    return path


def test_review_is_unknown_with_its_note(tmp_path: Path) -> None:
    protocol = load_protocol(folder(tmp_path, (
        "  - {id: I1, kind: inclusion, text: Adults, rule: {value: {of: age_years, at_least: 18}}}\n"
        "  - {id: E1, kind: exclusion, text: Smoker, rule: {review: write a rule on smoking}}\n")))
    result = screen(protocol, {**RECORD, "answers": {"E1": "no"}})
    assert [(c.id, c.status, c.reason) for c in result.criteria][1] == \
        ("E1", "unknown", "awaiting review: write a rule on smoking")
    assert result.verdict == "incomplete"
    # a failing criterion still decides: ineligible is never hidden by a review
    assert screen(protocol, {**RECORD, "birth_date": "2015-01-01"}).verdict == "ineligible"


@pytest.mark.parametrize("note", ['""', "[]", "{a: 1}"])
def test_review_needs_a_note(tmp_path: Path, note: str) -> None:
    with pytest.raises(ProtocolError, match=r"criteria\[0\]\.rule\.review: must say what the reviewer"):
        load_protocol(folder(tmp_path, f"  - {{id: I1, kind: inclusion, text: Adults, rule: {{review: {note}}}}}\n"))
