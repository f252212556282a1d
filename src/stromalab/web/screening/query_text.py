"""Automatic data queries in the reader's language.

A query's text is study data: stored once, in English, audited as written. The queries the
system opens itself (a discrepancy the engine found between an answer and the records, see
:mod:`.actions.crf`) are all worded from one template, ``Discrepancy on <criterion>: <engine's
reason>``, so they are translated when shown, by pattern, as the engine's reasons are
(:mod:`stromalab.core.eligibility.wording`): no second stored copy, no migration, and the
queries stored before this module read in French too. A query a person wrote is shown as
written.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from stromalab.core.eligibility.wording import reason_in

from .models import DataQuery
from .record import protocol_for
from .wording import translation

#: how :mod:`.actions.crf` words an automatic query (kept in step by tests/web/screening)
AUTOMATIC = re.compile(r"Discrepancy on (?P<criterion>[A-Za-z0-9_.-]+): (?P<reason>.*)", re.DOTALL)


def shown_text(query: DataQuery) -> str:
    """The query's text in the active language: an automatic one rendered from its template,
    its reason phrase by phrase with the protocol's words; any other text as stored."""
    match = AUTOMATIC.fullmatch(query.text) if query.automatic else None
    if match is None:
        return query.text
    words = translation(protocol_for(query.screening))
    reason = reason_in(words.language, match["reason"], words.terms) if words else match["reason"]
    return _("Discrepancy on %(criterion)s: %(reason)s") % {"criterion": match["criterion"], "reason": reason}
