"""The engine's reasons and the criteria in French: every phrase the engine can write has a
French rendering, and the protocol's translation covers every criterion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from stromalab.core.eligibility import screen
from stromalab.core.eligibility.wording import reason_in, untranslated
from stromalab.core.translations import load_translation
from stromalab.core.yamlsource import SourceError
from tests.core.eligibility.records import eligible
from tests.core.eligibility.test_properties import PROTOCOL, records

IDS = tuple(c.id for c in PROTOCOL.criteria)
FRENCH = load_translation(PROTOCOL.folder, "fr", IDS)
assert FRENCH is not None
#: English words that must not survive in a French reason (codes, test names and dates may)
ENGLISH = (" not ", "recorded", "years", "answered", " and ", "records show", " before ", " after ",
           " between ", " since ", "tests negative", " of ")


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(records())
def test_every_reason_the_engine_writes_reads_in_french(record: dict[str, Any]) -> None:
    for criterion in screen(PROTOCOL, record).criteria:
        assert untranslated(criterion.reason, FRENCH.terms) == [], criterion
        french = reason_in("fr", criterion.reason, FRENCH.terms)
        assert not [w for w in ENGLISH if w in f" {french} "], (criterion.reason, french)


def test_french_reasons_by_example() -> None:
    terms = FRENCH.terms
    assert reason_in("fr", "35 years old on 2026-03-02 (≥ 18 and ≤ 55)") == "35 ans le 2026-03-02 (≥ 18 et ≤ 55)"
    assert reason_in("fr", "BMI 22.1 kg/m² (62.0 kg, 168.0 cm) (not < 30)") == \
        "IMC 22,1 kg/m² (62,0 kg, 168,0 cm) (non < 30)"
    assert reason_in("fr", "liposuction, abdominal wall, general anesthesia on 2026-03-20", terms) == \
        "liposuccion, paroi abdominale, anesthésie générale le 2026-03-20"
    assert reason_in("fr", "answered no, but records show ATC:N05AN01 (lithium), since 2025-01-02", terms) == \
        "réponse non, mais le dossier indique ATC:N05AN01 (lithium), depuis le 2025-01-02"
    assert reason_in("fr", "no answer; no record of haematological malignancies", terms) == \
        "pas de réponse; aucun antécédent de hémopathies malignes"
    assert reason_in("fr", "not screened yet") == "pas encore évalué"
    assert reason_in("fr", "awaiting review: age limit") == "en attente de relecture : age limit"
    assert reason_in("en", "answered yes") == "answered yes"


def test_stored_reasons_of_the_eligible_donor_translate() -> None:
    for criterion in screen(PROTOCOL, eligible()).criteria:
        assert untranslated(criterion.reason, FRENCH.terms) == [], criterion


def test_the_translation_covers_every_criterion() -> None:
    assert set(FRENCH.criteria) == set(IDS)
    assert FRENCH.criterion_text("I3", "Non-smoker") == "Non-fumeur"


def test_a_translation_missing_a_criterion_or_naming_an_unknown_one_is_refused(tmp_path: Path) -> None:
    (tmp_path / "translations").mkdir()
    path = tmp_path / "translations" / "fr.yaml"
    path.write_text("format: stromalab-translation/1\nlanguage: fr\ncriteria: {I1: Âge}\n", encoding="utf-8")
    with pytest.raises(SourceError, match="not translated: I2"):
        load_translation(tmp_path, "fr", ("I1", "I2"))
    path.write_text("format: stromalab-translation/1\nlanguage: fr\ncriteria: {I1: Âge, I9: x}\n", encoding="utf-8")
    with pytest.raises(SourceError, match="no criterion of the protocol has this id"):
        load_translation(tmp_path, "fr", ("I1",))
    assert load_translation(tmp_path, "de", ("I1",)) is None
