"""Read an FCS 2.0/3.0/3.1/3.2 file into an :class:`FcsData`.

The file is read into memory once; HEADER, TEXT and DATA are parsed from that buffer so every
failure, wherever it happens, becomes one :class:`FcsError` naming the file.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import numpy as np

from stromalab.core.cytometry.decode import decode_columns
from stromalab.core.cytometry.errors import FcsError
from stromalab.core.cytometry.flowio_bridge import decode_with_flowio
from stromalab.core.cytometry.header import FileBuffer, Header, parse_header
from stromalab.core.cytometry.layout import DataLayout, keyword_float, resolve_layout
from stromalab.core.cytometry.model import Channel, FcsData
from stromalab.core.cytometry.spillover import parse_spillover
from stromalab.core.cytometry.text import parse_text


def read_fcs(path: str | Path, dataset: int = 0) -> FcsData:
    """Read data set number ``dataset`` (0 = first) of the file at ``path``."""
    source = str(path)
    try:
        buffer = np.fromfile(path, dtype=np.uint8)
    except OSError as error:
        raise FcsError(source, f"cannot be read ({error.strerror or error})") from None
    return parse_fcs(buffer, source, dataset)


def parse_fcs(buffer: FileBuffer, source: str, dataset: int = 0) -> FcsData:
    """Parse an in-memory FCS file; ``source`` names it in error messages."""
    if dataset < 0:
        raise FcsError(source, f"data set number {dataset} is negative")
    try:
        return _parse(buffer, source, dataset)
    except FcsError:
        raise
    except (ValueError, IndexError, KeyError, OverflowError, TypeError, MemoryError) as error:
        # Defence in depth: the parsers validate before use, but no raw error may escape.
        raise FcsError(source, f"malformed FCS file ({type(error).__name__}: {error})") from None


def count_datasets(buffer: FileBuffer, source: str) -> int:
    """How many data sets the ``$NEXTDATA`` chain holds."""
    return len(_dataset_chain(buffer, source, None))


def _parse(buffer: FileBuffer, source: str, dataset: int) -> FcsData:
    header, keywords = _dataset_chain(buffer, source, dataset)[-1]
    layout = resolve_layout(header, keywords, len(buffer), source)
    channels = _channels(keywords, layout)
    columns = decode_with_flowio(buffer, header, keywords, layout)
    decoder = "flowio"
    if columns is None:
        columns = decode_columns(buffer, layout)
        decoder = "numpy"
    columns.setflags(write=False)
    spillover, spill_problem = parse_spillover(
        keywords, tuple(c.name for c in channels), tuple(c.label for c in channels)
    )
    notes = tuple(note for note in (layout.note, spill_problem) if note)
    return FcsData(
        source=source,
        version=header.version,
        dataset=dataset,
        keywords=MappingProxyType(keywords),
        channels=channels,
        columns=columns,
        spillover=spillover,
        decoder=decoder,
        notes=notes,
    )


def _dataset_chain(
    buffer: FileBuffer, source: str, last: int | None
) -> list[tuple[Header, dict[str, str]]]:
    """Headers and keywords of data sets 0..``last`` (all when None), following ``$NEXTDATA``
    (an offset from the current data set's first byte; 0 ends the chain)."""
    chain: list[tuple[Header, dict[str, str]]] = []
    base = 0
    seen: set[int] = set()
    while True:
        header = parse_header(buffer, base, source)
        raw_text = bytes(buffer[base + header.text_start : base + header.text_stop + 1])
        keywords = parse_text(raw_text, source)
        chain.append((header, keywords))
        if last is not None and len(chain) > last:
            return chain
        step = keywords.get("$NEXTDATA", "0").strip() or "0"
        if not step.isdigit():
            raise FcsError(source, f"$NEXTDATA {step[:40]!r} is not a byte offset")
        if int(step) == 0:
            break
        base += int(step)
        if base in seen or base >= len(buffer):
            raise FcsError(source, f"$NEXTDATA points to byte {base}, outside the file or back")
        seen.add(base)
    if last is not None:
        raise FcsError(source, f"has {len(chain)} data set(s); data set {last} does not exist")
    return chain


def _channels(keywords: dict[str, str], layout: DataLayout) -> tuple[Channel, ...]:
    """Channel descriptions; a missing ``$PnN`` (tolerated in FCS 2.0) becomes ``Pn``."""
    return tuple(
        Channel(
            number=n,
            name=keywords.get(f"$P{n}N", "").strip() or f"P{n}",
            label=keywords.get(f"$P{n}S", "").strip(),
            bits=spec.bits,
            range=keyword_float(keywords, f"$P{n}R"),
        )
        for n, spec in enumerate(layout.specs, start=1)
    )
