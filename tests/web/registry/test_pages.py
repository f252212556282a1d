"""The public study pages: the seed study's registry record in English and French, without
login, nothing but the record; the list searched by condition and status."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/studies/NCT05947682/"


def page(url: str, language: str = "en") -> str:
    response = Client().get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(?:dd|ul|h1|p|table|section)>', html, re.S)
    assert match, element_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_the_seed_study_page_in_english(study: Any) -> None:
    html = page(URL)
    assert text(html, "title") == ("Manufacturing of Allogeneic Adipose Tissue-derived Mesenchymal Stromal Cells "
                                   "for Treatment of Severe Systemic Sclerosis (Pre_MSC-AT-SSc)")
    assert text(html, "status") == "Not yet recruiting"
    assert text(html, "conditions") == "Systemic Sclerosis Mesenchymal Stromal Cell"
    assert text(html, "interventions") == "Other: Adipose tissue harvesting"
    assert text(html, "study-type") == "Interventional"
    assert text(html, "identifiers") == "NCT05947682 APHP230376"
    assert text(html, "enrollment") == "6 participants (estimated)"
    assert text(html, "sex") == "All"
    assert text(html, "ages") == "18 years to 55 years"
    assert text(html, "healthy-volunteers") == "Accepts healthy volunteers"
    assert html.count("<p>", html.index('id="summary"'), html.index('id="eligibility"')) == 5  # five paragraphs
    for heading in ("Inclusion criteria", "Exclusion criteria", "Study design", "Primary purpose", "Masking",
                    "Single group assignment", "None (open label)", "Central contacts", "No locations listed."):
        assert heading in html
    assert '<li id="criterion-I1">Age ≥ 18 and ≤ 55 years</li>' in html
    e4 = html[html.index('<li id="criterion-E4">'):html.index('<li id="criterion-E5">')]
    assert e4.count("<li>") == 3  # the sub-bullets under their parent
    assert "<li>Accident of exposure to blood or derivatives suspected of being contaminated</li>" in e4
    assert html.count('<li id="criterion-') == 28
    assert "Dominique Farge, Pr (Contact)" in html
    assert "registry/registry.css" in html


def test_the_seed_study_page_in_french_keeps_the_record_s_own_text(study: Any) -> None:
    html = page(URL, "fr")
    assert '<html lang="fr">' in html
    assert text(html, "status") == "Pas encore en recrutement"
    assert text(html, "study-type") == "Interventionnelle"
    assert text(html, "ages") == "de 18 ans à 55 ans"
    assert text(html, "sex") == "Tous"
    assert text(html, "enrollment") == "6 participants (estimé)"
    for heading in ("Critères d'inclusion", "Critères de non-inclusion", "Plan de l'étude", "Résumé",
                    "Volontaires sains", "Aucun centre indiqué.", "Groupe unique", "Aucun (en ouvert)"):
        assert heading in html
    # the registered text stays as registered
    assert text(html, "conditions") == "Systemic Sclerosis Mesenchymal Stromal Cell"
    assert '<li id="criterion-I2">BMI &lt;30</li>' in html
    assert "Inclusion criteria" not in html


def test_the_page_shows_no_study_data_and_needs_no_login(eligible_donor: Any) -> None:
    donor = eligible_donor()
    html = page(URL)
    assert donor.pseudonym not in html and "Martin" not in html
    assert 'id="logout"' not in html and "/accounts/login/" not in html


def test_unknown_or_unloaded_study_is_not_found(study: Any) -> None:
    assert Client().get("/studies/NCT09999999/").status_code == 404
    assert Client().get("/studies/..%2Fetc/").status_code == 404
    assert Client().post(URL).status_code == 405


def test_list_searched_by_condition_and_status(study: Any) -> None:
    html = page("/studies/")
    assert 'id="study-NCT05947682"' in html and "Not yet recruiting" in html
    assert 'id="study-NCT05947682"' in page("/studies/?condition=sclerosis")
    assert 'id="study-NCT05947682"' in page("/studies/?condition=SYSTEMIC+SCLEROSIS")
    assert 'id="no-study"' in page("/studies/?condition=asthma")
    assert 'id="study-NCT05947682"' in page("/studies/?status=NOT_YET_RECRUITING")
    assert 'id="no-study"' in page("/studies/?status=COMPLETED")
    refused = page("/studies/?status=DROP%20TABLE")
    assert "errorlist" in refused and "Select a valid choice" in refused
    french = page("/studies/", "fr")
    assert "Pas encore en recrutement" in french and "Tous les statuts" in french
