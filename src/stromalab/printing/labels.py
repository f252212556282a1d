"""Container labels as PDF: ISBT 128 DIN barcode, eye-readable DIN, product, study, dates, storage.

A label is the physical end of the chain of identity, so nothing is printed unless the DIN,
flags, check character and division agree (checked by the core ISBT 128 module), and text that
does not fit is refused rather than cut: a truncated storage condition is worse than no label.

One label per page, so label printers and ordinary printers both work. The DIN and check
character are set in Helvetica (plain ASCII, searchable in the PDF); the free text in Bitstream
Vera, shipped with reportlab, which has °, ≤, ≥ and − for storage conditions. Output is
byte-for-byte reproducible (reportlab's invariant mode: no timestamp or random document id).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from stromalab.core.manufacturing.isbt128 import (
    parse,
    parse_din,
    parse_division,
    verify_check_character,
)
from stromalab.printing.text import printable

#: ISBT 128 asks for an X dimension (narrowest bar) of 0.17–0.25 mm; the widest scans best.
BAR_WIDTH = 0.25 * mm
BAR_HEIGHT = 12 * mm
MARGIN = 3 * mm
_TEXT_FONT, _BOLD_FONT = "Vera", "VeraBd"
_DIN_FONT = "Helvetica-Bold"


class LabelError(ValueError):
    """A label that cannot be printed as asked (identity inconsistent or text too long)."""


@dataclass(frozen=True)
class Label:
    """Everything printed on one container's label, as plain values."""

    din: str
    flags: str
    check_character: str
    division: str
    product: str
    study: str
    donor: str
    collected: date
    expires: date
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


def _draw(canvas: Canvas, label: Label, words: LabelWords, width: float, height: float) -> None:
    din = parse_din(label.din)
    verify_check_character(din, label.check_character)
    parse(din.barcode_data(label.flags))  # type 2 flags must carry the right check value
    division = parse_division(label.division)

    barcode = Code128(din.barcode_data(label.flags), barWidth=BAR_WIDTH, barHeight=BAR_HEIGHT)
    top = height - MARGIN
    if barcode.width > width - 2 * MARGIN:
        raise LabelError(f"the DIN barcode needs {barcode.width / mm:.0f} mm of label width")
    barcode.drawOn(canvas, MARGIN - barcode.lquiet, top - BAR_HEIGHT)

    # Division at the top right, large: it tells containers of one donation apart.
    right = width - MARGIN
    canvas.setFont(_TEXT_FONT, 6)
    canvas.drawRightString(right, top - 6, printable(words.division))
    canvas.setFont(_DIN_FONT, 16)
    canvas.drawRightString(right, top - 22, division)

    # Eye-readable DIN and flags, then the check character in its box.
    y = top - BAR_HEIGHT - 14
    text = din.printed(label.flags)
    canvas.setFont(_DIN_FONT, 12)
    canvas.drawString(MARGIN, y, text)
    box_x = MARGIN + pdfmetrics.stringWidth(text, _DIN_FONT, 12) + 4
    canvas.rect(box_x, y - 3, 13, 14)
    canvas.drawCentredString(box_x + 6.5, y, din.check_character)

    y -= 7
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, y, right, y)
    usable = width - 2 * MARGIN
    y = _lines(canvas, "product", label.product, _BOLD_FONT, 9, usable, y - 10, max_lines=2)
    y = _lines(
        canvas, "study and donor", f"{words.study} {label.study}  ·  {words.donor} {label.donor}",
        _TEXT_FONT, 8, usable, y, max_lines=1,
    )
    dates = f"{words.collected} {label.collected:%Y-%m-%d}  ·  {words.expires} {label.expires:%Y-%m-%d}"
    y = _lines(canvas, "dates", dates, _BOLD_FONT, 8, usable, y, max_lines=1)
    y = _lines(canvas, "storage", f"{words.storage}: {label.storage}", _TEXT_FONT, 8, usable, y, 2)
    if y < MARGIN:
        raise LabelError(f"the label text needs more than {height / mm:.0f} mm of height")


def _lines(
    canvas: Canvas,
    field: str,
    text: str,
    font: str,
    size: float,
    width: float,
    y: float,
    max_lines: int,
) -> float:
    """Draw ``text`` wrapped to ``width`` from baseline ``y``; return the next baseline."""
    lines = simpleSplit(printable(text), font, size, width)
    if len(lines) > max_lines:
        raise LabelError(f"{field} does not fit on the label in {max_lines} line(s): {text!r}")
    canvas.setFont(font, size)
    for line in lines:
        canvas.drawString(MARGIN, y, line)
        y -= size * 1.25
    return y


def _register_fonts() -> None:
    registered = pdfmetrics.getRegisteredFontNames()
    for name in (_TEXT_FONT, _BOLD_FONT):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, f"{name}.ttf"))
