"""Container label PDFs: the ISBT 128 symbols and their text, in the label's language, refusing
inconsistent identities and text that does not fit.

No bar code decoder is installed here (no libzbar, no libdmtx), so the symbols are checked through
the values reportlab encodes before drawing; the Data Matrix encodation is checked against the
ISO/IEC 16022 worked example. (Decoded once by hand with zxing-cpp from a 600 dpi rendering: all
four symbols read back as below.)
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from stromalab.core.manufacturing.isbt128 import Isbt128Error
from stromalab.core.manufacturing.isbt128_structures import end_of_day
from stromalab.printing.datamatrix import AsciiDataMatrix, ascii_codewords
from stromalab.printing.labels import Label, LabelError, LabelWords, label_symbols, render_labels

PARIS = ZoneInfo("Europe/Paris")
LABEL = Label(
    din="G123417654321",
    flags="00",
    check_character="A",
    product_code="S1234",
    collection_type="V",
    division="A0",
    product="MSC(AT), allogeneic, cryopreserved, 1 x 10^8 cells in 20 mL",
    study="NCT05947682",
    donor="NCT05947682-042",
    collected=date(2026, 3, 2),
    expires=end_of_day(date(2027, 3, 2), PARIS),
    storage="≤ −150 °C, vapour phase of liquid nitrogen",
)
FRENCH = LabelWords(division="Division", study="Étude", donor="Donneur", collected="Prélevé le",
                    expires="Péremption", storage="Stockage")


def test_pdf_carries_din_text_and_one_page_per_label() -> None:
    second = dataclasses.replace(LABEL, division="B0")
    pdf = render_labels([LABEL, second], compress=False)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert pdf.count(b"(G1234 17 654321) Tj") == 2
    assert pdf.count(b"(00) Tj") == 2  # flags, drawn apart (rotated 90 degrees clockwise)
    assert b"(A0) Tj" in pdf and b"(B0) Tj" in pdf
    assert b"(S1234VA0) Tj" in pdf and b"(S1234VB0) Tj" in pdf
    assert pdf.count(b"/Type /Page\n") == 2


def test_output_is_reproducible() -> None:
    assert render_labels([LABEL]) == render_labels([LABEL])
    assert render_labels([LABEL]).startswith(b"%PDF-")


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                     reason="pdftotext (poppler) not installed")


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "label.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@needs_pdftotext
def test_text_extracts_with_pdftotext(tmp_path: Path) -> None:
    text = _text(render_labels([LABEL]), tmp_path)
    for expected in ("G1234 17 654321", "A0", "S1234VA0", "MSC(AT), allogeneic", "Expires",
                     "2027-03-02 23:59 CET", "(2027-03-02 22:59 UTC)", "Study NCT05947682",
                     "Donor NCT05947682-042", "Collected 2026-03-02", "Storage: ≤ −150 °C"):
        assert expected in text, expected
    assert "=G1234" not in text and "=<" not in text and "&>" not in text  # no data identifiers


@needs_pdftotext
def test_label_in_french(tmp_path: Path) -> None:
    text = _text(render_labels([LABEL], words=FRENCH), tmp_path)
    for expected in ("Étude NCT05947682", "Donneur NCT05947682-042", "Prélevé le 2026-03-02",
                     "Péremption", "Stockage: ≤ −150 °C", "G1234 17 654321", "S1234VA0"):
        assert expected in text, expected
    assert "Expires" not in text and "Study" not in text


def test_symbols_encode_the_data_structures() -> None:
    symbols = label_symbols(LABEL)
    assert [s.data for s in symbols.structures] == ["=G12341765432100", "=<S1234VA0", "&>0270612359"]
    assert symbols.din.value == "=G12341765432100"
    assert symbols.product.value == "=<S1234VA0"
    assert symbols.expiration.value == "&>0270612359"
    assert symbols.matrix.value == "=+03000=G12341765432100=<S1234VA0&>0270612359"
    assert symbols.din.barWidth == symbols.product.barWidth == symbols.expiration.barWidth
    assert len(symbols.matrix.encode()) == 44  # rows of the 44 x 44 symbol


def test_summer_expiry_is_local_time_with_its_zone() -> None:
    summer = dataclasses.replace(LABEL, expires=datetime(2027, 7, 15, 16, 30, tzinfo=PARIS))
    assert label_symbols(summer).expiration.value == "&>0271961630"
    pdf = render_labels([summer], compress=False)
    assert b"(2027-07-15 16:30 CEST) Tj" in pdf and b"(\\(2027-07-15 14:30 UTC\\)) Tj" in pdf


def test_naive_expiry_is_refused() -> None:
    with pytest.raises(Isbt128Error, match="time zone"):
        render_labels([dataclasses.replace(LABEL, expires=datetime(2027, 3, 2, 23, 59))])


def test_type_3_flags_are_encoded_not_printed() -> None:
    checked = dataclasses.replace(LABEL, flags="70")
    assert label_symbols(checked).din.value == "=G12341765432170"
    pdf = render_labels([checked], compress=False)
    assert b"(70) Tj" not in pdf and b"(G1234 17 654321) Tj" in pdf


def test_data_matrix_ascii_encodation_iso_example() -> None:
    # ISO/IEC 16022 worked example: "123456" is data 142 164 186, error correction 114 25 5 88 102.
    data = ascii_codewords("123456", 3)
    assert data == [142, 164, 186]
    assert AsciiDataMatrix("123456", barWidth=1)._get_reed_solomon_code(data, 5) == [114, 25, 5, 88, 102]


def test_data_matrix_encodes_isbt_data_identifier_characters_as_ascii() -> None:
    # "=" is 61 + 1, "<" 60 + 1, "&" 38 + 1, ">" 62 + 1; digit pairs 130 + value; then pad 129,
    # then the 253-state pad at position 8: 129 + (149 x 8 mod 253) + 1 = 310, less 254 = 56.
    assert ascii_codewords("=<&>0123", 8) == [62, 61, 39, 63, 131, 153, 129, 56]
    with pytest.raises(ValueError, match="do not fit"):
        ascii_codewords("ABC", 2)
    with pytest.raises(ValueError, match="printable ASCII"):
        AsciiDataMatrix("é", barWidth=1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"check_character": "B"}, "check character"),
        ({"din": "G12341765432"}, "DIN"),
        ({"flags": "0X"}, "flags"),
        ({"flags": "71"}, "flags"),
        ({"division": "a0"}, "division"),
        ({"product_code": "T0326"}, "product code"),
        ({"collection_type": "Z"}, "collection type"),
    ],
)
def test_inconsistent_identity_is_not_printed(change: dict[str, str], field: str) -> None:
    with pytest.raises(Isbt128Error) as caught:
        render_labels([dataclasses.replace(LABEL, **change)])
    assert caught.value.field == field


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
