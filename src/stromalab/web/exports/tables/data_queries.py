"""The data queries page (``/screening/queries/``): each query, its donor and criterion, its text
in the reader's language (an automatic query rendered from its template), status and opening.
The page shows the first 500; the export holds every query under the filter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from stromalab.web.accounts import roles
from stromalab.web.screening.queries import listed_queries
from stromalab.web.screening.query_text import shown_text

from .base import Column, Selection, Table

CHUNK = 1000


def select(params: Mapping[str, str], reader: Any) -> Selection:
    qs, filters = listed_queries(params)
    return Selection(qs.iterator(chunk_size=CHUNK), filters)


TABLE = Table(
    key="data-queries",
    title=_("Data queries"),
    roles=roles.CLINICAL_READERS,
    columns=(
        Column("#", lambda q: q.pk),
        Column(_("Donor"), lambda q: q.screening.donor.pseudonym),
        Column(_("Criterion"), lambda q: q.criterion_id),
        Column(_("Question"), shown_text),
        Column(_("Status"), lambda q: str(q.get_status_display())),
        Column(_("Opened"), lambda q: q.opened_at),
    ),
    select=select,
)
