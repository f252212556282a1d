"""Methods and units in English and French (``{en, fr}``, as for names): the English text is
the one judged (a result's unit must equal it); the French one is read by people only."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from stromalab.core.manufacturing.release import Result, Status, evaluate
from stromalab.core.manufacturing.specification import (
    SpecificationError,
    load_specification,
    parse_specification,
)

PROTOCOL = Path(__file__).resolve().parents[3] / "protocols" / "NCT05947682"
SPEC = """\
format: stromalab-release-specification/1
protocol: NCT05947682
version: "1.0"
effective: "2026-01-01"
tests:
  - id: cell-count
    name: Cell count
    method: {method}
    unit: {unit}
    limit: {{min: 1000}}
    required: true
"""


def test_method_and_unit_in_both_languages_judge_by_the_english_unit() -> None:
    requirement = parse_specification(SPEC.format(
        method="{en: automated counter, fr: compteur automatique}", unit="{en: cells, fr: cellules}"),
        "t.yaml").requirements[0]
    assert (requirement.method, requirement.unit) == ("automated counter", "cells")
    assert (requirement.method_label("fr-ca"), requirement.unit_label("fr")) == ("compteur automatique", "cellules")
    assert (requirement.method_label("en"), requirement.unit_label("en")) == ("automated counter", "cells")
    assert evaluate(requirement, Result("cell-count", Decimal(2000), "cells")).status is Status.PASS
    assert evaluate(requirement, Result("cell-count", Decimal(2000), "cellules")).status is Status.INVALID


def test_plain_texts_are_english_without_translation_and_no_unit_stays_none() -> None:
    requirement = parse_specification(SPEC.format(method="automated counter", unit="cells"), "t.yaml").requirements[0]
    assert (requirement.method_label("fr"), requirement.unit_label("fr")) == ("automated counter", "cells")
    none = parse_specification(SPEC.format(method="count", unit="null"), "t.yaml").requirements[0]
    assert none.unit is None and none.unit_label("fr") is None


@pytest.mark.parametrize(("field", "method", "unit", "key"), [
    ("method", "{en: automated counter}", "cells", "tests[0].method.fr"),
    ("unit", "count", "{en: cells, fr: ''}", "tests[0].unit.fr"),
    ("unit", "count", "{en: cells, fr: cellules, de: Zellen}", "tests[0].unit.de"),
])
def test_malformed_words_are_refused_with_their_key(field: str, method: str, unit: str, key: str) -> None:
    with pytest.raises(SpecificationError) as caught:
        parse_specification(SPEC.format(method=method, unit=unit), "t.yaml")
    assert caught.value.key == key


@pytest.mark.parametrize("file", ["release.yaml", "manufacturing.yaml"])
def test_the_study_says_its_word_units_and_methods_in_french(file: str) -> None:
    """Units written as words and every method other than a pharmacopoeia reference."""
    spec = load_specification(PROTOCOL / file)
    for r in spec.requirements:
        if r.unit is not None and r.unit.isalpha() and len(r.unit) > 1:
            assert r.unit_fr, r.id
        if not r.method.startswith("Ph. Eur."):
            assert r.method_fr, r.id
    words = {r.id: r.unit_label("fr") for r in spec.requirements}
    assert words.get("harvest-surgery-day", "jours") == "jours" and words.get("cell-count", "cellules") == "cellules"
