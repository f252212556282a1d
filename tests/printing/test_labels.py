"""Container label PDFs: well-formed, carrying the DIN, and refusing inconsistent identities."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from stromalab.core.manufacturing.isbt128 import Isbt128Error
from stromalab.printing.labels import Label, LabelError, render_labels

LABEL = Label(
    din="G123417654321",
    flags="00",
    check_character="A",
    division="A0",
    product="MSC(AT), allogeneic, cryopreserved, 1 x 10^8 cells in 20 mL",
    study="NCT05947682",
    donor="D-0042",
    collected=date(2026, 3, 2),
    expires=date(2027, 3, 2),
    storage="≤ −150 °C, vapour phase of liquid nitrogen",
)


def test_pdf_carries_din_text_and_one_page_per_label() -> None:
    second = dataclasses.replace(LABEL, division="B0")
    pdf = render_labels([LABEL, second], compress=False)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert pdf.count(b"(G1234 17 654321 00) Tj") == 2
    assert b"(A0) Tj" in pdf and b"(B0) Tj" in pdf
    assert pdf.count(b"/Type /Page\n") == 2


def test_output_is_reproducible() -> None:
    assert render_labels([LABEL]) == render_labels([LABEL])
    assert render_labels([LABEL]).startswith(b"%PDF-")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) not installed")
def test_text_extracts_with_pdftotext(tmp_path: Path) -> None:
    path = tmp_path / "label.pdf"
    path.write_bytes(render_labels([LABEL]))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in ("G1234 17 654321 00", "NCT05947682", "2027-03-02", "≤ −150 °C", "D-0042"):
        assert expected in text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"check_character": "B"}, "check character"),
        ({"din": "G12341765432"}, "DIN"),
        ({"flags": "0X"}, "flags"),
        ({"flags": "71"}, "flags"),
        ({"division": "a0"}, "division"),
    ],
)
def test_inconsistent_identity_is_not_printed(change: dict[str, str], field: str) -> None:
    with pytest.raises(Isbt128Error) as caught:
        render_labels([dataclasses.replace(LABEL, **change)])
    assert caught.value.field == field


def test_check_flags_are_accepted() -> None:
    assert render_labels([dataclasses.replace(LABEL, flags="70")]).startswith(b"%PDF-")


def test_text_that_does_not_fit_is_refused() -> None:
    with pytest.raises(LabelError, match="storage does not fit"):
        render_labels([dataclasses.replace(LABEL, storage="keep frozen " * 40)])
    with pytest.raises(LabelError, match="barcode needs"):
        render_labels([LABEL], width_mm=40)
    with pytest.raises(LabelError, match="more than 30 mm of height"):
        render_labels([LABEL], height_mm=30)


def test_no_labels() -> None:
    with pytest.raises(LabelError, match="no labels"):
        render_labels([])
