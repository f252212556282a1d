"""The TEXT segment: delimiter-separated keyword/value pairs.

The first byte is the delimiter; a doubled delimiter inside a keyword or value stands for one
literal delimiter (``488//10`` is ``488/10``). Writers differ on the edges, so the parser
tolerates padding after the last delimiter, a missing final delimiter, Latin-1 text and
keywords in any case (keys are upper-cased and stripped; values are kept as written).
"""

from __future__ import annotations

import re

from stromalab.core.cytometry.errors import FcsError


def parse_text(raw: bytes, source: str) -> dict[str, str]:
    """Return the keywords of one TEXT segment, the first occurrence of a repeated key winning."""
    if len(raw) < 2:
        raise FcsError(source, "TEXT segment is empty")
    text = _decode(raw)
    delimiter = text[0]
    if delimiter.isalnum():
        raise FcsError(source, f"TEXT segment delimiter {delimiter!r} is not a separator")
    tokens = _split(text[1:], delimiter)
    if tokens and not tokens[-1].strip(" \0\r\n\t"):
        tokens.pop()  # padding (or nothing) after the final delimiter
    if len(tokens) % 2:
        raise FcsError(source, f"TEXT segment keyword {tokens[-1][:40]!r} has no value")
    keywords: dict[str, str] = {}
    for key, value in zip(tokens[::2], tokens[1::2], strict=True):
        name = key.strip().upper()
        if not name:
            raise FcsError(source, "TEXT segment has an empty keyword")
        keywords.setdefault(name, value)
    if not keywords:
        raise FcsError(source, "TEXT segment holds no keywords")
    return keywords


def _decode(raw: bytes) -> str:
    """FCS 3.1 mandates UTF-8; older instruments wrote Latin-1, which never fails to decode."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _split(body: str, delimiter: str) -> list[str]:
    """Split on single delimiters; a run of n delimiters is n // 2 literal ones plus a separator
    when n is odd (the separator is taken to follow the literals)."""
    tokens: list[str] = []
    current: list[str] = []
    for piece in re.split(f"({re.escape(delimiter)}+)", body):
        if not piece or piece[0] != delimiter:
            current.append(piece)
            continue
        current.append(delimiter * (len(piece) // 2))
        if len(piece) % 2:
            tokens.append("".join(current))
            current = []
    if any(current):
        tokens.append("".join(current))
    return tokens
