"""An automatic data query is stored in English, as the system wrote it, and read in the reader's
language; a query a person wrote reads as written."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.utils import translation

from stromalab.core.eligibility.wording import reason_in
from stromalab.web.screening import actions
from stromalab.web.screening import models as m
from stromalab.web.screening.query_text import AUTOMATIC, shown_text
from stromalab.web.screening.record import protocol_for
from stromalab.web.screening.wording import translation as protocol_translation

pytestmark = pytest.mark.django_db


def discrepancy(eligible_donor: Any) -> Any:
    """Answer "no" to E11 (cancer) while a cancer is recorded: the engine opens a query."""
    donor = eligible_donor()
    actions.add_coded_entry(donor=donor, kind="condition", code="ICD10:C50.9", start="2015-01-01",
                            acting_user=eligible_donor.coordinator)
    return m.DataQuery.objects.select_related("screening__donor").get(screening__donor=donor, criterion_id="E11")


def test_the_automatic_query_is_stored_in_english_and_read_in_french(eligible_donor: Any) -> None:
    query = discrepancy(eligible_donor)
    match = AUTOMATIC.fullmatch(query.text)
    assert query.automatic and match is not None and match["criterion"] == "E11"  # the wording crf.py stores
    with translation.override("en"):
        assert shown_text(query) == query.text  # English: as stored
    with translation.override("fr"):
        french = shown_text(query)
        words = protocol_translation(protocol_for(query.screening))
    assert words is not None
    assert french == f"Incohérence sur E11 : {reason_in('fr', match['reason'], words.terms)}"
    assert french != query.text and "Discrepancy" not in french and "answered no" not in french
    query.refresh_from_db()
    assert query.text.startswith("Discrepancy on E11: ")  # the stored, audited text is unchanged


def test_a_query_a_person_wrote_reads_as_written(eligible_donor: Any, make_user: Any) -> None:
    donor = eligible_donor()
    query = actions.open_query(donor=donor, criterion_id="E6", text="Discrepancy on E6: please check",
                               acting_user=make_user("data_manager"))
    with translation.override("fr"):
        assert shown_text(query) == "Discrepancy on E6: please check"


def test_query_pages_in_french(eligible_donor: Any, client_as: Any) -> None:
    query = discrepancy(eligible_donor)
    client = client_as("data_manager")
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    try:
        with translation.override("fr"):
            french = shown_text(query)
        pages = [client.get(f"/screening/queries/{query.pk}/"), client.get("/screening/queries/"),
                 client.get(f"/screening/{query.screening.donor.pseudonym}/")]
    finally:
        translation.activate("en")  # the middleware leaves the thread's language set
    for page in pages:
        body = html.unescape(page.content.decode())
        assert page.status_code == 200 and "Incohérence sur E11 : " in body, page.request["PATH_INFO"]
        assert "Discrepancy on E11" not in body and french in body
