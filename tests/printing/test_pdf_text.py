"""Every text that reaches a PDF is shown literally: markup, entities and control characters
included (printing/text.py). Rendered with ReportLab, read back with poppler's pdftotext."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate

from stromalab.printing.text import REPLACEMENT, markup, paragraph, plain, printable

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None and os.environ.get("STROMALAB_REQUIRE_ALL") != "1",
    reason="NOT TESTED: pdftotext (poppler-utils) not installed")

HOSTILE = [
    "<img src=x>", "<img src='/etc/hostname'/>", "<font size=30 color=red>big</font>", "<b>bold</b>",
    "&amp; &lt; &#60; &unknown;", "a < b > c & d", "</para>", "<br/>", "\x00nul\x07bell\x1b[31m",
    "line\r\nbreak", "tab\there", "Température ≤ −150 °C → ≥ 5 µL", "lone \ud800 surrogate", "]]>",
]


def extracted(pdf: bytes) -> str:
    assert PDFTOTEXT is not None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        out = subprocess.run([PDFTOTEXT, "-enc", "UTF-8", fh.name, "-"], capture_output=True, check=True)
    # compared without white space: pdftotext guesses spaces from glyph positions (it reads
    # "a < b" as "a<b"), while the characters and their order are what must be literal
    return "".join(out.stdout.decode("utf-8").split())


def words(text: str) -> list[str]:
    return plain(text).split()


def _document(text: str) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, invariant=True, pageCompression=0)
    doc.build([paragraph(text, getSampleStyleSheet()["BodyText"])])
    return out.getvalue()


def test_markup_and_controls_never_reach_reportlab_as_markup() -> None:
    for text in HOSTILE:
        escaped = markup(text)
        assert "<" not in escaped.replace("<br/>", "") and ">" not in escaped.replace("<br/>", "")
        assert not any(ord(c) < 32 and c != "\n" for c in plain(text)), text
        assert "\ud800" not in plain(text) and "\ud800" not in printable(text)
    assert plain("≤ −150 °C") == "<= -150 °C" and printable("≤\x00") == "≤" + REPLACEMENT


@needs_pdftotext
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_shown_literally(text: str) -> None:
    shown = extracted(_document(text))
    assert "".join(words(text)) in shown


@needs_pdftotext
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(
    list("<>&;'\"/=#\x00\x01\x0b\x7f\x85 \n\té≤")), min_size=1, max_size=40))
def test_any_text_renders_and_reads_back(text: str) -> None:
    shown = extracted(_document(text))
    for word in words(text):
        if set(word) - {REPLACEMENT}:  # characters the base fonts lack read back as '?'
            assert word in shown


@needs_pdftotext
def test_canvas_text_is_plain() -> None:
    out = io.BytesIO()
    canvas = Canvas(out, invariant=True, pageCompression=0)
    canvas.drawString(50, 700, plain(HOSTILE[2]))
    canvas.save()
    assert "<fontsize=30color=red>big</font>" in extracted(out.getvalue())
