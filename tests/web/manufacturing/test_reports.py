"""Printouts: labels and batch record PDFs, growth curve PNG, signatures shown with their state."""

from __future__ import annotations

import re
from typing import Any

from stromalab.core.manufacturing import isbt128
from stromalab.web.manufacturing import reports
from stromalab.web.manufacturing.models import Step


def test_labels_pdf_has_one_page_per_container_with_the_din(enrolled_donor: Any, run_batch: Any) -> None:
    batch = run_batch(enrolled_donor(), vials=10)
    pdf = reports.labels_pdf(batch, compress=False)
    assert pdf.startswith(b"%PDF")
    din = isbt128.parse_din(batch.din)
    assert f"({din.spaced}) Tj".encode() in pdf  # eye-readable DIN "G1234 26 000001", flags apart
    assert len(re.findall(rb"/Type /Page(?!s)", pdf)) == 10
    for division in ("A0", "J0"):
        assert f"({division})".encode() in pdf
    labels = reports.labels_for(batch)
    assert [lab.division for lab in labels] == list(isbt128.division_codes(10))
    assert {lab.donor for lab in labels} == {batch.donation.donor.pseudonym}
    assert all(lab.check_character == din.check_character for lab in labels)


def test_batch_record_pdf_shows_din_signatures_and_their_state(enrolled_donor: Any, run_batch: Any,
                                                               operator: Any) -> None:
    batch = run_batch(enrolled_donor())
    pdf = reports.batch_record_pdf(batch, compress=False)
    assert pdf.startswith(b"%PDF")
    assert batch.din.encode() in pdf
    assert b"Olivia Operatrice" in pdf and b"authored" in pdf
    assert b"matches the signed content" in pdf and b"NO LONGER MATCHES" not in pdf
    assert b"/Subtype /Image" in pdf  # the growth curve
    # an edit made behind the application's back: the signature no longer matches
    step = batch.steps.get(kind="isolation")
    Step.objects.filter(pk=step.pk).update(data={**step.data, "viability_pct": "99"})
    pdf = reports.batch_record_pdf(batch, compress=False)
    assert pdf.count(b"NO LONGER MATCHES") == 1
    assert Step.objects.get(pk=step.pk).signature_matches() is False


def test_growth_png(enrolled_donor: Any, run_batch: Any) -> None:
    batch = run_batch(enrolled_donor(), until="passages", passages=3)
    assert reports.growth_png(batch).startswith(b"\x89PNG\r\n\x1a\n")
    empty = run_batch(enrolled_donor(), until="isolation")
    assert reports.growth_png(empty).startswith(b"\x89PNG")


def test_downloads_for_readers(enrolled_donor: Any, run_batch: Any, client_as: Any) -> None:
    batch = run_batch(enrolled_donor(), vials=3)
    for role in ("operator", "monitor", "qc_analyst", "qualified_person"):
        client = client_as(role)
        labels = client.get(f"/manufacturing/batches/{batch.code}/labels.pdf")
        assert labels.status_code == 200 and labels["Content-Type"] == "application/pdf"
        assert labels.content.startswith(b"%PDF") and batch.code in labels["Content-Disposition"]
        record = client.get(f"/manufacturing/batches/{batch.code}/record.pdf")
        assert record.status_code == 200 and record.content.startswith(b"%PDF")
        png = client.get(f"/manufacturing/batches/{batch.code}/growth.png")
        assert png["Content-Type"] == "image/png"
        page = client.get(f"/manufacturing/batches/{batch.code}/").content.decode()
        assert 'id="growth-curve"' in page and "Olivia Operatrice" in page and "9.00" in page
    for role in ("investigator", "coordinator", "data_manager", "administrator"):
        assert client_as(role).get(f"/manufacturing/batches/{batch.code}/record.pdf").status_code == 403
