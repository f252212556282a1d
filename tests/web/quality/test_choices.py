"""Qualitative QC results are choices that release.yaml defines ("46,XX normal" typed for a
karyotype used to fail and open an OOS): the entry form offers a select for them and, for a
quantitative test, a number in the specification's unit, shown and never typed; the action
refuses anything else, by field and in the field's words, on the page and through the API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from stromalab.web.quality import actions, queries
from stromalab.web.quality import models as m

from .conftest import PASSWORD, enter_all

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def _record(batch: Any, analyst: Any, test_id: str, value: str) -> m.QcResult:
    return actions.record_result(batch=batch, test_id=test_id, value=value, performed_on=TODAY,
                                 acting_user=analyst)


def test_a_word_outside_the_choices_is_refused_and_opens_no_oos(batch: Any, analyst: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        _record(batch, analyst, "karyotype", "46,XX normal")
    assert refused.value.message_dict == {"value": [
        "'46,XX normal' is not a result of Karyotype: choose one of Normal (46,XX or 46,XY); "
        "Abnormal (numerical or structural)"]}
    assert not m.QcResult.objects.exists() and not m.OosRecord.objects.exists()


def test_a_choice_is_stored_as_the_specification_writes_it(batch: Any, analyst: Any) -> None:
    normal = _record(batch, analyst, "karyotype", " NORMAL ")
    assert (normal.value, normal.status, normal.unit) == ("normal", "pass", "")
    growth = _record(batch, analyst, "sterility", "growth")
    assert growth.status == "fail" and m.OosRecord.objects.get().result == growth
    with pytest.raises(ValidationError, match="choose one of Not detected; Detected"):
        _record(batch, analyst, "mycoplasma", "negative")
    with pytest.raises(ValidationError) as refused:
        actions.correct_result(result=normal, changes={"value": "46,XY"}, reason="typo", acting_user=analyst)
    assert list(refused.value.message_dict) == ["value"]


def test_french_refusal_names_the_french_labels(batch: Any, analyst: Any) -> None:
    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        _record(batch, analyst, "sterility", "stérile")
    assert refused.value.messages == [
        "'stérile' n'est pas un résultat possible pour Sterility : choisissez parmi Absence de croissance; "
        "Croissance"]


def _form(body: str) -> str:
    return body[body.index('id="result-form"'):body.index("</form>", body.index('id="result-form"'))]


def test_the_entry_form_is_a_select_for_a_qualitative_test(batch: Any, analyst: Any, client_as: Any) -> None:
    client = client_as("qc_analyst", analyst)
    form = _form(client.get(f"/quality/batches/{batch.code}/?test=karyotype").content.decode())
    assert re.search(r'<select name="value"[^>]*required', form)
    assert '<option value="normal">Normal (46,XX or 46,XY)</option>' in form
    assert '<option value="abnormal">Abnormal (numerical or structural)</option>' in form
    assert 'name="test_id" value="karyotype"' in form and 'name="unit"' not in form
    assert 'name="requested_dose"' not in form


def test_the_entry_form_shows_the_unit_of_a_quantitative_test(batch: Any, analyst: Any, client_as: Any) -> None:
    client = client_as("qc_analyst", analyst)
    form = _form(client.get(f"/quality/batches/{batch.code}/?test=endotoxin").content.decode())
    assert '<span id="chosen-unit">EU/mL</span>' in form and "Result (EU/mL)" in form
    assert re.search(r'<input type="text" name="value"[^>]*inputmode="decimal"', form)
    assert 'name="unit"' not in form and '<select name="value"' not in form  # the instrument is a choice
    dose = _form(client.get(f"/quality/batches/{batch.code}/?test=cell-count").content.decode())
    assert 'name="requested_dose"' in dose and "Result (cells)" in dose
    # without ?test=, the first test still missing a result
    _record(batch, analyst, "viability", "90")
    first = _form(client.get(f"/quality/batches/{batch.code}/").content.decode())
    assert 'name="test_id" value="cell-count"' in first


def test_the_page_refuses_a_value_outside_the_choices_beside_the_field(batch: Any, analyst: Any,
                                                                        client_as: Any) -> None:
    client = client_as("qc_analyst", analyst)
    url = f"/quality/batches/{batch.code}/results/"
    page = client.post(url, {"test_id": "karyotype", "value": "46,XX normal",
                             "performed_on": TODAY.isoformat()}).content.decode()
    form = _form(page)
    assert 'class="errorlist' in form and "46,XX normal" in form and "<select" in form
    assert not m.QcResult.objects.exists()
    done = client.post(url, {"test_id": "karyotype", "value": "normal", "performed_on": TODAY.isoformat()},
                       follow=True).content.decode()
    assert "Result recorded: Karyotype Normal (46,XX or 46,XY) — pass" in done
    assert m.QcResult.objects.get().value == "normal"


def test_the_correction_form_is_a_select_too(batch: Any, analyst: Any, client_as: Any) -> None:
    result = _record(batch, analyst, "sterility", "no growth")
    client = client_as("qc_analyst", analyst)
    body = client.get(f"/quality/results/{result.pk}/").content.decode()
    assert '<option value="no growth" selected>No growth</option>' in body and 'name="unit"' not in body
    client.post(f"/quality/results/{result.pk}/", {"step": "correct", "value": "growth", "performed_on":
                                                   TODAY.isoformat(), "method": result.method, "reason": "misread"})
    result.refresh_from_db()
    assert (result.value, result.status) == ("growth", "fail")


def test_french_page_offers_and_shows_french_labels(batch: Any, analyst: Any, client_as: Any) -> None:
    _record(batch, analyst, "sterility", "no growth")
    client = client_as("qc_analyst", analyst)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    try:
        body = client.get(f"/quality/batches/{batch.code}/?test=karyotype").content.decode()
    finally:
        translation.activate("en")
    assert '<option value="abnormal">Anormal (numérique ou structural)</option>' in body
    assert "<td>Absence de croissance</td>" in body  # the result and the limit of sterility
    assert ">Choisir</button>" in body


def test_the_api_refuses_a_value_outside_the_choices_and_another_unit(batch: Any, analyst: Any) -> None:
    client = Client()
    client.force_login(analyst)
    url = f"/api/quality/batches/{batch.code}/results"
    refused = client.post(url, {"test_id": "karyotype", "value": "46,XX normal", "performed_on": TODAY.isoformat()},
                          content_type="application/json")
    body = json.loads(refused.content)
    assert refused.status_code == 400 and list(body["fields"]) == ["value"]
    assert body["detail"][0].startswith("Value: '46,XX normal' is not a result of Karyotype: choose one of")
    unit = client.post(url, {"test_id": "endotoxin", "value": "0.5", "unit": "EU/ml",
                             "performed_on": TODAY.isoformat()}, content_type="application/json")
    assert unit.status_code == 400 and json.loads(unit.content)["fields"] == {
        "unit": ["the unit of Endotoxin is fixed by the specification: EU/mL"]}
    assert not m.QcResult.objects.exists()
    ok = client.post(url, {"test_id": "karyotype", "value": "Normal", "performed_on": TODAY.isoformat()},
                     content_type="application/json")
    assert ok.status_code == 201 and json.loads(ok.content)["value"] == "normal"


def test_a_batch_signed_under_the_previous_version_still_matches(batch: Any, analyst: Any, qp: Any,
                                                                 monkeypatch: Any) -> None:
    """release.yaml 1.1 added the choices; a batch released under 1.0 keeps a matching signature."""
    current = queries.specification(batch)
    enter_all(batch, analyst)
    with monkeypatch.context() as patched:
        patched.setattr(queries, "specification_for", lambda study: dataclasses.replace(current, version="1.0"))
        actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    summary = queries.release_summary(batch)
    assert summary.specification.version == "1.1"
    assert json.loads(summary.decision.summary_json)["specification"]["version"] == "1.0"
    assert queries.decision_matches(summary) is True
    assert [row.status for row in summary.rows] == ["pass"] * len(summary.rows)
