"""Times as people at the site read them: in the site's time zone (``TIME_ZONE``), the zone named.

Times are stored in UTC; a time shown without its zone, or in UTC beside local ones, made an
operator's 08:30 read "07:30". Pages use Django's ``date`` filter with the ``T`` format (zone
abbreviation); text built in Python (signature manifestations, PDFs, recorded step values) uses
:func:`local_text`.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def local_text(moment: dt.datetime, *, seconds: bool = False) -> str:
    """``2026-11-06 15:21 CET`` (``…:05 CEST`` with seconds) for an aware datetime."""
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")
