"""Marker names from channel labels, in the spellings vendors write.

``$PnS`` carries the stain as the operator typed it or the software built it: ``CD73 APC``,
``APC-A :: CD73``, ``HLA-DR-PE``, ``CD11b``, a cocktail ``CD34/CD45 PE``. Markers are found as
whole tokens (``CD`` + number + optional letters, or ``HLA-DR``/``HLA-ABC``...) and written in
one canonical form so that tubes and panel limits compare by string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from stromalab.core.cytometry.model import Channel

_MARKER = re.compile(
    r"(?<![A-Z0-9])(?:CD[-_ ]?(?P<number>\d{1,3})(?P<suffix>[A-Z]{0,2})"
    r"|HLA[-_ ]?(?P<hla>DR|DQ|DP|ABC|A|B|C))(?![A-Z0-9])",
    re.IGNORECASE,
)
_SIBLING = re.compile(r"^(?P<stem>.+)-[HW]$")


def find_markers(text: str) -> tuple[str, ...]:
    """Canonical markers named in ``text``, in order and without repeats."""
    found = [_canonical(match) for match in _MARKER.finditer(text)]
    return tuple(dict.fromkeys(found))


def canonical_marker(text: str) -> str:
    """The canonical spelling of a marker given by hand (``cd11B`` -> ``CD11b``)."""
    found = find_markers(text.strip())
    return found[0] if len(found) == 1 else text.strip()


def _canonical(match: re.Match[str]) -> str:
    if match.group("hla"):
        return f"HLA-{match.group('hla').upper()}"
    suffix = match.group("suffix")
    # One trailing letter is an isoform and written in lower case (CD11b, CD79a);
    # two letters name an epitope variant and stay upper case (CD45RA).
    suffix = suffix.lower() if len(suffix) == 1 else suffix.upper()
    return f"CD{int(match.group('number'))}{suffix}"


def channel_markers(
    channels: tuple[Channel, ...], explicit: Mapping[str, str]
) -> list[tuple[int, tuple[str, ...]]]:
    """(0-based channel index, markers) for each channel that measures a marker.

    ``explicit`` maps a channel (its ``$PnN`` or ``$PnS``) to a marker and wins over the label.
    Otherwise markers come from ``$PnS``, or from ``$PnN`` when ``$PnS`` names none. Height and
    width channels (``X-H``, ``X-W``) are left out when their area channel ``X-A`` carries the
    same markers: they are the same measurement of the same stain.
    """
    found: dict[int, tuple[str, ...]] = {}
    for index, channel in enumerate(channels):
        given = explicit.get(channel.name) or explicit.get(channel.label)
        if given:
            found[index] = (canonical_marker(given),)
        elif markers := find_markers(channel.label) or find_markers(channel.name):
            found[index] = markers
    by_name = {channels[index].name: markers for index, markers in found.items()}
    return [
        (index, markers)
        for index, markers in found.items()
        if not (
            (sibling := _SIBLING.match(channels[index].name))
            and by_name.get(f"{sibling.group('stem')}-A") == markers
        )
    ]
