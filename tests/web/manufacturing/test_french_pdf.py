"""The batch record, the container labels and the batch page's in-process checks read in the
reader's language: fixed words through gettext, the study's check names from manufacturing.yaml,
times in the site's time zone with the zone named (never "UTC")."""

from __future__ import annotations

from typing import Any

from django.utils import timezone, translation

from stromalab.web.manufacturing import actions as a
from stromalab.web.manufacturing import reports
from tests.printing.test_pdf_text import extracted, needs_pdftotext
from tests.web.conftest import PASSWORD


def squeezed(text: str) -> str:
    """``text`` without white space, as :func:`extracted` returns a PDF's text."""
    return "".join(text.split())


def zone() -> str:
    """The site's zone abbreviation now (``CET`` or ``CEST`` for Europe/Paris)."""
    return timezone.localtime(timezone.now()).strftime("%Z")


def closed_deviation_batch(donor: Any, run_batch: Any, operator: Any, make_user: Any) -> Any:
    batch = run_batch(donor, until="freezing", passages=1, vials=1)
    deviation = a.record_deviation(batch=batch, description="late", reason="traffic", acting_user=operator)
    a.close_deviation(deviation=deviation, impact="none", conclusion="no effect", password=PASSWORD,
                      acting_user=make_user("qualified_person"))
    return batch


@needs_pdftotext
def test_batch_record_in_french(enrolled_donor: Any, run_batch: Any, operator: Any, make_user: Any) -> None:
    batch = closed_deviation_batch(enrolled_donor(), run_batch, operator, make_user)
    with translation.override("fr"):
        text = extracted(reports.batch_record_pdf(batch, compress=False))
    for words in ("Dossier de lot", "Statut : ", "imprimé le", "signé par", "signé le", "signification",
                  "Écarts", "clos par", "Contenants", "identifiant", "Croissance", "temps de doublement",
                  "Masse prélevée", "Délai entre prélèvement et réception", "Viabilité de la FVS", ": conforme",
                  "correspond au contenu signé"):
        assert squeezed(words) in text, words
    for english in ("Batch record", "signed by", "Harvest mass", "matches the signed content", "printed", "UTC"):
        assert squeezed(english) not in text, english
    assert zone() in text


@needs_pdftotext
def test_batch_record_still_in_english(enrolled_donor: Any, run_batch: Any, operator: Any, make_user: Any) -> None:
    batch = closed_deviation_batch(enrolled_donor(), run_batch, operator, make_user)
    text = extracted(reports.batch_record_pdf(batch, language="en", compress=False))
    for words in ("Batch record", "signed by", "Harvest mass", "Time from harvest to receipt", ": pass",
                  "closed by", "Containers"):
        assert squeezed(words) in text, words
    assert zone() in text and "UTC" not in text and "Dossier" not in text


@needs_pdftotext
def test_labels_in_french(enrolled_donor: Any, run_batch: Any) -> None:
    batch = run_batch(enrolled_donor(), until="freezing", passages=1, vials=1)
    with translation.override("fr"):
        french = extracted(reports.labels_pdf(batch, compress=False))
    for words in ("Étude", "Donneur", "Prélevé le", "Péremption", "Stockage:", "phase vapeur de l’azote liquide"):
        assert squeezed(words) in french, words
    english = extracted(reports.labels_pdf(batch, language="en", compress=False))
    for words in ("Study", "Donor", "Collected", "Expires", "Storage:", "vapour phase of liquid nitrogen"):
        assert squeezed(words) in english and squeezed(words) not in french, words


@needs_pdftotext
def test_pages_serve_the_printouts_in_the_readers_language(
        enrolled_donor: Any, run_batch: Any, client_as: Any) -> None:
    batch = run_batch(enrolled_donor(), until="freezing", passages=1, vials=1)
    client = client_as("operator")
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    try:
        record = client.get(f"/manufacturing/batches/{batch.code}/record.pdf")
        labels = client.get(f"/manufacturing/batches/{batch.code}/labels.pdf")
    finally:
        translation.activate("en")  # the middleware leaves the thread's language set
    assert squeezed("Dossier de lot") in extracted(record.content)
    assert squeezed("Prélevé le") in extracted(labels.content)


def test_batch_page_check_lines_in_french(enrolled_donor: Any, run_batch: Any, client_as: Any) -> None:
    batch = run_batch(enrolled_donor(), until="isolation")
    client = client_as("operator")
    english = client.get(f"/manufacturing/batches/{batch.code}/").content.decode()
    assert "Harvest mass: 52.5 g (40–60 g) pass" in english
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    try:
        french = client.get(f"/manufacturing/batches/{batch.code}/").content.decode()
    finally:
        translation.activate("en")
    assert "Masse prélevée: 52,5 g (40–60 g) conforme" in french  # a decimal comma
    assert "Viabilité de la FVS" in french and "Température à l’arrivée" in french
    assert 'class="pass"' in french  # the style keeps the core's status
    assert "Harvest mass" not in french
