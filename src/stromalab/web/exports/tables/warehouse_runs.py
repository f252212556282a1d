"""The warehouse pre-screening runs (``/warehouse/``): who ran which pre-screen on which warehouse,
as of which date, with which schedule and protocol, and how many candidates of how many."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from stromalab.web.warehouse.models import PrescreenRun
from stromalab.web.warehouse.permissions import READERS

from .base import Column, Selection, Table

CHUNK = 1000


def select(params: Mapping[str, str], reader: Any) -> Selection:
    """Every run, newest first (the page has no filter)."""
    return Selection(PrescreenRun.objects.select_related("created_by").iterator(chunk_size=CHUNK), {})


TABLE = Table(
    key="warehouse-runs",
    title=_("Runs"),
    roles=READERS,
    columns=(
        Column(_("Run"), lambda r: r.pk),
        Column(_("When"), lambda r: r.created_at),
        Column(_("By"), lambda r: r.created_by.username),
        Column(_("Warehouse"), lambda r: r.source),
        Column(_("As of"), lambda r: r.as_of),
        Column(_("Schedule"), lambda r: r.schedule_name or None),
        Column(_("Protocol"), lambda r: f"{r.protocol_id} {r.protocol_version}"),
        Column(_("Population"), lambda r: r.population),
        Column(_("Candidates"), lambda r: r.candidates),
    ),
    select=select,
)
