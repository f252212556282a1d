"""In real Chromium (Playwright, no download of a browser): a QC analyst uploads an
immunophenotype panel and sees the ISCT verdict with its figures and histograms; a qualified
person reviews the release summary, signs the release and downloads the certificate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.test_browser import browser, login  # noqa: F401  (the shared Chromium fixture)

from .conftest import PASSWORD, enter_all
from .test_release import pdf_text

IDENTITY = ("cd73", "cd90", "cd105", "cd45", "cd34", "cd14-cd11b", "cd19-cd79a", "hla-dr")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_panel_upload_release_and_certificate_in_chromium(live_server: Any, browser: Any,  # noqa: F811
                                                          make_batch: Any, make_user: Any,
                                                          good_panel: dict[str, bytes], tmp_path: Path) -> None:
    batch = make_batch()
    ana = make_user("qc_analyst", username="ana", first_name="Ana", last_name="Lyst")
    make_user("qualified_person", username="qp", first_name="Quentin", last_name="Pharmacien")
    enter_all(batch, ana, skip=IDENTITY)  # the other tests, entered by the same analyst
    for name, data in good_panel.items():
        (tmp_path / name).write_bytes(data)
    base = live_server.url
    page = browser.new_page()
    page.set_default_timeout(30000)

    login(page, base, "ana")
    page.goto(f"{base}/quality/batches/{batch.code}/")
    assert page.get_attribute("#test-cd73 td[data-status]", "data-status") == "missing"
    page.set_input_files("#fcs-form [name=control]", str(tmp_path / "control.fcs"))
    page.set_input_files("#fcs-form [name=stained]", [str(tmp_path / "positives.fcs"),
                                                       str(tmp_path / "negatives.fcs")])
    page.click("#upload")
    page.wait_for_selector("#isct-verdict")
    assert page.inner_text("#isct-verdict") == "pass"
    assert page.get_attribute("#marker-cd73 td[data-status]", "data-status") == "pass"
    assert float(page.inner_text("#marker-hla-dr .value")) <= 2.0
    images = page.locator("#histograms img")
    assert images.count() == 8
    page.wait_for_function("() => [...document.querySelectorAll('#histograms img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)")
    page.goto(f"{base}/quality/batches/{batch.code}/")
    assert page.get_attribute("#test-hla-dr td[data-status]", "data-status") == "pass"
    page.click("#logout")

    login(page, base, "qp")
    page.goto(f"{base}/quality/batches/{batch.code}/release/")
    assert "signature matches" in page.inner_text("#eligibility")
    assert page.locator("#releasable").count() == 1
    page.select_option("#decision-form [name=decision]", "release")
    page.fill("#decision-form [name=password]", "wrong password")
    page.click("#sign-decision")
    assert "password incorrect" in page.inner_text(".messages")
    page.select_option("#decision-form [name=decision]", "release")
    page.fill("#decision-form [name=password]", PASSWORD)
    page.click("#sign-decision")
    assert page.inner_text("#decision") == "released"
    assert "Quentin Pharmacien" in page.inner_text("#signature")
    assert page.get_attribute("#sig-state", "class") == "pass"
    with page.expect_download() as info:
        page.click("#certificate")
    pdf = Path(info.value.path()).read_bytes()
    text = pdf_text(pdf)
    assert pdf.startswith(b"%PDF") and "Quentin Pharmacien" in text and batch.code in text
    assert "Signature matches the current content: yes" in text

    from stromalab.web.audit.chain import verify_chain
    from stromalab.web.manufacturing.models import Container

    assert set(Container.objects.filter(batch=batch).values_list("status", flat=True)) == {"released"}
    assert verify_chain().ok
