"""A French-speaking investigator reads the screening in French: criteria, verdict, reasons."""

from __future__ import annotations

from typing import Any

from django.test import Client


def _french(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    return client


def test_the_screening_page_reads_in_french(eligible_donor: Any, client_as: Any) -> None:
    donor = eligible_donor()
    page = _french(client_as("investigator")).get(f"/screening/{donor.pseudonym}/").content.decode()
    assert "Non-fumeur" in page and "Non-smoker" not in page  # I3, the protocol's translation
    assert ">éligible<" in page  # the verdict
    assert "tabagisme : jamais" in page and "smoking: never" not in page  # I3's reason
    assert "réponse non" in page and "answered no" not in page
    assert "E1. Poids &lt; 50 kg" in page  # the form's question


def test_english_stays_the_registered_wording(eligible_donor: Any, client_as: Any) -> None:
    donor = eligible_donor()
    page = client_as("investigator").get(f"/screening/{donor.pseudonym}/").content.decode()
    assert "Non-smoker" in page and ">eligible<" in page and "smoking: never" in page


def test_the_donor_list_shows_the_verdict_in_french(eligible_donor: Any, client_as: Any) -> None:
    eligible_donor()
    page = _french(client_as("investigator")).get("/donors/").content.decode()
    assert "éligible" in page


def test_the_decision_page_reads_in_french(eligible_donor: Any, client_as: Any) -> None:
    donor = eligible_donor()
    page = _french(client_as("investigator")).get(f"/screening/{donor.pseudonym}/decision/").content.decode()
    assert "Non-fumeur" in page and "tabagisme : jamais" in page and "smoking: never" not in page
