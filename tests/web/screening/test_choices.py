"""The planned surgery is chosen from the protocol's vocabularies, and coded history is typed
bare, normalised, checked against the protocol's code lists and entered once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from stromalab.web.donors import actions as donor_actions
from stromalab.web.screening import actions
from stromalab.web.screening import models as m

from ..conftest import eligible_data
from ..test_api import token_client
from .test_live_preview import form_fields

pytestmark = pytest.mark.django_db


def _registered(study: Any, coordinator: Any) -> Any:
    return donor_actions.register_donor(study=study, identity={"last_name": "Durand", "first_name": "Anne"},
                                        acting_user=coordinator)


def _options(html: str, name: str) -> dict[str, str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, name
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1)))


def test_the_surgery_fields_offer_the_protocols_choices_in_the_pages_language(
        eligible_donor: Any, client_as: Any) -> None:
    donor = eligible_donor()
    reader = client_as("coordinator")
    html = reader.get(f"/screening/{donor.pseudonym}/").content.decode()
    assert 'name="surgery_procedure"' in html and '<input type="text" name="surgery_procedure"' not in html
    assert _options(html, "surgery_procedure")["liposuction"] == "Liposuction"
    assert _options(html, "surgery_site")["abdominal wall"] == "Abdominal wall"
    assert _options(html, "surgery_anesthesia")["general"] == "General anaesthesia"
    french = reader.get(f"/screening/{donor.pseudonym}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert _options(french, "surgery_anesthesia")["general"] == "Anesthésie générale"
    assert _options(french, "surgery_site")["abdominal wall"] == "Paroi abdominale"


def test_an_eligible_donor_entered_on_the_page_is_eligible(study: Any, client_as: Any) -> None:
    coordinator = client_as("coordinator")
    investigator = client_as("investigator")
    donor = _registered(study, coordinator.user)
    donor_actions.record_consent(donor=donor, sheet=study.information_sheets.get(), status="signed",
                                 date=dt.date.today(), acting_user=investigator.user)
    fields = form_fields(eligible_data())
    # what a coordinator picks: the labels' values, not the words the rule happens to accept
    assert (fields["surgery_procedure"], fields["surgery_site"], fields["surgery_anesthesia"]) == (
        "liposuction", "abdominal wall", "general")
    response = coordinator.post(f"/screening/{donor.pseudonym}/", fields)
    assert response.status_code == 302
    assert m.Screening.objects.get(donor=donor).verdict == "eligible"


def test_free_text_is_refused_beside_the_field_on_the_page(eligible_donor: Any, client_as: Any) -> None:
    donor = eligible_donor()
    fields = form_fields(eligible_data())
    fields["surgery_procedure"] = "Abdominal liposuction"
    fields["reason"] = "typed"
    response = client_as("coordinator").post(f"/screening/{donor.pseudonym}/", fields)
    assert response.status_code == 200  # the form again, with the refusal beside the field
    form = response.context["form"]
    assert "not one of the protocol's choices" in form.errors["surgery_procedure"][0]
    assert "Planned surgery: procedure: Abdominal liposuction is not one of" in response.content.decode()
    assert m.Screening.objects.get(donor=donor).surgery_procedure == "liposuction"


def test_the_api_accepts_the_choices_and_refuses_other_text(study: Any, client_as: Any) -> None:
    api, user = token_client(client_as, "coordinator")
    investigator = client_as("investigator").user
    donor = _registered(study, user)
    donor_actions.record_consent(donor=donor, sheet=study.information_sheets.get(), status="signed",
                                 date=dt.date.today(), acting_user=investigator)
    url = f"/api/screening/donors/{donor.pseudonym}"
    data = eligible_data()
    data["surgery_anesthesia"] = "general anaesthesia"
    r = api.patch(url, {"data": data}, content_type="application/json")
    assert r.status_code == 400, r.content
    assert r.json()["fields"]["surgery_anesthesia"][0].startswith("general anaesthesia is not one of")
    assert r.json()["detail"][0].startswith("Surgery anesthesia: ")
    # a value or an alias of the vocabulary, in any letter case, is stored as the value
    data.update(surgery_procedure="Lipoaspiration", surgery_site=" Abdomen ", surgery_anesthesia="GENERAL")
    r = api.patch(url, {"data": data}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["verdict"] == "eligible"
    s = m.Screening.objects.get(donor=donor)
    assert (s.surgery_procedure, s.surgery_site, s.surgery_anesthesia) == ("lipo-aspiration", "abdominal wall",
                                                                           "general")
    listed = api.get("/api/screening/vocabularies").json()
    assert {"value": "general", "en": "General anaesthesia", "fr": "Anesthésie générale"} in listed[
        "surgery_anesthesia"]


def test_a_value_typed_before_the_choices_is_shown_kept_and_decided_as_before(
        eligible_donor: Any, client_as: Any) -> None:
    donor = eligible_donor()
    # stored by an earlier version, when the field was free text
    m.Screening.objects.filter(donor=donor).update(surgery_procedure="Abdominal liposuction")
    coordinator = client_as("coordinator")
    html = coordinator.get(f"/screening/{donor.pseudonym}/").content.decode()
    assert re.search(r'<option value="Abdominal liposuction" selected>Abdominal liposuction \(', html)
    fields = form_fields(eligible_data())
    fields.update(surgery_procedure="Abdominal liposuction", weight_kg="63.0", reason="re-weighed")
    response = coordinator.post(f"/screening/{donor.pseudonym}/", fields)
    assert response.status_code == 302  # saving another field keeps the old text
    s = m.Screening.objects.get(donor=donor)
    assert s.surgery_procedure == "Abdominal liposuction" and str(s.weight_kg) == "63.0"
    i4 = next(r for r in s.results if r["id"] == "I4")
    assert i4["status"] == "fail" and "procedure 'Abdominal liposuction'" in i4["reason"]  # the rule as before
    fields.update(surgery_procedure="liposuction", reason="chosen from the protocol's list")
    coordinator.post(f"/screening/{donor.pseudonym}/", fields)
    assert m.Screening.objects.get(donor=donor).verdict == "eligible"


@pytest.mark.parametrize("typed", ["C50.9", "c50.9 ", "ICD10:C50.9", "C509"])
def test_a_bare_code_is_accepted_and_normalised(eligible_donor: Any, typed: str) -> None:
    donor = eligible_donor()
    entry = actions.add_coded_entry(donor=donor, kind="condition", code=typed, start="2015-01-01",
                                    acting_user=eligible_donor.coordinator)
    assert entry.code == "ICD10:C50.9"
    e11 = next(r for r in m.Screening.objects.get(donor=donor).results if r["id"] == "E11")
    assert e11["status"] == "fail"


def test_a_well_formed_code_outside_the_shipped_lists_is_history_too(eligible_donor: Any) -> None:
    """Pneumonia (J18.9) is nowhere in the criteria's lists, and still part of the donor's history."""
    entry = actions.add_coded_entry(donor=eligible_donor(), kind="condition", code="j18.9", start="2019-02-01",
                                    acting_user=eligible_donor.coordinator)
    assert entry.code == "ICD10:J18.9"


def test_a_bare_atc_code_is_a_medication(eligible_donor: Any) -> None:
    entry = actions.add_coded_entry(donor=eligible_donor(), kind="medication", code=" h02ab06",
                                    start="2015-01-01", end="2015-01-03", acting_user=eligible_donor.coordinator)
    assert isinstance(entry, m.Medication) and entry.code == "ATC:H02AB06"


@pytest.mark.parametrize(("kind", "code", "message"), [
    ("condition", "50.9", "is not an ICD-10 code"),
    ("condition", "ATC:N05AN01", "is not an ICD-10 code"),
    ("medication", "C50.9", "is not an ATC code"),
])
def test_an_unknown_code_is_refused_under_the_code(eligible_donor: Any, kind: str, code: str, message: str) -> None:
    donor = eligible_donor()
    with pytest.raises(ValidationError) as refused:
        actions.add_coded_entry(donor=donor, kind=kind, code=code, start="2015-01-01",
                                acting_user=eligible_donor.coordinator)
    assert list(refused.value.error_dict) == ["code"] and message in refused.value.messages[0]
    assert not m.Condition.objects.exists() and not m.Medication.objects.exists()


def test_the_same_code_twice_is_refused_as_a_duplicate(eligible_donor: Any, client_as: Any) -> None:
    donor = eligible_donor()
    coordinator = client_as("coordinator", eligible_donor.coordinator)
    url = f"/screening/{donor.pseudonym}/coded/"
    first = coordinator.post(url, {"kind": "condition", "code": "C50.9", "start": "2015-01-01"})
    assert first.status_code == 302 and m.Condition.objects.count() == 1
    again = coordinator.post(url, {"kind": "condition", "code": "c50.9", "start": "2018-03-01"}, follow=True)
    page = again.content.decode()
    assert "Code: ICD10:C50.9 is already recorded for this screening, from 2015-01-01 to ongoing" in page
    assert m.Condition.objects.count() == 1
    # a separate course of the same medication is a new entry; an overlapping one is not
    course = {"donor": donor, "kind": "medication", "code": "H02AB06", "acting_user": eligible_donor.coordinator}
    actions.add_coded_entry(start="2010-01-01", end="2010-01-10", **course)
    actions.add_coded_entry(start="2012-01-01", end="2012-01-10", **course)
    with pytest.raises(ValidationError, match="already recorded"):
        actions.add_coded_entry(start="2012-01-05", end="2012-02-01", **course)
    # voided, it may be entered again
    condition = m.Condition.objects.get()
    actions.void_coded_entry(entry=condition, reason="wrong date", acting_user=eligible_donor.coordinator)
    actions.add_coded_entry(donor=donor, kind="condition", code="C50.9", start="2016-01-01",
                            acting_user=eligible_donor.coordinator)


def test_the_database_refuses_the_same_entry_twice(eligible_donor: Any) -> None:
    from django.db import IntegrityError, transaction

    donor = eligible_donor()
    entry = actions.add_coded_entry(donor=donor, kind="condition", code="C50.9", start="2015-01-01",
                                    acting_user=eligible_donor.coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Condition.objects.create(screening=entry.screening, code=entry.code, start=entry.start,
                                   created_by=eligible_donor.coordinator)


def test_the_api_refuses_a_duplicate_under_its_field(eligible_donor: Any, client_as: Any) -> None:
    donor = eligible_donor()
    api, _ = token_client(client_as, "coordinator")
    url = f"/api/screening/donors/{donor.pseudonym}/coded"
    body = {"kind": "condition", "code": "c50.9", "start": "2015-01-01"}
    assert api.post(url, body, content_type="application/json").status_code == 201
    r = api.post(url, body, content_type="application/json")
    assert r.status_code == 400 and "already recorded" in r.json()["fields"]["code"][0]
    assert isinstance(api, Client)
