"""The manufacturing batch list (``/manufacturing/``): batch code (DIN), donor, status, opening."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from stromalab.web.manufacturing.permissions import READERS
from stromalab.web.manufacturing.queries import listed_batches

from .base import Column, Selection, Table

CHUNK = 1000


def select(params: Mapping[str, str], reader: Any) -> Selection:
    qs, filters = listed_batches(params)
    return Selection(qs.iterator(chunk_size=CHUNK), filters)


TABLE = Table(
    key="batches",
    title=_("Batches"),
    roles=READERS,
    columns=(
        Column(_("Batch / DIN"), lambda b: b.code),
        Column(_("Donor"), lambda b: b.donation.donor.pseudonym),
        Column(_("Status"), lambda b: str(b.get_status_display())),
        Column(_("Opened"), lambda b: b.created_at),
    ),
    select=select,
)
