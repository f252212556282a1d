"""In real Chromium, in French: a coordinator screens with the protocol's choices and a decimal
comma and meets a refusal in an error banner beside its field; the investigator finds the donor
in a work queue; the monitor reads the audit trail; the qualified person's batch record PDF is
French (its text extracted)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import PASSWORD, eligible_data
from tests.web.quality.conftest import make_batch  # noqa: F401  (a fixture, used by name)
from tests.web.test_browser import browser, login  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _french(page: Any, base: str) -> None:
    with page.expect_navigation():
        page.select_option("#language", "fr")  # the switch submits itself
    assert page.get_attribute("html", "lang") == "fr"


def test_french_screening_journey(live_server: Any, browser: Any, study: Any, make_user: Any) -> None:  # noqa: F811
    base = live_server.url
    make_user("coordinator", username="coord")
    make_user("investigator", username="inv")
    make_user("monitor", username="mon")
    page = browser.new_page()
    page.set_default_timeout(20000)
    login(page, base, "coord")
    _french(page, base)
    page.goto(f"{base}/donors/")
    page.click("#register")
    page.fill("[name=last_name]", "Martin")
    page.fill("[name=first_name]", "Claire")
    page.click("#save")
    assert "Donneur enregistré" in page.inner_text("[role=status]")
    page.click("#screening-link")

    # the planned surgery is a choice of the protocol's vocabulary, labelled in French
    options = page.eval_on_selector_all("[name=surgery_procedure] option", "os => os.map(o => o.textContent)")
    assert "Liposuccion" in options
    data = eligible_data()
    for field in ("as_of", "birth_date", "surgery_date", "pregnancy_date"):
        page.fill(f"[name={field}]", data[field])
    page.fill("[name=weight_kg]", "62,5")  # a decimal comma
    page.fill("[name=height_cm]", "1,68")  # metres typed for centimetres: refused
    for field in ("systolic", "diastolic"):
        page.fill(f"[name={field}]", str(data[field]))
    for field in ("sex", "smoking", "pregnancy_result", "surgery_procedure", "surgery_site", "surgery_anesthesia"):
        page.select_option(f"[name={field}]", data[field])
    page.select_option("[name=social_security]", "true")
    for test in data["serology"]:
        page.select_option(f"[name='serology_{test}']", "negative")
    for cid in data["answers"]:
        page.select_option(f"[name=answer_{cid}]", "no")
    page.click("#save-screening")
    alert = page.locator("[role=alert]").first
    assert "Taille (cm)" in alert.inner_text() and "n’est pas plausible" in alert.inner_text()
    assert page.locator(".errorlist").first.is_visible()  # beside the field too
    assert "Sélection enregistrée" not in page.content()  # nothing claims success
    page.fill("[name=height_cm]", "168")
    page.click("#save-screening")
    assert page.locator("[role=status]").first.is_visible()
    assert page.input_value("[name=weight_kg]") == "62,5"
    assert page.inner_text("#verdict") == "incomplet"
    assert "Non-fumeur" in page.inner_text("#criteria")
    page.click("#logout")

    # the investigator's work queue lists the donor to screen, with a link
    login(page, base, "inv")
    _french(page, base)
    queue = page.locator("text=Donneurs à sélectionner").first
    assert queue.is_visible()
    page.click("a:has-text('NCT05947682-001')")
    assert "/screening/NCT05947682-001/" in page.url
    page.click("#logout")

    # the monitor's audit trail: names, local times with the zone, in French
    login(page, base, "mon")
    _french(page, base)
    page.goto(f"{base}/audit/")
    page.fill("[name=record]", "NCT05947682-001")  # the donor's own events (a page holds the newest 50)
    page.click("#trail-filter button")
    trail = page.inner_text("#trail")
    assert "Europe/Paris" in page.content()
    assert "Donneur NCT05947682-001" in trail and "donors.Donor" not in trail


def test_french_batch_record_pdf(live_server: Any, browser: Any, make_batch: Any, make_user: Any,  # noqa: F811
                                 tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("NOT TESTED: pdftotext (poppler-utils) missing: the PDF's text was not read back")
    batch = make_batch()
    make_user("qualified_person", username="qp")
    page = browser.new_page()
    page.set_default_timeout(20000)
    login(page, live_server.url, "qp")
    _french(page, live_server.url)
    response = page.request.get(f"{live_server.url}/manufacturing/batches/{batch.code}/record.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Dossier de lot" in text and "UTC" not in text
    assert PASSWORD not in text
