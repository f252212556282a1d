"""The quality control page's batch list (``/quality/``): each batch with its current QC results,
open OOS records and release decision (empty when none). The page shows the newest 500; the
export holds every batch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from stromalab.web.quality.permissions import READERS
from stromalab.web.quality.queries import batch_overview

from .base import Cell, Column, Selection, Table, related

CHUNK = 1000


def _decision(batch: Any) -> Cell:
    decision = related(batch, "release_decision")
    return str(decision.get_decision_display()) if decision is not None else None


def select(params: Mapping[str, str], reader: Any) -> Selection:
    """Every batch not voided (the page has no filter)."""
    return Selection(batch_overview().iterator(chunk_size=CHUNK), {})


TABLE = Table(
    key="qc-batches",
    title=_("Quality control"),
    roles=READERS,
    columns=(
        Column(_("Batch"), lambda b: b.code),
        Column(_("Donor"), lambda b: b.donation.donor.pseudonym),
        Column(_("Batch status"), lambda b: str(b.get_status_display())),
        Column(_("QC results"), lambda b: b.n_results),
        Column(_("Open OOS"), lambda b: b.n_open_oos),
        Column(_("Decision"), _decision),
    ),
    select=select,
)
