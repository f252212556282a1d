"""In real Chromium (Playwright, no download): an operator records harvest → receipt → isolation →
3 passages → freezing of 10 vials → storage, then downloads the labels and the batch record."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import re
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.web.conftest import PASSWORD
from tests.web.materials.helpers import lot
from tests.web.test_browser import browser, login  # noqa: F401  (the shared Chromium fixture)


def pdf_text(pdf: bytes) -> bytes:
    """The PDF's bytes plus every Flate stream inflated (the downloads are compressed)."""
    parts = [pdf]
    for match in re.finditer(rb"/Length (\d+)\s*>>\s*stream\r?\n", pdf):
        raw = pdf[match.end():match.end() + int(match.group(1))].strip()
        if raw.endswith(b"~>"):  # /ASCII85Decode before /FlateDecode
            raw = base64.a85decode(raw[:-2].replace(b"\n", b""))
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(raw))
    return b"\n".join(parts)


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_operator_runs_a_batch_in_chromium(live_server: Any, browser: Any, enrolled_donor: Any,  # noqa: F811
                                           make_user: Any) -> None:
    donor = enrolled_donor()
    operator = make_user("operator", username="op", first_name="Olivia", last_name="Operatrice")
    mediums = [lot(kind="medium", lot_number=f"MED-{n}", receiver=operator) for n in range(3)]
    base = live_server.url
    page = browser.new_page()
    page.set_default_timeout(20000)
    login(page, base, "op")
    start = timezone.now() - dt.timedelta(days=20)

    page.goto(f"{base}/manufacturing/storage/")
    page.fill("#box-form [name=tank]", "Tank 1")
    page.fill("#box-form [name=rack]", "R1")
    page.fill("#box-form [name=name]", "B1")
    page.click("#box-submit")

    page.goto(f"{base}/manufacturing/")
    page.click("#new-harvest")
    page.select_option("[name=donor]", donor.pseudonym)
    page.fill("[name=harvested_at]", local(start))
    page.fill("[name=surgeon]", "Dr Chirurgien")
    page.fill("[name=mass_g]", "51.5")
    page.fill("[name=container]", "sterile pot 250 mL")
    page.fill("[name=transport_temperature]", "4 °C")
    page.fill("[name=departed_at]", local(start + dt.timedelta(minutes=30)))
    page.fill("[name=password]", PASSWORD)
    page.click("#harvest-submit")
    page.wait_for_selector("#batch-code")
    code = page.inner_text("#batch-code")
    assert re.fullmatch(r"G1234\d{2}000001", code)
    assert page.get_attribute("#step-harvest-0 td[data-state]", "data-state") == "done"

    page.fill("#receipt-form [name=received_at]", local(start + dt.timedelta(hours=3)))
    page.fill("#receipt-form [name=temperature_c]", "6")
    page.select_option("#receipt-form [name=integrity]", "intact")
    page.fill("#receipt-form [name=mass_g]", "51")
    page.fill("#receipt-form [name=password]", PASSWORD)
    page.click("#receipt-submit")
    assert page.get_attribute("#step-receipt-0 td[data-state]", "data-state") == "done"

    page.fill("#isolation-form [name=isolated_at]", local(start + dt.timedelta(hours=5)))
    page.fill("#isolation-form [name=cell_count]", "30000000")
    page.fill("#isolation-form [name=viability_pct]", "86")
    page.fill("#isolation-form [name=password]", PASSWORD)
    page.click("#isolation-submit")
    assert page.get_attribute("#step-isolation-0 td[data-state]", "data-state") == "done"

    at = start + dt.timedelta(hours=6)
    for n in range(3):
        page.fill("#seed-form [name=seeded_at]", local(at))
        page.fill("#seed-form [name=cells_seeded]", "1000000")
        page.fill("#seed-form [name=vessel]", "T175")
        page.fill("#seed-form [name=surface_cm2]", "175")
        page.select_option("#seed-form [name=medium_lot]", str(mediums[n].pk))
        page.click("#seed-submit")
        assert page.get_attribute(f"#step-passage-{n} td[data-state]", "data-state") == "in_progress"
        at += dt.timedelta(days=4)
        page.fill("#passage-harvest-form [name=harvested_at]", local(at))
        page.fill("#passage-harvest-form [name=cells_harvested]", "8000000")
        page.fill("#passage-harvest-form [name=viability_pct]", "93")
        page.fill("#passage-harvest-form [name=confluence_pct]", "80")
        page.fill("#passage-harvest-form [name=password]", PASSWORD)
        page.click("#passage-harvest-submit")
        assert page.get_attribute(f"#step-passage-{n} td[data-state]", "data-state") == "done"
        at += dt.timedelta(hours=1)
    assert "9.00" in page.inner_text("#growth")
    page.wait_for_function("() => document.querySelector('#growth-curve').naturalWidth > 0")  # the PNG loaded

    page.fill("#freezing-form [name=frozen_at]", local(at))
    page.select_option("#freezing-form [name=container_type]", "vial")
    page.fill("#freezing-form [name=container_count]", "10")
    page.fill("#freezing-form [name=volume_ml]", "1.5")
    page.fill("#freezing-form [name=cells_per_container]", "500 000")
    page.fill("#freezing-form [name=password]", PASSWORD)
    page.click("#freezing-submit")
    assert page.inner_text("#batch-status") == "quarantine"
    assert page.locator("#containers td.status").count() == 10

    page.select_option("#storage-form [name=box]", index=1)
    page.fill("#storage-form [name=password]", PASSWORD)
    page.click("#storage-submit")
    assert page.get_attribute("#step-storage-0 td[data-state]", "data-state") == "done"
    assert "Tank 1 / R1 / B1 / B1" in page.inner_text("#containers")  # the 10th vial, 2nd row

    with page.expect_download() as info:
        page.click("#labels-link")
    labels = Path(info.value.path()).read_bytes()
    assert labels.startswith(b"%PDF")
    din_printed = f"{code[:5]} {code[5:7]} {code[7:]}".encode()
    assert din_printed in pdf_text(labels)
    with page.expect_download() as info:
        page.click("#record-link")
    record = Path(info.value.path()).read_bytes()
    assert record.startswith(b"%PDF") and code.encode() in pdf_text(record)
    assert b"Olivia Operatrice" in pdf_text(record)

    from stromalab.web.audit.chain import verify_chain
    from stromalab.web.manufacturing.models import Batch

    batch = Batch.objects.get(code=code)
    assert batch.containers.exclude(box=None).count() == 10 and verify_chain().ok
