"""Reading what a list page shows and what its export holds, to compare them cell by cell."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from typing import Any


class _Tables(HTMLParser):
    """Every ``<table>`` of a page as rows of cell texts, by id (``""`` for one without)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id") or "", [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self._table[-1].append(squeeze("".join(self._cell)))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page_table(html: str, table_id: str = "") -> list[list[str]]:
    """The rows (header first) of the page's table ``table_id`` (its table without id: ``""``)."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables[table_id]


def csv_rows(content: bytes) -> list[list[str]]:
    """The CSV's rows, header first; the file must start with the UTF-8 byte order mark."""
    assert content.startswith(b"\xef\xbb\xbf")
    return [[squeeze(cell) for cell in row] for row in csv.reader(io.StringIO(content.decode("utf-8-sig")))]


def body(response: Any) -> bytes:
    """The bytes of a (streamed) file response."""
    return b"".join(response.streaming_content) if response.streaming else bytes(response.content)
