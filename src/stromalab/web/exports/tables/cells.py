"""A value as a CSV cell (the text the page shows) and as an Excel cell (typed), both safe to open
in a spreadsheet.

Formula injection (OWASP "CSV injection"): a text starting with ``= + - @``, a tab or a carriage
return is read by Excel, LibreOffice and Google Sheets as a formula, and donors' records, query
texts and audit reasons are typed by people. Such a text is prefixed with ``'`` in both formats,
as the audit trail's export does (:func:`stromalab.web.audit.export.safe_cell`). Numbers, dates
and moments are typed, never texts, so a negative number stays a number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from stromalab.web.audit.export import safe_cell

from .base import Cell

#: the longest text an Excel cell holds; a longer one makes Excel "repair" the whole file
EXCEL_TEXT_MAX = 32767


def _local(moment: dt.datetime) -> dt.datetime:
    """The moment in the site's zone, as the pages show it."""
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def csv_text(value: Cell) -> str:
    """The cell as the page writes it: a moment to the minute in the site's zone, a date as
    YYYY-MM-DD, a number as written, a text neutralised."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_cell(value)
    return str(value)


def excel_value(value: Cell) -> Any:
    """The cell for openpyxl: numbers and dates as such (Excel holds no time zone: a moment in the
    site's zone, as the page), a text neutralised, without the control characters the format
    cannot hold (shown as ``?``, like the PDFs) and cut to Excel's limit."""
    if isinstance(value, dt.datetime):
        return _local(value).replace(tzinfo=None)
    if isinstance(value, str):
        text = safe_cell(ILLEGAL_CHARACTERS_RE.sub("?", value))
        return text if len(text) <= EXCEL_TEXT_MAX else text[:EXCEL_TEXT_MAX - 1] + "…"
    return value
