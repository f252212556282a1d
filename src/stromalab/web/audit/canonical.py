"""Canonical JSON and hashing, shared by the audit chain and electronic signatures.

Canonical JSON here: keys sorted, no insignificant white space, UTF-8 (``ensure_ascii=False``),
dates as ISO 8601 strings, ``Decimal`` as its exact decimal string, floats as Python's
shortest repr. Two equal values always give the same bytes, so their SHA-256 is comparable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
            return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    pk = getattr(value, "pk", None)
    if pk is not None:
        return pk
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default, allow_nan=False
)


def canonical_json(value: Any) -> str:
    """Return the canonical JSON text of ``value``."""
    return _ENCODER.encode(value)


def sha256_hex(value: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def utc_now_text() -> str:
    """Server time, UTC, ISO 8601 with microseconds and ``Z``: the audit timestamp format."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
