"""Reading the small safety files of a protocol folder: format and protocol checked, unknown
keys refused, every problem located by file, line and key (:class:`SourceError`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stromalab.core.yamlsource import Located, SourceError, load_yaml


def load_document(path: Path, fmt: str, allowed: Iterable[str]) -> Located:
    """The file at ``path``, a mapping whose ``format`` is ``fmt``, whose ``protocol`` is its
    folder's name and whose keys are among ``allowed`` (plus format, protocol and changes)."""
    located = load_yaml(path)
    doc = located.value
    if not isinstance(doc, dict):
        raise located.error("", "the file must be a mapping")
    known = {"format", "protocol", "changes", *allowed}
    for key in doc:
        if key not in known:
            raise located.error(str(key), f"unknown key (allowed: {', '.join(sorted(known))})")
    if doc.get("format") != fmt:
        raise located.error("format", f"expected {fmt!r}, got {doc.get('format')!r}")
    if doc.get("protocol") != path.parent.name:
        raise located.error("protocol", f"{doc.get('protocol')!r} does not match the folder name "
                                        f"{path.parent.name!r}")
    return located


def mapping(located: Located, value: Any, key: str, allowed: Iterable[str]) -> dict[str, Any]:
    """``value`` as a mapping holding exactly the ``allowed`` keys."""
    names = tuple(allowed)
    if not isinstance(value, dict):
        raise located.error(key, "must be a mapping")
    for name in value:
        if name not in names:
            raise located.error(f"{key}.{name}", f"unknown key (allowed: {', '.join(names)})")
    for name in names:
        if name not in value:
            raise located.error(key, f"{name} is required")
    return value


def days(located: Located, value: Any, key: str) -> int:
    """A whole number of days from 0 to 3650."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3650:
        raise located.error(key, f"must be a whole number of days from 0 to 3650, got {value!r}")
    return value


__all__ = ["SourceError", "days", "load_document", "mapping"]
