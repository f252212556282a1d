"""Where the event data lies and how each value is encoded, from HEADER and TEXT keywords.

Real files disagree with themselves: HEADER and TEXT give different DATA offsets, and some
writers store the end offset as exclusive (one byte too far). The only trustworthy length is
``$TOT`` x the bytes of one event, so the segment chosen is the candidate whose length matches
it, exactly first and then off by one byte.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from stromalab.core.cytometry.errors import FcsError
from stromalab.core.cytometry.header import MIN_TEXT_START, Header

_FLOAT_BITS = {"F": 32, "D": 64}


@dataclass(frozen=True)
class ChannelSpec:
    """How one parameter is stored: kind ``I``/``F``/``D``, width in bits and the bit mask
    for integers whose ``$PnR`` needs fewer bits than ``$PnB`` (0 when no mask applies)."""

    kind: str
    bits: int
    mask: int


@dataclass(frozen=True)
class DataLayout:
    """The resolved DATA segment (absolute byte offsets, ``stop`` exclusive) and encoding."""

    start: int
    stop: int
    events: int
    big_endian: bool
    specs: tuple[ChannelSpec, ...]
    offsets_from: str  # "TEXT" or "HEADER"
    note: str  # why another candidate was rejected, or ""

    @property
    def event_bytes(self) -> int:
        return sum(spec.bits for spec in self.specs) // 8


def keyword_int(keywords: dict[str, str], key: str, source: str) -> int:
    """A required non-negative integer keyword (FCS pads them with spaces and zeros)."""
    value = keywords.get(key)
    if value is None:
        raise FcsError(source, f"required keyword {key} is missing")
    text = value.strip()
    if not text.isdigit():
        raise FcsError(source, f"keyword {key} is {value[:40]!r}, not a whole number")
    return int(text)


def keyword_float(keywords: dict[str, str], key: str) -> float | None:
    """An optional number (``$PnR`` may be written ``1024`` or ``25.6708``); None if unusable."""
    try:
        value = float(keywords.get(key, "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def channel_specs(keywords: dict[str, str], channels: int, source: str) -> tuple[ChannelSpec, ...]:
    """Per-channel encodings; FCS 3.2's ``$PnDATATYPE`` overrides ``$DATATYPE`` per channel."""
    default_kind = keywords.get("$DATATYPE", "").strip().upper()
    specs = []
    for n in range(1, channels + 1):
        kind = keywords.get(f"$P{n}DATATYPE", default_kind).strip().upper()
        if kind == "A":
            raise FcsError(source, "ASCII ($DATATYPE A) event data is not supported")
        if kind not in ("I", "F", "D"):
            raise FcsError(source, f"unknown data type {kind!r} for channel {n}")
        if kind in _FLOAT_BITS:
            # $PnB is informative only for floats: the type fixes the width.
            specs.append(ChannelSpec(kind, _FLOAT_BITS[kind], 0))
            continue
        bits = keyword_int(keywords, f"$P{n}B", source)
        if bits == 0 or bits % 8 or bits > 64:
            raise FcsError(
                source, f"channel {n} integer width $P{n}B={bits} is not 8-64 whole bytes"
            )
        specs.append(ChannelSpec(kind, bits, _mask(keyword_float(keywords, f"$P{n}R"), bits)))
    return tuple(specs)


def _mask(value_range: float | None, bits: int) -> int:
    """FCS 3.0: bits above the next power of two of ``$PnR`` are not data and must be ignored."""
    if value_range is None or value_range <= 1:
        return 0
    needed = max(1, math.ceil(math.log2(math.ceil(value_range))))
    return (1 << needed) - 1 if needed < bits else 0


def byte_order(keywords: dict[str, str], source: str) -> bool:
    """True for big-endian. ``1,2,3,4``/``1,2`` little, ``4,3,2,1``/``2,1`` big; mixed
    (PDP-style) orders are refused."""
    value = keywords.get("$BYTEORD", "").replace(" ", "")
    order = value.split(",")
    ascending = [str(i) for i in range(1, len(order) + 1)]
    if order == ascending:
        return False
    if order == ascending[::-1]:
        return True
    raise FcsError(source, f"unsupported byte order $BYTEORD={value[:40]!r}")


def resolve_layout(
    header: Header, keywords: dict[str, str], file_size: int, source: str
) -> DataLayout:
    """Choose the DATA segment whose length equals ``$TOT`` x bytes per event."""
    channels = keyword_int(keywords, "$PAR", source)
    if channels == 0:
        raise FcsError(source, "$PAR is 0: no channels")
    if channels > len(keywords):  # each channel needs its own keywords; also bounds the work
        raise FcsError(source, f"$PAR={channels} but TEXT has only {len(keywords)} keywords")
    specs = channel_specs(keywords, channels, source)
    big_endian = byte_order(keywords, source)
    mode = keywords.get("$MODE", "L").strip().upper()
    if mode != "L":
        raise FcsError(source, f"only list mode data is supported ($MODE={mode!r})")
    event_bytes = sum(spec.bits for spec in specs) // 8
    candidates = _candidates(header, keywords)
    events = _event_count(keywords, candidates, event_bytes, header.version, source)
    if events == 0:
        return DataLayout(0, 0, 0, big_endian, specs, "TEXT", "")
    if not candidates:
        raise FcsError(source, "no DATA segment offsets in HEADER or TEXT")
    expected = events * event_bytes
    for tolerance in (0, 1):
        for origin, start, stop in candidates:
            if abs(stop - start + 1 - expected) != tolerance or start < MIN_TEXT_START:
                continue
            begin = header.base + start
            if begin + expected > file_size:
                raise FcsError(
                    source,
                    f"DATA segment ({expected} bytes from byte {begin}) runs past the end of "
                    f"the file ({file_size} bytes): truncated",
                )
            notes = [
                f"ignored {other} DATA offsets {other_start}-{other_stop}"
                for other, other_start, other_stop in candidates
                if (other_start, other_stop) != (start, stop)
            ]
            if tolerance:
                notes.append(f"{origin} DATA end offset {stop} is off by one byte")
            note = "; ".join(notes)
            return DataLayout(begin, begin + expected, events, big_endian, specs, origin, note)
    offered = ", ".join(f"{origin} {start}-{stop}" for origin, start, stop in candidates)
    raise FcsError(
        source,
        f"no DATA segment matches $TOT={events} x {event_bytes} bytes = {expected} bytes "
        f"(offsets {offered})",
    )


def _candidates(header: Header, keywords: dict[str, str]) -> list[tuple[str, int, int]]:
    """(origin, start, stop inclusive) pairs; FCS 2.0 trusts HEADER first, 3.x TEXT first."""
    found = []
    begin, end = keywords.get("$BEGINDATA", "").strip(), keywords.get("$ENDDATA", "").strip()
    if begin.isdigit() and end.isdigit() and int(end) >= int(begin) > 0:
        found.append(("TEXT", int(begin), int(end)))
    if header.data_stop >= header.data_start > 0:
        entry = ("HEADER", header.data_start, header.data_stop)
        found.insert(0 if header.version == "2.0" else len(found), entry)
    return found


def _event_count(
    keywords: dict[str, str],
    candidates: list[tuple[str, int, int]],
    event_bytes: int,
    version: str,
    source: str,
) -> int:
    """``$TOT``; FCS 2.0 made it optional, in which case the first segment's length decides."""
    if "$TOT" in keywords or version != "2.0" or not candidates:
        return keyword_int(keywords, "$TOT", source)
    _, start, stop = candidates[0]
    return (stop - start + 1) // event_bytes
