"""Printouts of a batch: growth curve (PNG), container labels (PDF) and the batch record (PDF).

The batch record shows every step's values, in-process verdicts, deviations (with, once closed,
the investigation's impact, conclusion and the closer's signature), containers and,
for every signature, the signer's printed name, date and time, meaning, and whether it still
matches the signed content (21 CFR 11.50). Donors appear by pseudonym only.

Each printout is in one language: the one asked for (a page passes its request's), else the
active one (the site's ``LANGUAGE_CODE`` outside a request). Its fixed words go through gettext
inside :func:`translation.override`, the study's test names come from the protocol file in that
language (:mod:`.checks`), and times read in the site's time zone with the zone named
(:func:`~stromalab.web.localtime.local_text`). Every text still reaches the PDF through
:mod:`stromalab.printing.text`.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, SimpleDocTemplate, Spacer, Table, TableStyle

from stromalab.core.manufacturing.doublings import Growth
from stromalab.core.manufacturing.isbt128 import parse_din
from stromalab.core.manufacturing.isbt128_structures import end_of_day
from stromalab.printing.labels import Label, LabelWords, render_labels
from stromalab.printing.text import paragraph, plain
from stromalab.web.localtime import local_text
from stromalab.web.materials.queries import batch_lots

from .checks import active_language, check_lines
from .config import STORAGE_CONDITIONS
from .display import display_value
from .models import Batch, Container, Deviation, Step
from .queries import batch_growth
from .step_fields import step_values

#: the tables' ruling: a grid, small type, the header row shaded
_GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("FONTSIZE", (0, 0), (-1, -1), 7),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])

def growth_png(batch: Batch, growth: Growth | None = None) -> bytes:
    """Cumulative population doublings against days in culture (matplotlib, Agg backend), its
    words in the active language."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    growth = growth if growth is not None else batch_growth(batch)
    fig = Figure(figsize=(6, 3.4), dpi=100)
    ax = fig.add_subplot()
    xs = [p.days for p in growth.curve]
    ys = [p.cumulative_population_doublings for p in growth.curve]
    if xs:
        ax.plot(xs, ys, marker="o", color="#1d3557")
        for row in growth.passages:
            ax.annotate(f"P{row.number}", (row.days_in_culture, row.cumulative_population_doublings),
                        textcoords="offset points", xytext=(4, -12), fontsize=8)
    else:
        ax.text(0.5, 0.5, _("no passage harvested yet"), ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel(_("days in culture"))
    ax.set_ylabel(_("cumulative population doublings"))
    ax.set_title(_("Growth curve — batch %(code)s") % {"code": batch.code})
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


#: ISBT 128 type of collection (table RT008) printed in every product code: the study's donors are
#: healthy volunteers giving for allogeneic use, "volunteer homologous (allogeneic)".
COLLECTION_TYPE = "V"


def labels_for(batch: Batch) -> list[Label]:
    """Each container's label as plain values (storage conditions in the active language); a
    container expires at 23:59 of its expiry date in the site's time zone (ISBT 128 default)."""
    donation = batch.donation
    din = parse_din(batch.din)
    zone = timezone.get_current_timezone()
    return [
        Label(din=c.din, flags="00", check_character=din.check_character, product_code=c.product_code,
              collection_type=COLLECTION_TYPE, division=c.division, product=c.product_description,
              study=donation.donor.study_id, donor=donation.donor.pseudonym,
              collected=timezone.localtime(donation.collected_at).date(),
              expires=end_of_day(c.expires_on or timezone.localdate(), zone), storage=str(STORAGE_CONDITIONS))
        for c in batch.containers.order_by("division")
    ]


def label_words() -> LabelWords:
    """The labels' fixed words in the active language (the printing layer knows no language)."""
    return LabelWords(division=_("Division"), study=_("Study"), donor=_("Donor"), collected=_("Collected"),
                      expires=_("Expires"), storage=_("Storage"))


def labels_pdf(batch: Batch, *, language: str | None = None, compress: bool = True) -> bytes:
    """One label per container (``render_labels``: DIN, product code and expiry as Code 128, the
    three in a Data Matrix, their eye-readable text), in ``language`` (default: the active one)."""
    with translation.override(language or active_language()):
        return render_labels(labels_for(batch), words=label_words(), compress=compress)


def _signature_state(matches: bool | None) -> str:
    return _("matches the signed content") if matches else _("NO LONGER MATCHES the signed content")


def _signature_rows(step: Step) -> list[list[str]]:
    """Printed name, date and time, meaning, and whether the content is still the one signed."""
    sig = step.signature
    if sig is None:
        return [[_("signature"), _("not signed")]]
    return [[_("signed by"), sig.printed_name], [_("signed at"), local_text(sig.signed_at, seconds=True)],
            [_("meaning"), str(sig.get_meaning_display())], [_("signature"), _signature_state(step.signature_matches())]]


def _deviation_closure(d: Deviation) -> str:
    """Impact, conclusion and the closer's signature (printed name, local time, meaning, state)."""
    sig = d.signature
    text = _("impact: %(impact)s — conclusion: %(conclusion)s") % {
        "impact": d.get_impact_display(), "conclusion": d.conclusion}
    if sig is None:
        return text + " — " + _("not signed")
    return text + " — " + _("closed by %(name)s at %(time)s, meaning %(meaning)s; signature %(state)s") % {
        "name": sig.printed_name, "time": local_text(sig.signed_at, seconds=True),
        "meaning": sig.get_meaning_display(), "state": _signature_state(d.signature_matches())}


def _plain_cells(rows: list[list[Any]]) -> list[list[Any]]:
    """Table cells drawn as strings go through :func:`plain` too (paragraphs already did)."""
    return [[plain(cell) if isinstance(cell, str) else cell for cell in row] for row in rows]


def batch_record_pdf(batch: Batch, *, language: str | None = None, compress: bool = True) -> bytes:
    """The printable batch record (reportlab), with the growth curve, in ``language`` (default:
    the active language)."""
    with translation.override(language or active_language()):
        return _batch_record(batch, compress=compress)


def _batch_record(batch: Batch, *, compress: bool) -> bytes:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    out = io.BytesIO()
    title = _("Batch record %(code)s") % {"code": batch.code}
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=plain(title), invariant=True,
                            pageCompression=int(compress))
    donation = batch.donation
    story: list[Any] = [
        paragraph(title, styles["Title"]),
        paragraph(_("DIN %(din)s · donor %(donor)s · study %(study)s · product %(code)s %(product)s") % {
            "din": batch.din, "donor": donation.donor.pseudonym, "study": donation.donor.study_id,
            "code": batch.product_code, "product": batch.product_description}, small),
        paragraph(_("Status: %(status)s · printed %(time)s") % {
            "status": batch.get_status_display(), "time": local_text(timezone.now())}, small),
        Spacer(1, 4 * mm),
    ]
    steps = sorted(batch.steps.select_related("signature"), key=lambda s: s.sort_key)
    for step in steps:
        story.append(paragraph(f"{step.label} — {step.get_state_display()}", styles["Heading3"]))
        rows: list[list[Any]] = [[_("field"), _("value")]] + [[paragraph(label, small), paragraph(value, small)]
                                                               for label, value in step_values(step)]
        if step.rejected_reason:
            rows.append([_("rejected because"), paragraph(step.rejected_reason, small)])
        for line in check_lines(step):
            rows.append([_("limit %(test)s") % {"test": line.test_id},
                         paragraph(_("%(name)s: %(value)s vs %(limit)s: %(status)s") % {
                             "name": line.name, "value": line.value, "limit": line.limit,
                             "status": line.status_text}, small)])
        rows.extend(_signature_rows(step))
        table = Table(_plain_cells(rows), colWidths=[45 * mm, 130 * mm])
        table.setStyle(_GRID)
        story.append(table)
    growth = batch_growth(batch)
    if growth.passages:
        story.append(paragraph(_("Growth"), styles["Heading2"]))
        rows = [[_("passage"), _("culture h"), "PD", _("cumulative PD"), _("doubling time h"), _("day")]]
        for r in growth.passages:
            rows.append([f"P{r.number}", f"{r.culture_hours:.1f}", f"{r.population_doublings:.2f}",
                         f"{r.cumulative_population_doublings:.2f}",
                         "—" if r.doubling_time_hours is None else f"{r.doubling_time_hours:.1f}",
                         f"{r.days_in_culture:.1f}"])
        table = Table(_plain_cells(rows))
        table.setStyle(_GRID)
        story.append(table)
        story.append(Image(io.BytesIO(growth_png(batch, growth)), width=150 * mm, height=85 * mm))
    story.extend(_materials(batch, small, styles))
    story.extend(_deviations(batch, small, styles))
    story.extend(_containers(batch, small, styles))
    doc.build(story)
    return out.getvalue()


def _materials(batch: Batch, small: Any, styles: Any) -> list[Any]:
    """The lots of the register each step used (a recall starts from here), with the lot's
    expiry and status when used; lots typed as text before the register existed stay in the
    steps' values above."""
    lots = batch_lots(batch)
    story: list[Any] = [paragraph(_("Materials used"), styles["Heading2"])]
    if not lots:
        return [*story, paragraph(_("None from the register."), small)]
    rows: list[list[Any]] = [[_("step"), _("use"), _("lot"), _("expires"), _("status"), _("problem")]]
    for lot in lots:
        rows.append([str(lot["step"]), str(lot["role"]), paragraph(str(lot["lot"]), small),
                     str(lot["expires_on"] or "—"), str(lot["status"]), paragraph(str(lot["problem"] or "—"), small)])
    table = Table(_plain_cells(rows), colWidths=[18 * mm, 24 * mm, 60 * mm, 22 * mm, 22 * mm, 34 * mm])
    table.setStyle(_GRID)
    story.append(table)
    return story


def _deviations(batch: Batch, small: Any, styles: Any) -> list[Any]:
    """The deviations section: each one, its closure, and what open ones block."""
    deviations = list(batch.deviations.select_related("batch", "step", "recorded_by", "closed_by", "signature"))
    story: list[Any] = [paragraph(_("Deviations"), styles["Heading2"])]
    if not deviations:
        return [*story, paragraph(_("None recorded."), small)]
    rows: list[list[Any]] = [["#", _("step"), _("check"), _("description"), _("reason"), _("by / when"), _("status")]]
    spans = []
    for d in deviations:
        rows.append([str(d.pk), d.step.label if d.step else "—", paragraph(d.check_id, small),
                     paragraph(d.shown_description, small), paragraph(d.reason, small),
                     paragraph(f"{d.recorded_by.printed_name} {local_text(d.recorded_at)}", small),
                     str(d.get_status_display())])
        if d.status == d.CLOSED:
            spans.append(len(rows))
            rows.append(["", _("closure"), paragraph(_deviation_closure(d), small), "", "", "", ""])
    table = Table(_plain_cells(rows), colWidths=[8 * mm, 14 * mm, 24 * mm, 44 * mm, 38 * mm, 34 * mm, 18 * mm])
    table.setStyle(_GRID)
    for i in spans:
        table.setStyle(TableStyle([("SPAN", (2, i), (-1, i))]))
    story.append(table)
    open_ = [d for d in deviations if d.status == d.OPEN]
    if open_:
        story.append(paragraph(ngettext(
            "%(count)d deviation open: release is blocked until it is investigated and closed by the qualified "
            "person.",
            "%(count)d deviations open: release is blocked until each is investigated and closed by the "
            "qualified person.", len(open_)) % {"count": len(open_)}, small))
    return story


def _containers(batch: Batch, small: Any, styles: Any) -> list[Any]:
    """The containers section: identifier, type, volume, cells, status, location, expiry."""
    containers = list(Container.objects.filter(batch=batch).select_related("box", "batch__donation__donor"))
    story: list[Any] = [paragraph(_("Containers"), styles["Heading2"])]
    if not containers:
        return [*story, paragraph(_("None yet."), small)]
    rows: list[list[Any]] = [[_("identifier"), _("type"), _("volume mL"), _("cells"), _("status"), _("location"),
                              _("expires")]]
    for c in containers:
        rows.append([c.identifier, str(c.get_container_type_display()), display_value(c.volume_ml),
                     display_value(c.cells), str(c.get_effective_status_display()), c.location or "—",
                     display_value(c.expires_on)])
    table = Table(_plain_cells(rows))
    table.setStyle(_GRID)
    story.append(table)
    return story
