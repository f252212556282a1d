"""Writing a table as CSV or as an Excel workbook into a binary file, a row at a time.

Both writers read the rows as they come (the selections read the database a chunk at a time)
and write them out at once: a table of any length never sits whole in memory. The callers
(:mod:`.produce`) write into a file on disk (a temporary file for a page, the destination's
neighbour for the command line), then hash it and record the export.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

from openpyxl import Workbook

from .base import Column
from .cells import csv_text, excel_value

#: what writes ``rows`` under ``columns`` into a binary file, titled; returns the rows written
Writer = Callable[[str, tuple[Column, ...], Iterable[Any], BinaryIO], int]


def write_csv(title: str, columns: tuple[Column, ...], rows: Iterable[Any], out: BinaryIO) -> int:
    """RFC 4180 CSV (comma, CRLF, quoted as needed) in UTF-8 with a byte order mark: without the
    mark Excel reads a CSV in the machine's legacy code page (Windows-1252 in France), and every
    accented name or word of the French headers comes out garbled ("Ã©" for "é")."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([csv_text(c.heading()) for c in columns])
    count = 0
    for row in rows:
        writer.writerow([csv_text(c.text(row) if c.text else c.value(row)) for c in columns])
        count += 1
    text.flush()
    text.detach()  # the caller's file stays open
    return count


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: 31 characters at most, none of ``[]:*?/\\``."""
    return _SHEET_FORBIDDEN.sub(" ", title)[:31] or "Sheet"


def write_xlsx(title: str, columns: tuple[Column, ...], rows: Iterable[Any], out: BinaryIO) -> int:
    """An Excel workbook of one sheet, built in openpyxl's write-only mode (rows go to a
    temporary file as they come, not to a tree of cell objects): headers in the first row, kept
    in view; numbers, dates and moments typed."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(title))
    sheet.freeze_panes = "A2"
    sheet.append([excel_value(c.heading()) for c in columns])
    count = 0
    for row in rows:
        sheet.append([excel_value(c.value(row)) for c in columns])
        count += 1
    book.save(out)
    return count


WRITERS: dict[str, Writer] = {"csv": write_csv, "xlsx": write_xlsx}
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
