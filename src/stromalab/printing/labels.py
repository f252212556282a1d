"""Container labels as PDF: the ISBT 128 bar codes and 2-D symbol, their eye-readable text, study,
donor, dates and storage, in the label's language.

A label is the physical end of the chain of identity, so nothing is printed unless the DIN,
flags, check character, product code and division agree (checked by the core ISBT 128 modules),
and text that does not fit is refused rather than cut: a truncated storage condition is worse
than no label.

Layout, after ICCBBA's cellular therapy labels (ST-004) and the rules of ST-001 v6.2.2 §6 and §7:

* upper left, the DIN [001] as Code 128; under it the 13 DIN characters, the flag characters
  rotated 90° clockwise (type 3 check-value flags are not printed) and the keyboard entry check
  character in a box; then the division;
* upper right, the product code [003] as Code 128, its data content under it, then the product
  description;
* lower right, the expiration date and time [005] as Code 128, under it the local date and time
  with the zone named and the same instant in UTC beneath (ST-001 §7.4.4.2), then storage;
* lower left, a Data Matrix (ECC 200, :mod:`.datamatrix`) carrying the compound message [023]
  of the three structures, above it the study, the donor and the collection date.

Bar codes use the target X dimension of 0.25 mm and quiet zones of 10 X; the Data Matrix an X of
0.34 mm (ST-001 allows 0.25–1 mm, as large as practical). Data identifiers are never printed.
One label per page, so label printers and ordinary printers both work. Identifiers are set in
Helvetica (plain ASCII, searchable in the PDF); free text in Bitstream Vera, shipped with
reportlab, which has °, ≤, ≥ and − for storage conditions. Output is byte-for-byte
reproducible (reportlab's invariant mode: no timestamp or random document id).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from stromalab.core.manufacturing.isbt128 import Din, parse_din, verify_check_character
from stromalab.core.manufacturing.isbt128_structures import (
    DataStructure,
    compound_message,
    donation_identification_number,
    expiration_date_time,
    product_code,
)
from stromalab.printing.datamatrix import AsciiDataMatrix
from stromalab.printing.text import printable

#: ISBT 128 asks for an X dimension (narrowest bar) of 0.17–0.25 mm; 0.25 mm is the target.
BAR_WIDTH: float = 0.25 * mm
#: At least 5 mm or 15 % of the bar code's length (ST-001 §6.1.3); ours are under 40 mm long.
BAR_HEIGHT: float = 8 * mm
#: Quiet zone each side of a linear bar code: 10 X (ST-001 §6.1.3).
QUIET: float = 10 * BAR_WIDTH
#: Data Matrix module size: ST-001 §6.2.3 allows 0.25–1 mm; reportlab's symbol is 44 × 44.
MATRIX_MODULE: float = 0.34 * mm
MARGIN: float = 3 * mm
_TEXT_FONT, _BOLD_FONT = "Vera", "VeraBd"
_ID_FONT, _ID_BOLD_FONT = "Helvetica", "Helvetica-Bold"
#: Type 3 flags (60 + check value) are not printed (ST-001 §7.4.1).
_CHECK_FLAGS = range(60, 97)


class LabelError(ValueError):
    """A label that cannot be printed as asked (identity inconsistent or text too long)."""


@dataclass(frozen=True)
class Label:
    """Everything printed on one container's label, as plain values.

    ``expires`` is an aware datetime in the site's time zone: the label prints and encodes that
    wall-clock time (see :mod:`stromalab.core.manufacturing.isbt128_structures`).
    """

    din: str
    flags: str
    check_character: str
    product_code: str
    collection_type: str
    division: str
    product: str
    study: str
    donor: str
    collected: date
    expires: datetime
    storage: str


@dataclass(frozen=True)
class LabelWords:
    """The fixed words printed on a label, in the language it is printed in. This layer knows
    no language (no Django): the caller passes them translated; English by default."""

    division: str = "Division"
    study: str = "Study"
    donor: str = "Donor"
    collected: str = "Collected"
    expires: str = "Expires"
    storage: str = "Storage"


#: the words of a label printed without a language asked for
ENGLISH = LabelWords()


@dataclass(frozen=True)
class LabelSymbols:
    """The bar codes of one label, built (and their data checked by the core) before drawing, with
    the data structures they carry (DIN, product code, expiration)."""

    structures: tuple[DataStructure, DataStructure, DataStructure]
    din: Code128
    product: Code128
    expiration: Code128
    matrix: AsciiDataMatrix


def label_symbols(label: Label) -> LabelSymbols:
    """The three Code 128 bar codes and the Data Matrix of ``label``, after checking its identity."""
    din = parse_din(label.din)
    verify_check_character(din, label.check_character)
    structures = (
        donation_identification_number(din, label.flags),
        product_code(label.product_code, label.collection_type, label.division),
        expiration_date_time(label.expires),
    )
    din_code, product, expiration = (_linear(s.data) for s in structures)
    return LabelSymbols(structures, din_code, product, expiration,
                        AsciiDataMatrix(compound_message(structures), barWidth=MATRIX_MODULE))


def render_labels(
    labels: Sequence[Label],
    *,
    words: LabelWords = ENGLISH,
    width_mm: float = 100,
    height_mm: float = 60,
    compress: bool = True,
) -> bytes:
    """PDF bytes with one page per label, each ``width_mm`` × ``height_mm``.

    ``words`` are the fixed words in the label's language. ``compress=False`` leaves content
    streams readable (for tests and for inspection).
    """
    if not labels:
        raise LabelError("no labels to print")
    _register_fonts()
    buffer = io.BytesIO()
    size = (width_mm * mm, height_mm * mm)
    canvas = Canvas(buffer, pagesize=size, invariant=True, pageCompression=int(compress))
    canvas.setTitle(f"Labels {labels[0].din}")
    for label in labels:
        _draw(canvas, label, words, *size)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _linear(data: str) -> Code128:
    return Code128(data, barWidth=BAR_WIDTH, barHeight=BAR_HEIGHT, lquiet=QUIET, rquiet=QUIET)


def _draw(canvas: Canvas, label: Label, words: LabelWords, width: float, height: float) -> None:
    symbols = label_symbols(label)
    column = (width - 2 * MARGIN - 2 * QUIET) / 2
    left, right = MARGIN, width - MARGIN - column
    for name, code in (("DIN", symbols.din), ("product code", symbols.product),
                       ("expiration", symbols.expiration)):
        if code.width - 2 * QUIET > column:
            needed = 2 * (MARGIN + code.width)
            raise LabelError(f"the {name} barcode needs {needed / mm:.0f} mm of label width")
    top = height - MARGIN
    left_bottom = _din_quadrant(canvas, label, words, symbols.din, left, top, column)
    right_bottom = _product_quadrant(canvas, label, symbols.structures[1], symbols.product, right,
                                     top, column)
    right_top = _expiration_quadrant(canvas, label, words, symbols.expiration, right, column)
    left_top = _matrix_quadrant(canvas, label, words, symbols.matrix, left, column)
    if left_bottom < left_top + 2 or right_bottom < right_top + 2:
        raise LabelError(f"the label text needs more than {height / mm:.0f} mm of height")


def _din_quadrant(canvas: Canvas, label: Label, words: LabelWords, code: Code128,
                  x: float, top: float, width: float) -> float:
    """DIN bar code, DIN text with flags and boxed check character, division; returns the bottom."""
    din = parse_din(label.din)
    code.drawOn(canvas, x - QUIET, top - BAR_HEIGHT)
    y = top - BAR_HEIGHT - 14
    x_after = _din_text(canvas, din, label.flags, x, y)
    if x_after > x + width:
        raise LabelError(f"the DIN text needs {(x_after - x) / mm:.0f} mm of label width")
    y -= 14
    canvas.setFont(_TEXT_FONT, 7)
    canvas.drawString(x, y, printable(words.division))
    canvas.setFont(_ID_BOLD_FONT, 11)
    canvas.drawString(x + pdfmetrics.stringWidth(printable(words.division), _TEXT_FONT, 7) + 4, y,
                      label.division)
    return y - 3


def _din_text(canvas: Canvas, din: Din, flags: str, x: float, y: float) -> float:
    """``G1234 17 654321``, the flags turned 90° clockwise, the check character boxed (ST-001
    §7.4.1, §7.5.1.1); returns where the text ends."""
    canvas.setFont(_ID_BOLD_FONT, 12)
    canvas.drawString(x, y, din.spaced)
    x += pdfmetrics.stringWidth(din.spaced, _ID_BOLD_FONT, 12) + 3
    if int(flags) not in _CHECK_FLAGS:
        canvas.saveState()
        canvas.translate(x, y + 10)
        canvas.rotate(-90)
        canvas.setFont(_ID_FONT, 7)
        canvas.drawString(0, 0, flags)
        canvas.restoreState()
        x += 9
    canvas.setLineWidth(0.6)
    canvas.rect(x, y - 3, 13, 14)
    canvas.setFont(_ID_BOLD_FONT, 12)
    canvas.drawCentredString(x + 6.5, y, din.check_character)
    return x + 13


def _product_quadrant(canvas: Canvas, label: Label, structure: DataStructure, code: Code128,
                      x: float, top: float, width: float) -> float:
    """Product code bar code, its data content, the product description; returns the bottom."""
    code.drawOn(canvas, x - QUIET, top - BAR_HEIGHT)
    y = top - BAR_HEIGHT - 8
    canvas.setFont(_ID_FONT, 7)
    canvas.drawString(x, y, structure.content)
    lines = _split("product", label.product, _BOLD_FONT, 7, width, max_lines=4)
    return _draw_lines(canvas, lines, _BOLD_FONT, 7, x, y - 10) + 5


def _expiration_quadrant(canvas: Canvas, label: Label, words: LabelWords, code: Code128,
                         x: float, width: float) -> float:
    """From the bottom up: storage, the instant in UTC, the local date and time under the bar
    code, the bar code, its data label; returns the top."""
    storage = _split("storage", f"{words.storage}: {label.storage}", _TEXT_FONT, 7, width, 2)
    expires = _split("expiry", words.expires, _TEXT_FONT, 7, width, max_lines=1)
    local, utc = label.expires, label.expires.astimezone(UTC)
    y = MARGIN + 2 + 8.75 * (len(storage) - 1)
    _draw_lines(canvas, storage, _TEXT_FONT, 7, x, y)
    y += 10
    canvas.setFont(_ID_FONT, 7)
    canvas.drawString(x, y, f"({utc:%Y-%m-%d %H:%M} UTC)")
    y += 10
    canvas.setFont(_ID_BOLD_FONT, 9)
    canvas.drawString(x, y, f"{local:%Y-%m-%d %H:%M} {local.tzname()}")
    y += 9
    code.drawOn(canvas, x - QUIET, y)
    y += BAR_HEIGHT + 3
    _draw_lines(canvas, expires, _TEXT_FONT, 7, x, y)
    return y + 7


def _matrix_quadrant(canvas: Canvas, label: Label, words: LabelWords, matrix: AsciiDataMatrix,
                     x: float, width: float) -> float:
    """The Data Matrix in the lower left corner, study, donor and collection date above it;
    returns the top."""
    side: float = matrix.width  # also encodes the symbol, which reportlab's draw() expects done
    matrix.drawOn(canvas, x, MARGIN)
    y = MARGIN + side + 4
    for field, text in (("collected", f"{words.collected} {label.collected:%Y-%m-%d}"),
                        ("donor", f"{words.donor} {label.donor}"),
                        ("study", f"{words.study} {label.study}")):
        _draw_lines(canvas, _split(field, text, _TEXT_FONT, 7, width, max_lines=1), _TEXT_FONT, 7, x, y)
        y += 8.75
    return y


def _split(field: str, text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """``text`` made printable and wrapped to ``width``; refused when it needs more lines."""
    lines: list[str] = simpleSplit(printable(text), font, size, width)
    if len(lines) > max_lines:
        raise LabelError(f"{field} does not fit on the label in {max_lines} line(s): {text!r}")
    return lines


def _draw_lines(canvas: Canvas, lines: list[str], font: str, size: float, x: float, y: float) -> float:
    """Draw ``lines`` from baseline ``y`` down; return the next baseline."""
    canvas.setFont(font, size)
    for line in lines:
        canvas.drawString(x, y, line)
        y -= size * 1.25
    return y


def _register_fonts() -> None:
    registered = pdfmetrics.getRegisteredFontNames()
    for name in (_TEXT_FONT, _BOLD_FONT):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, f"{name}.ttf"))
