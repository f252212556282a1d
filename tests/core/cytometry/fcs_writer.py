"""A small FCS writer for tests: every layout the reader must decode, built on purpose.

It writes what real instruments write, including what they get wrong (HEADER/TEXT offset
discrepancies, exclusive end offsets), so the reader is tested against values we chose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

OffsetMode = str  # see DataSet.offsets


@dataclass(frozen=True)
class Column:
    """One channel: kind I/F/D, $PnB bits (ignored for F/D) and $PnR."""

    name: str
    label: str = ""
    kind: str = "F"
    bits: int = 32
    range: float = 262144


@dataclass(frozen=True)
class DataSet:
    """One data set. ``offsets``:

    - ``agree``: HEADER and TEXT give the right DATA offsets;
    - ``header-start``: HEADER start is wrong, TEXT right;
    - ``header-stop``: HEADER end is wrong, TEXT right;
    - ``text-start``: TEXT start is wrong, HEADER right;
    - ``exclusive``: both give an end offset one byte too far;
    - ``short``: both give an end offset one byte short;
    - ``text-only``: HEADER DATA offsets are 0 (as in files over 99,999,999 bytes).

    ``per_channel_types`` writes ``$PnDATATYPE`` (FCS 3.2) instead of one ``$DATATYPE``.
    """

    columns: tuple[Column, ...]
    values: npt.NDArray[np.float64]
    version: str = "3.1"
    big_endian: bool = False
    offsets: OffsetMode = "agree"
    keywords: dict[str, str] = field(default_factory=dict)
    per_channel_types: bool = False
    delimiter: str = "/"


def encode_values(
    columns: Sequence[Column], values: npt.NDArray[np.float64], big_endian: bool
) -> bytes:
    """The DATA segment: each column encoded, then interleaved event by event."""
    order = ">" if big_endian else "<"
    parts = []
    for index, column in enumerate(columns):
        data = values[:, index]
        if column.kind == "F":
            raw = data.astype(order + "f4").view(np.uint8).reshape(-1, 4)
        elif column.kind == "D":
            raw = data.astype(order + "f8").view(np.uint8).reshape(-1, 8)
        else:
            size = column.bits // 8
            words = data.astype(np.uint64).astype(order + "u8").view(np.uint8).reshape(-1, 8)
            raw = words[:, 8 - size :] if big_endian else words[:, :size]
        parts.append(raw)
    return np.hstack(parts).tobytes() if parts else b""


def _escape(value: str, delimiter: str) -> str:
    return value.replace(delimiter, delimiter * 2)


def build_dataset(data_set: DataSet, nextdata: int = 0) -> bytes:
    """One data set (HEADER, TEXT, DATA) whose offsets count from its own first byte."""
    data = encode_values(data_set.columns, data_set.values, data_set.big_endian)
    byteord = "4,3,2,1" if data_set.big_endian else "1,2,3,4"
    kinds = {column.kind for column in data_set.columns}
    keywords: dict[str, str] = {
        "$BYTEORD": byteord,
        "$DATATYPE": "F" if data_set.per_channel_types else kinds.pop() if len(kinds) == 1 else "I",
        "$MODE": "L",
        "$PAR": str(len(data_set.columns)),
        "$TOT": str(data_set.values.shape[0]),
        "$NEXTDATA": f"{nextdata:020d}",
    }
    for n, column in enumerate(data_set.columns, start=1):
        keywords[f"$P{n}N"] = column.name
        if column.label:
            keywords[f"$P{n}S"] = column.label
        bits = {"F": 32, "D": 64}.get(column.kind, column.bits)
        keywords[f"$P{n}B"] = str(bits)
        keywords[f"$P{n}E"] = "0,0"
        keywords[f"$P{n}R"] = (
            str(int(column.range)) if float(column.range).is_integer() else str(column.range)
        )
        if data_set.per_channel_types:
            keywords[f"$P{n}DATATYPE"] = column.kind
    if data_set.version != "2.0":
        keywords["$BEGINDATA"] = "0" * 20
        keywords["$ENDDATA"] = "0" * 20
    keywords.update(data_set.keywords)

    def text_segment(begin: int, end: int) -> bytes:
        if "$BEGINDATA" in keywords:
            keywords["$BEGINDATA"] = f"{begin:020d}"
            keywords["$ENDDATA"] = f"{end:020d}"
        d = data_set.delimiter
        body = "".join(f"{_escape(k, d)}{d}{_escape(v, d)}{d}" for k, v in keywords.items())
        return (d + body).encode("utf-8")

    text_start = 58
    text_length = len(text_segment(0, 0))
    data_start = text_start + text_length
    data_stop = data_start + len(data) - 1
    header_start, header_stop, text_begin, text_end = data_start, data_stop, data_start, data_stop
    mode = data_set.offsets
    if mode == "header-start":
        header_start = text_start + 5
    elif mode == "header-stop":
        header_stop = data_stop + 99
    elif mode == "text-start":
        text_begin = data_start - 3
    elif mode == "exclusive":
        header_stop = text_end = data_stop + 1
    elif mode == "short":
        header_stop = text_end = data_stop - 1
    elif mode == "text-only":
        header_start = header_stop = 0
    text = text_segment(text_begin, text_end)
    assert len(text) == text_length
    trailer = b"\0" if mode == "exclusive" else b""  # room for the extra byte the offset claims
    header = f"FCS{data_set.version}    " + "".join(
        f"{value:>8}"
        for value in (text_start, text_start + text_length - 1, header_start, header_stop, 0, 0)
    )
    return header.encode("ascii") + text + data + trailer


def build_fcs(*data_sets: DataSet) -> bytes:
    """A file of one or more data sets chained by ``$NEXTDATA``."""
    chunks = [build_dataset(data_set) for data_set in data_sets]
    result = b""
    for index, data_set in enumerate(data_sets):
        nextdata = len(chunks[index]) if index + 1 < len(data_sets) else 0
        result += build_dataset(data_set, nextdata)
    return result
