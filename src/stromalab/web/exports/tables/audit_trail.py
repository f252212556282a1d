"""The audit trail (``/audit/``) under the page's filters: every event the filters select, not
one page of them, newest first, as the reader may read it (the administrator sees no values),
with the columns of the trail's own CSV export (:mod:`stromalab.web.audit.export`). The events
are read up to the newest one when the export starts, a thousand at a time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stromalab.web.audit.export import rows_through
from stromalab.web.audit.formatting import parse_utc, zone_name
from stromalab.web.audit.permissions import READERS
from stromalab.web.audit.trail import TrailFilter, filtered

from .base import Column, Selection, Table


def select(params: Mapping[str, str], reader: Any) -> Selection:
    form = TrailFilter(params or None)
    qs = filtered(form)
    newest = qs.order_by("-id").values_list("id", flat=True).first() or 0
    return Selection(rows_through(reader, qs, newest), form.applied())


TABLE = Table(
    key="audit-trail",
    title=_("Audit trail"),
    roles=READERS,
    columns=(
        Column("#", lambda r: r.id),
        Column(lambda: gettext("When (%(zone)s)") % {"zone": zone_name()}, lambda r: parse_utc(r.when_utc),
               text=lambda r: r.when),
        Column(_("When (UTC)"), lambda r: r.when_utc),
        Column(_("Who"), lambda r: r.who),
        Column(_("Account"), lambda r: r.username),
        Column(_("Event"), lambda r: r.kind),
        Column(_("Record"), lambda r: r.record),
        Column(_("Record type"), lambda r: r.record_type),
        Column(_("Record id"), lambda r: r.record_id),
        Column(_("Subject"), lambda r: r.subject),
        Column(_("Field"), lambda r: r.field),
        Column(_("Before"), lambda r: r.old),
        Column(_("After"), lambda r: r.new),
        Column(_("Reason"), lambda r: r.reason),
    ),
    select=select,
)
