"""The certificate of analysis as PDF (reportlab), from plain values.

It lists every test of the specification with its method, limit, result, unit, analyst,
instrument, date and verdict; the out-of-specification records and the manufacturing
deviations, and how they were closed (impact, conclusion, signature); the phenotype figures and
the histograms of control against stained; and the release signature (printed name, date and
time, meaning, and whether the signed content still matches).

Text is set in the PDF base fonts (Helvetica): searchable and extractable without embedded
font subsets; ``≥``/``≤``, which those fonts lack, are written ``>=``/``<=``. Output is
reproducible (reportlab's invariant mode). ``compress=False`` writes uncompressed content
streams, which tests search for text.

The certificate is in one language (:func:`certificate_pdf`: the one asked for, a page passes its
request's, else the active one): its fixed words through gettext, the tests' names from
release.yaml in that language, statuses as words of it, times in the site's time zone with the
zone named (the data come as :func:`~stromalab.web.quality.queries.certificate_data` builds them
in that language).
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from stromalab.printing.text import paragraph, plain
from stromalab.web.manufacturing.checks import active_language, status_word
from stromalab.web.manufacturing.models import Batch

from .queries import certificate_data

_STYLES = getSampleStyleSheet()
_BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontName="Helvetica", fontSize=8.5,
                       leading=10.5)
_CELL = ParagraphStyle("cell", parent=_BODY, fontSize=7.5, leading=9)
_H1 = ParagraphStyle("h1", parent=_STYLES["Heading1"], fontName="Helvetica-Bold", fontSize=15)
_H2 = ParagraphStyle("h2", parent=_STYLES["Heading2"], fontName="Helvetica-Bold", fontSize=11,
                     spaceBefore=8)
_VERDICT_COLOURS = {"pass": colors.HexColor("#16794c"), "fail": colors.HexColor("#b42318")}


def _p(text: Any, style: ParagraphStyle = _BODY) -> Paragraph:
    return paragraph(text, style)


def _table(header: list[str], rows: list[list[Any]], widths: list[float]) -> Table:
    data = [[_p(h, _CELL) for h in header]] + [[_p(c, _CELL) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa3ad")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf3")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def certificate_pdf(batch: Batch, *, language: str | None = None, compress: bool = True,
                    histograms: bool = True) -> bytes:
    """The batch's certificate in ``language`` (default: the active language), its data read in
    that language too (``histograms=False`` leaves the phenotype's images out)."""
    with translation.override(language or active_language()):
        return render(certificate_data(batch, histograms=histograms), compress=compress)


def render(data: dict[str, Any], *, compress: bool = True) -> bytes:
    """The certificate for ``data`` (see :func:`stromalab.web.quality.queries.certificate_data`),
    its fixed words in the active language."""
    buffer = io.BytesIO()
    title = _("Certificate of analysis %(batch)s") % {"batch": data["batch"]}
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm,
                            topMargin=14 * mm, bottomMargin=16 * mm, title=plain(title),
                            author="stromalab", invariant=1, pageCompression=1 if compress else 0)
    story: list[Any] = [_p(_("Certificate of analysis"), _H1)]
    identity = [
        [_("Study"), data.get("study", "")],
        [_("Batch"), data["batch"]],
        ["DIN", data.get("din", "")],
        [_("Product"), data.get("product", "")],
        [_("Donor"), data.get("donor", "")],
        [_("Specification"), data.get("specification", "")],
        [_("Containers"), ", ".join(data.get("containers", [])) or "-"],
        [_("Batch record"), data.get("batch_state", "")],
        [_("Donor eligibility"), data.get("eligibility", "")],
    ]
    story.append(_table([_("Item"), _("Value")], identity, [40 * mm, 142 * mm]))

    story.append(_p(_("Results against the release specification"), _H2))
    rows = [[t["name"], t["method"], t["limit"], t["value"], t["unit"], t["analyst"],
             t["instrument"], t["date"], status_word(t["verdict"])] for t in data["tests"]]
    table = _table([_("Test"), _("Method"), _("Limit"), _("Result"), _("Unit"), _("Analyst"), _("Instrument"),
                    _("Date"), _("Verdict")], rows,
                   [24 * mm, 28 * mm, 20 * mm, 18 * mm, 12 * mm, 24 * mm, 22 * mm, 17 * mm, 17 * mm])
    for i, t in enumerate(data["tests"], start=1):
        colour = _VERDICT_COLOURS.get(t["verdict"])
        if colour is not None:
            table.setStyle(TableStyle([("TEXTCOLOR", (8, i), (8, i), colour)]))
    story.append(table)
    story.append(_p(_("Conclusion: %(text)s") % {"text": data.get("conclusion", "")}))

    story.append(_p(_("Out-of-specification records"), _H2))
    if data.get("oos"):
        story.append(_table(["#", _("Test"), _("Result"), _("Opened"), _("Status"), _("Closed by"), _("Conclusion")],
                            [[o["id"], o["test"], o["value"], o["opened"], o["status"],
                              o["closed_by"], o["conclusion"]] for o in data["oos"]],
                            [8 * mm, 22 * mm, 18 * mm, 28 * mm, 14 * mm, 40 * mm, 52 * mm]))
    else:
        story.append(_p(_("None.")))

    story.append(_p(_("Manufacturing deviations"), _H2))
    if data.get("deviations"):
        story.append(_table(["#", _("Check"), _("Deviation"), _("Status"), _("Impact"), _("Closed by"),
                             _("Conclusion")],
                            [[x["id"], x["check"], x["description"], x["status"], x["impact"] or "-",
                              x["closed_by"] or "-", x["conclusion"] or "-"] for x in data["deviations"]],
                            [8 * mm, 20 * mm, 40 * mm, 14 * mm, 22 * mm, 38 * mm, 40 * mm]))
    else:
        story.append(_p(_("None.")))

    story.append(_p(_("Materials used in manufacture"), _H2))
    if data.get("lots"):
        story.append(_table([_("Step"), _("Use"), _("Lot"), _("Expires")],
                            [[x["step"], x["use"], x["lot"], x["expires"]] for x in data["lots"]],
                            [20 * mm, 34 * mm, 100 * mm, 28 * mm]))
    else:
        story.append(_p(_("None from the register.")))

    story.append(_p(_("Immunophenotype (flow cytometry)"), _H2))
    if not data.get("phenotype"):
        story.append(_p(_("No FCS panel uploaded.")))
    for panel in data.get("phenotype", []):
        story.append(_p(_("Panel %(id)s: %(panel)s - verdict %(verdict)s; uploaded by %(name)s on %(time)s") % {
            "id": panel["id"], "panel": panel["panel"], "verdict": status_word(panel["verdict"]),
            "name": panel["uploaded_by"], "time": panel["uploaded_at"]}))
        story.append(_p(_("Files: %(files)s") % {"files": "; ".join(
            f"{f['role']} {f['name']} (SHA-256 {f['sha256']})" for f in panel["files"])}, _CELL))
        story.append(_table([_("Marker"), _("Limit (%)"), _("Value (%)"), _("Status")],
                            [[c["marker"], c["limit"], "-" if c["value"] is None else f"{c['value']:.2f}",
                              status_word(c["status"])] for c in panel["criteria"]],
                            [40 * mm, 30 * mm, 30 * mm, 30 * mm]))
        images = [Image(io.BytesIO(png), width=88 * mm, height=54 * mm) for png in panel.get("histograms", [])]
        grid = [images[i:i + 2] + [""] * (2 - len(images[i:i + 2])) for i in range(0, len(images), 2)]
        if grid:
            story.append(Table(grid, colWidths=[91 * mm, 91 * mm]))

    sig = data.get("signature")
    if sig:
        block = [
            _p(_("Release decision"), _H2),
            _p(_("Decision: %(decision)s") % {"decision": data["decision"]}),
            _p(_("Signed by: %(name)s") % {"name": sig["printed_name"]}),
            _p(_("Date and time: %(time)s") % {"time": sig["signed_at"]}),
            _p(_("Meaning: %(meaning)s") % {"meaning": sig["meaning"]}),
            _p(_("Signed content SHA-256: %(hash)s") % {"hash": sig["content_hash"]}),
            _p(_("Signature matches the current content: yes") if sig["matches"] else
               _("Signature matches the current content: NO - the record changed after signing")),
        ]
        if data.get("decision_reason"):
            block.append(_p(_("Reason: %(reason)s") % {"reason": data["decision_reason"]}))
        story.append(KeepTogether(block))
    else:
        story.append(_p(_("Release decision"), _H2))
        story.append(_p(_("Not yet released: this document is a draft, not a certificate.")))
    story.append(Spacer(1, 4 * mm))
    story.append(_p(_("Printed %(time)s by stromalab. Pseudonymised record.") % {"time": data.get("printed_at", "")},
                    _CELL))
    footer = plain(_("Certificate of analysis - batch %(batch)s - DIN %(din)s") % {
        "batch": data["batch"], "din": data.get("din", "")})
    page_word = _("page")

    def on_page(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(14 * mm, 9 * mm, footer)
        canvas.drawRightString(A4[0] - 14 * mm, 9 * mm, plain(f"{page_word} {document.page}"))
        canvas.restoreState()

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
