"""The fixed-width HEADER segment that opens every FCS data set.

Bytes 0-5 hold ``FCSx.y``, then six right-justified ASCII offsets of 8 bytes each (TEXT,
DATA and ANALYSIS begin/end), counted from the first byte of the data set. Large files write
``0`` for DATA offsets beyond 99,999,999 bytes, and some writers leave ANALYSIS blank.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stromalab.core.cytometry.errors import FcsError

#: A whole FCS file in memory: ``bytes``, or a uint8 array (``read_fcs`` reads into one because
#: numpy backs large arrays with huge pages, which makes reading a 50 MB file twice as fast).
FileBuffer = bytes | npt.NDArray[np.uint8]

HEADER_LENGTH = 58
#: The ANALYSIS offsets (bytes 42-57) are optional in old writers, so TEXT may start at 42.
MIN_TEXT_START = 42
SUPPORTED_VERSIONS = ("2.0", "3.0", "3.1", "3.2")


@dataclass(frozen=True)
class Header:
    """Offsets of one data set, relative to ``base`` (the data set's first byte in the file)."""

    base: int
    version: str
    text_start: int
    text_stop: int
    data_start: int
    data_stop: int


def parse_header(buffer: FileBuffer, base: int, source: str) -> Header:
    """Parse the HEADER at ``base``; blank ANALYSIS offsets are ignored, as nothing uses them."""
    raw = bytes(buffer[base : base + HEADER_LENGTH])
    if len(raw) < 42:
        raise FcsError(source, f"file too short for an FCS header ({len(buffer) - base} bytes)")
    if raw[:3] != b"FCS":
        raise FcsError(source, "not an FCS file (does not start with 'FCS')")
    version = raw[3:6].decode("ascii", errors="replace")
    if version not in SUPPORTED_VERSIONS:
        raise FcsError(source, f"unsupported FCS version {version!r}")
    text_start, text_stop, data_start, data_stop = (
        _offset(raw[begin : begin + 8], name, source)
        for begin, name in (
            (10, "TEXT start"),
            (18, "TEXT end"),
            (26, "DATA start"),
            (34, "DATA end"),
        )
    )
    if text_start < MIN_TEXT_START or text_stop <= text_start:
        raise FcsError(source, f"invalid TEXT segment offsets {text_start}-{text_stop} in header")
    if base + text_stop >= len(buffer):
        raise FcsError(
            source,
            f"TEXT segment ends at byte {base + text_stop}, beyond the file ({len(buffer)} bytes)",
        )
    return Header(base, version, text_start, text_stop, data_start, data_stop)


def _offset(field: bytes, name: str, source: str) -> int:
    text = field.decode("ascii", errors="replace").strip()
    if not text:
        return 0
    if not text.isdigit():
        raise FcsError(source, f"header {name} offset {text!r} is not a number")
    return int(text)
