"""Texts the system wrote in English read in French when shown (stored text unchanged): the
core's verdict reasons, in-process deviation descriptions, the label printer's refusals, and
every stored step field under its form's label with numbers written the French way."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from stromalab.core.manufacturing.release import Result, evaluate
from stromalab.core.manufacturing.specification import load_specification
from stromalab.printing.labels import LabelError, render_labels
from stromalab.web.manufacturing.actions.recording import check_limits
from stromalab.web.manufacturing.models import Deviation, Step
from stromalab.web.manufacturing.reports import label_words
from stromalab.web.manufacturing.step_fields import step_fields, step_values
from stromalab.web.manufacturing.wording import deviation_text, label_refusal_text, reason_text

PROTOCOL = Path(__file__).resolve().parents[3] / "protocols" / "NCT05947682"
RELEASE = load_specification(PROTOCOL / "release.yaml")
ENGLISH = ("meets the limit", "is above", "is below", "reaches", "is not", "no result", "requested dose",
           "outside", "cells", "days")


@pytest.mark.parametrize(("test_id", "value", "unit", "dose", "french"), [
    ("hla-dr", "5.61", "%", None, "5,61 % est supérieur au maximum 2"),
    ("viability", "69.5", "%", None, "69,5 % est inférieur au minimum 70"),
    ("viability", "93.1", "%", None, "93,1 % respecte la limite ≥ 70 %"),
    ("cell-count", "100000000", "cells", Decimal(70000000),
     "100\u00a0000\u00a0000 cellules atteint la dose demandée 70\u00a0000\u00a0000"),
    ("cell-count", "1000", "cells", None, "aucune dose demandée enregistrée pour comparer"),
    ("sterility", "no growth", None, None, "« Absence de croissance » est Absence de croissance"),
    ("sterility", "growth", None, None, "« Croissance » n’est pas Absence de croissance"),
    ("endotoxin", "", None, None, "aucun résultat enregistré"),
])
def test_core_reasons_read_in_french(test_id: str, value: str, unit: str | None, dose: Decimal | None,
                                     french: str) -> None:
    requirement = RELEASE.requirement(test_id)
    verdict = evaluate(requirement, Result(test_id, value, unit) if value else None, requested_dose=dose)
    with translation.override("fr"):
        shown = reason_text(verdict.reason, requirement)
    assert shown == french and not [w for w in ENGLISH if w in shown]
    with translation.override("en"):  # English as judged, thousands grouped, choices by their label
        assert requirement.choices or reason_text(verdict.reason, requirement).replace(",", "") == verdict.reason.replace(",", "")


def test_in_process_deviation_reads_in_french_and_is_stored_in_english(
        enrolled_donor: Any, run_batch: Any, operator: Any) -> None:
    batch = run_batch(enrolled_donor(), until="receipt")
    step = batch.steps.get(kind=Step.RECEIPT)
    check_limits(batch, step, [("receipt-delay", Decimal("30.5")), ("receipt-temperature", "")],
                 "courier late", operator)
    delay, temperature = Deviation.objects.filter(batch=batch).order_by("id")
    assert delay.description == "Time from harvest to receipt 30.5 h outside the in-process limit ≤ 24 h"
    with translation.override("fr"):
        assert deviation_text(delay) == ("Délai entre prélèvement et réception 30,5 h hors de la limite en cours "
                                         "de procédé ≤ 24 h")
        assert deviation_text(temperature).startswith("Température à l’arrivée")
        assert delay.shown_description == deviation_text(delay)
        typed = Deviation(batch=batch, description="Incubator door left open", value="", check_id="manual")
        assert deviation_text(typed) == "Incubator door left open"


def test_label_refusals_read_in_french() -> None:
    with pytest.raises(LabelError) as refused:
        render_labels([], words=label_words())
    with translation.override("fr"):
        assert label_refusal_text(str(refused.value)) == "aucune étiquette à imprimer"
        assert label_refusal_text("product does not fit on the label in 4 line(s): 'x'") == (
            "produit ne tient pas sur l’étiquette en 4 lignes : 'x'")
        assert label_refusal_text("the DIN barcode needs 61 mm of label width") == (
            "le code-barres DIN demande 61 mm de largeur d’étiquette")


def test_every_stored_step_field_has_a_label_in_both_languages(enrolled_donor: Any, run_batch: Any) -> None:
    batch = run_batch(enrolled_donor(), until="storage", passages=1, vials=2)
    steps = list(batch.steps.all())
    stored = {name for step in steps for name in step.data}
    assert stored <= set(step_fields()), stored - set(step_fields())
    harvest = next(s for s in steps if s.kind == Step.HARVEST)
    with translation.override("fr"):
        french = dict(step_values(harvest))
        labels = [label for step in steps for label, _value in step_values(step)]
    assert french["Masse (g)"] == str(harvest.data["mass_g"]).replace(".", ",")
    assert french["Jour du prélèvement par rapport à l’intervention prévue"].endswith("jour")
    assert not [label for label in labels if "_" in label]
    with translation.override("en"):
        english = dict(step_values(harvest))
    assert english["Mass (g)"] == str(harvest.data["mass_g"])
