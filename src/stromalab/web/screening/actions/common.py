"""Steps shared by the screening actions; they run inside the calling action's transaction."""

from __future__ import annotations

from typing import Any

from stromalab.web.audit.actions import record_event
from stromalab.web.audit.kinds import EventKind
from stromalab.web.donors.models import Donor

from .. import models as m


def screening_for(donor: Donor, acting_user: Any) -> m.Screening:
    """The donor's screening row, created (and audited) on first use."""
    screening = m.Screening.objects.select_related("donor").filter(donor=donor).first()
    if screening is None:
        screening = m.Screening.objects.create(donor=donor)
        record_event(acting_user=acting_user, action=EventKind.CREATE, record=screening)
    return screening


def open_query_row(screening: m.Screening, criterion_id: str, text: str, acting_user: Any, *,
                   automatic: bool = False, field: str = "") -> m.DataQuery:
    """A new open query with its first message, audited under the donor."""
    query = m.DataQuery.objects.create(screening=screening, criterion_id=criterion_id, field=field,
                                       text=text, automatic=automatic, opened_by=acting_user)
    m.QueryMessage.objects.create(query=query, author=acting_user, kind="open", text=text)
    record_event(acting_user=acting_user, action=EventKind.QUERY_OPEN, record=query,
                 new={"criterion": criterion_id, "field": field, "text": text, "automatic": automatic},
                 subject=screening.donor.pseudonym)
    return query
