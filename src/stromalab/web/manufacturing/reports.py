"""Printouts of a batch: growth curve (PNG), container labels (PDF) and the batch record (PDF).

The batch record shows every step's values, in-process verdicts, deviations (with, once closed,
the investigation's impact, conclusion and the closer's signature), containers and,
for every signature, the signer's printed name, date and time, meaning, and whether it still
matches the signed content (21 CFR 11.50). Donors appear by pseudonym only.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Image, SimpleDocTemplate, Spacer, Table, TableStyle

from stromalab.core.manufacturing.doublings import Growth
from stromalab.core.manufacturing.isbt128 import parse_din
from stromalab.printing.labels import Label, render_labels
from stromalab.printing.text import paragraph, plain

from .config import STORAGE_CONDITIONS
from .display import display_value
from .models import Batch, Container, Deviation, Step
from .queries import batch_growth, step_verdicts


def growth_png(batch: Batch, growth: Growth | None = None) -> bytes:
    """Cumulative population doublings against days in culture (matplotlib, Agg backend)."""
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
        ax.text(0.5, 0.5, "no passage harvested yet", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("days in culture")
    ax.set_ylabel("cumulative population doublings")
    ax.set_title(f"Growth curve — batch {batch.code}")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def labels_for(batch: Batch) -> list[Label]:
    donation = batch.donation
    din = parse_din(batch.din)
    return [
        Label(din=c.din, flags="00", check_character=din.check_character, division=c.division,
              product=f"{c.product_description} ({c.product_code})", study=donation.donor.study_id,
              donor=donation.donor.pseudonym, collected=timezone.localtime(donation.collected_at).date(),
              expires=c.expires_on or timezone.localdate(), storage=STORAGE_CONDITIONS)
        for c in batch.containers.order_by("division")
    ]


def labels_pdf(batch: Batch, *, compress: bool = True) -> bytes:
    """One label per container (core ``render_labels``: Code 128 DIN, eye-readable DIN)."""
    return render_labels(labels_for(batch), compress=compress)


def _signature_rows(step: Step) -> list[list[str]]:
    """Printed name, date and time, meaning, and whether the content is still the one signed."""
    sig = step.signature
    if sig is None:
        return [["signature", "not signed"]]
    state = "matches the signed content" if step.signature_matches() else \
        "NO LONGER MATCHES the signed content"
    return [["signed by", sig.printed_name], ["signed at", f"{sig.signed_at:%Y-%m-%d %H:%M:%S} UTC"],
            ["meaning", sig.meaning], ["signature", state]]


def _deviation_closure(d: Deviation) -> str:
    """Impact, conclusion and the closer's signature (printed name, UTC time, meaning, state)."""
    sig = d.signature
    text = f"impact: {d.get_impact_display()} — conclusion: {d.conclusion}"
    if sig is None:
        return text + " — not signed"
    state = "matches the signed content" if d.signature_matches() else "NO LONGER MATCHES the signed content"
    return (text + f" — closed by {sig.printed_name} at {sig.signed_at:%Y-%m-%d %H:%M:%S} UTC, "
            f"meaning {sig.meaning}; signature {state}")


def _plain_cells(rows: list[list[Any]]) -> list[list[Any]]:
    """Table cells drawn as strings go through :func:`plain` too (paragraphs already did)."""
    return [[plain(cell) if isinstance(cell, str) else cell for cell in row] for row in rows]


def batch_record_pdf(batch: Batch, *, compress: bool = True) -> bytes:
    """The printable batch record (reportlab), with the growth curve."""
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"Batch record {batch.code}", invariant=True,
                            pageCompression=int(compress))
    donation = batch.donation
    story: list[Any] = [
        paragraph(f"Batch record {batch.code}", styles["Title"]),
        paragraph(f"DIN {batch.din} · donor {donation.donor.pseudonym} · study {donation.donor.study_id} · "
                  f"product {batch.product_code} {batch.product_description}", small),
        paragraph(f"Status: {batch.get_status_display()} · printed {timezone.now():%Y-%m-%d %H:%M} UTC", small),
        Spacer(1, 4 * mm),
    ]
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("FONTSIZE", (0, 0), (-1, -1), 7),
                       ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])
    steps = sorted(batch.steps.select_related("signature"), key=lambda s: s.sort_key)
    for step in steps:
        story.append(paragraph(f"{step.label} — {step.get_state_display()}", styles["Heading3"]))
        rows: list[list[Any]] = [["field", "value"]] + [[k, paragraph(display_value(v), small)]
                                                         for k, v in step.data.items()]
        if step.rejected_reason:
            rows.append(["rejected because", paragraph(step.rejected_reason, small)])
        for verdict in step_verdicts(step):
            rows.append([f"limit {verdict.test_id}", f"{verdict.value} vs {verdict.limit}: {verdict.status}"])
        rows.extend(_signature_rows(step))
        table = Table(_plain_cells(rows), colWidths=[45 * mm, 130 * mm])
        table.setStyle(grid)
        story.append(table)
    growth = batch_growth(batch)
    if growth.passages:
        story.append(paragraph("Growth", styles["Heading2"]))
        rows = [["passage", "culture h", "PD", "cumulative PD", "doubling time h", "day"]]
        for r in growth.passages:
            rows.append([f"P{r.number}", f"{r.culture_hours:.1f}", f"{r.population_doublings:.2f}",
                         f"{r.cumulative_population_doublings:.2f}",
                         "—" if r.doubling_time_hours is None else f"{r.doubling_time_hours:.1f}",
                         f"{r.days_in_culture:.1f}"])
        table = Table(_plain_cells(rows))
        table.setStyle(grid)
        story.append(table)
        story.append(Image(io.BytesIO(growth_png(batch, growth)), width=150 * mm, height=85 * mm))
    deviations = list(batch.deviations.select_related("batch", "step", "recorded_by", "closed_by", "signature"))
    story.append(paragraph("Deviations", styles["Heading2"]))
    if deviations:
        rows = [["#", "step", "check", "description", "reason", "by / when", "status"]]
        spans = []
        for d in deviations:
            rows.append([str(d.pk), d.step.label if d.step else "—", paragraph(d.check_id, small),
                         paragraph(d.description, small), paragraph(d.reason, small),
                         paragraph(f"{d.recorded_by.printed_name} {d.recorded_at:%Y-%m-%d %H:%M}", small),
                         d.get_status_display()])
            if d.status == d.CLOSED:
                spans.append(len(rows))
                rows.append(["", "closure", paragraph(_deviation_closure(d), small), "", "", "", ""])
        table = Table(_plain_cells(rows), colWidths=[8 * mm, 14 * mm, 24 * mm, 48 * mm, 40 * mm, 30 * mm, 16 * mm])
        table.setStyle(grid)
        for i in spans:
            table.setStyle(TableStyle([("SPAN", (2, i), (-1, i))]))
        story.append(table)
        open_ = [d for d in deviations if d.status == d.OPEN]
        if open_:
            story.append(paragraph(f"{len(open_)} deviation(s) open: release is blocked until each is "
                                   "investigated and closed by the qualified person.", small))
    else:
        story.append(paragraph("None recorded.", small))
    containers = list(Container.objects.filter(batch=batch).select_related("box", "batch__donation__donor"))
    story.append(paragraph("Containers", styles["Heading2"]))
    if containers:
        rows = [["identifier", "type", "volume mL", "cells", "status", "location", "expires"]]
        for c in containers:
            rows.append([c.identifier, c.get_container_type_display(), display_value(c.volume_ml), display_value(c.cells),
                         c.get_effective_status_display(), c.location or "—", display_value(c.expires_on)])
        table = Table(_plain_cells(rows))
        table.setStyle(grid)
        story.append(table)
    else:
        story.append(paragraph("None yet.", small))
    doc.build(story)
    return out.getvalue()
