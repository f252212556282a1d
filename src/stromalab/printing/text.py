"""Every text that reaches a PDF goes through here: one place, so nothing a user typed is read
as markup.

ReportLab's ``Paragraph`` parses its text as XML-like markup: an operator's ``<img src=…>`` in a
step value would make the batch record fail for everyone (or embed a file the server can read),
and ``<font size=30>`` would restyle a signed record. :func:`markup` escapes it; :func:`plain`
is for text drawn directly on a canvas (labels, footers), which is never parsed. Both map what
the PDF base fonts cannot show (they carry WinAnsi, cp1252): typographic signs to their ASCII
spelling, control characters and lone surrogates to a visible replacement, so a stray byte never
breaks or silently alters a document. Accented letters (French) are in WinAnsi and stay as
they are.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from xml.sax.saxutils import escape

from reportlab.platypus import Paragraph

#: signs the base fonts lack, spelled as people write them without those signs
_SPELLED = str.maketrans({"≥": ">=", "≤": "<=", "−": "-", "→": "->", "←": "<-", "\u202f": " ",
                          "\u00a0": " ", "\u2009": " "})
REPLACEMENT = "?"


def _shown(char: str) -> str:
    """A character as it may be shown: spaces of every kind as a space; controls, format
    characters (soft hyphens, zero-width and bidirectional marks, which hide or reorder text),
    lone surrogates, private and unassigned code points as ``?``."""
    if char == "\n" or char.isprintable():
        return char
    return " " if unicodedata.category(char) == "Zs" or char == "\t" else REPLACEMENT


def printable(value: Any) -> str:
    """``value`` as text without control or invisible characters (see :func:`_shown`), line
    breaks normalised; for fonts that carry every other character (the labels' TrueType)."""
    text = ("" if value is None else str(value)).replace("\r\n", "\n").replace("\r", "\n")
    if text.isprintable():
        return text
    return "".join(map(_shown, text))


def plain(value: Any) -> str:
    """``value`` as text the base fonts show literally (for canvas drawing: never parsed)."""
    return printable(value).translate(_SPELLED).encode("cp1252", errors="replace").decode("cp1252")


def markup(value: Any) -> str:
    """``value`` as Paragraph markup that shows exactly the text: escaped, line breaks kept."""
    return escape(plain(value)).replace("\n", "<br/>")


def paragraph(value: Any, style: Any) -> Paragraph:
    """A Paragraph showing ``value`` literally."""
    return Paragraph(markup(value), style)
