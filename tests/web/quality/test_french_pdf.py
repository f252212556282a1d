"""The certificate of analysis and the QC page read in the reader's language: fixed words through
gettext, test names from release.yaml (``name: {en, fr}``), statuses as words, times in the
site's time zone with the zone named (never "UTC")."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone, translation

from stromalab.web.quality import actions
from stromalab.web.quality.certificate import certificate_pdf
from tests.printing.test_pdf_text import extracted, needs_pdftotext

from .conftest import PASSWORD, enter_all

pytestmark = pytest.mark.django_db


def squeezed(text: str) -> str:
    """``text`` without white space, as :func:`extracted` returns a PDF's text."""
    return "".join(text.split())


def zone() -> str:
    return timezone.localtime(timezone.now()).strftime("%Z")


@needs_pdftotext
def test_certificate_in_french(batch: Any, analyst: Any, qp: Any) -> None:
    enter_all(batch, analyst)
    actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    with translation.override("fr"):
        text = extracted(certificate_pdf(batch, compress=False, histograms=False))
    for words in ("Certificat d’analyse", "Résultats au regard des spécifications de libération",
                  "Viabilité", "Stérilité", "Caryotype", "Endotoxines", "Absence de croissance", "conforme",
                  "tous les contrôles conformes aux spécifications", "Décision de libération", "Signé par",
                  "Date et heure", "La signature correspond au contenu actuel : oui", "Imprimé le",
                  "dose demandée", "spécification de libération"):
        assert squeezed(words) in text, words
    for english in ("Certificate of analysis", "Sterility", "Karyotype", "Signed by", "Printed", "UTC"):
        assert squeezed(english) not in text, english
    assert zone() in text


@needs_pdftotext
def test_certificate_still_in_english(batch: Any, analyst: Any, qp: Any) -> None:
    enter_all(batch, analyst)
    actions.release_batch(batch=batch, password=PASSWORD, acting_user=qp)
    text = extracted(certificate_pdf(batch, language="en", compress=False, histograms=False))
    for words in ("Certificate of analysis", "Sterility", "No growth", "pass", "Signed by", "requested dose"):
        assert squeezed(words) in text, words
    assert zone() in text and "UTC" not in text and squeezed("Certificat d’analyse") not in text


@needs_pdftotext
def test_certificate_download_follows_the_readers_language(batch: Any, analyst: Any, client_as: Any) -> None:
    enter_all(batch, analyst)
    client = client_as("qc_analyst", analyst)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    try:
        pdf = client.get(f"/quality/batches/{batch.code}/certificate.pdf").content
    finally:
        translation.activate("en")  # the middleware leaves the thread's language set
    text = extracted(pdf)
    assert squeezed("Certificat d’analyse") in text and squeezed("Pas encore libéré") in text


def test_qc_page_names_the_tests_in_french(batch: Any, analyst: Any, client_as: Any) -> None:
    enter_all(batch, analyst, skip=("karyotype",))
    client = client_as("qc_analyst", analyst)
    english = client.get(f"/quality/batches/{batch.code}/?test=karyotype").content.decode()
    assert ">Sterility</a>" in english and "<strong>Karyotype</strong>" in english
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    try:
        french = client.get(f"/quality/batches/{batch.code}/?test=karyotype").content.decode()
    finally:
        translation.activate("en")
    assert ">Stérilité</a>" in french and ">Viabilité</a>" in french and ">Endotoxines</a>" in french
    assert "<strong>Caryotype</strong>" in french  # the entry form's test
    assert ">Nombre de cellules (≥ dose demandée (cellules))</option>" in french  # the test picker
    assert "Sterility" not in french and "Karyotype" not in french
