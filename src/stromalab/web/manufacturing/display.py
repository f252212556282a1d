"""How recorded step values read on the batch page and in the printed batch record.

Step data are stored as JSON (ISO timestamps, lists of placements); operators and inspectors
should read them as they would on paper: ``2026-11-06 15:21 CET`` (the site's time zone, named, as
typed: an operator's 08:30 must not read 07:30 UTC), ``A0 → A1``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from stromalab.web.localtime import local_text

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def display_value(value: Any) -> str:
    """One recorded value as text; nothing recorded reads as an em dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, str) and _TIMESTAMP.match(value):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return local_text(moment)
        return f"{moment:%Y-%m-%d %H:%M}"
    if isinstance(value, dict):
        if "container" in value and "position" in value:
            return f"{value['container']} → {value['position']}"
        return ", ".join(f"{k} {display_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(display_value(v) for v in value)
    return str(value)
