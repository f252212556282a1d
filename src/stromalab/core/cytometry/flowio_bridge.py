"""Decoding through FlowIO, the maintained reference reader, for the small files it handles well.

FlowIO is used for uniform layouts (all channels float32, float64, or unmasked 8/16/32-bit
integers) whose DATA offsets are the ones FlowIO itself would pick, up to ``FLOWIO_MAX_VALUES``
values. Our own numpy decoder (``decode.py``) reads everything else:

* what FlowIO cannot read: it returns nothing for 24-bit integers, decodes mixed widths and bit
  masks one event at a time in Python, raises on HEADER/TEXT offset discrepancies unless told
  which side to trust, and refuses multi-data-set files. Its TEXT parser also drops every ``$``
  and misreads some delimiters, so its result is used only when its core keywords agree with
  ours;
* large files, for speed: FlowIO copies the DATA segment through Python's ``array`` module
  (about 80 ms for a million 12-channel events, against 10 ms to read the file and 14 ms for our
  decoder), which alone would be four times the budget of the whole phenotype
  (``benchmarks/fcs.py``).

Small files (exports, the shared fixtures, most tubes of a few tens of thousands of events) cost
FlowIO a few milliseconds, so there the reference implementation decodes and ours stays the
fallback. The tests hold the two to the same values on every fixture and on generated files of
every layout on both sides of the size limit.
"""

from __future__ import annotations

import io
import warnings

import numpy as np

from stromalab.core.cytometry.decode import Columns, channel_rows
from stromalab.core.cytometry.header import FileBuffer, Header
from stromalab.core.cytometry.layout import DataLayout

#: Above this many values (events x channels) our decoder is used even where FlowIO applies.
FLOWIO_MAX_VALUES = 1 << 18
_FLOWIO_INT_BITS = (8, 16, 32)
_CHECKED_KEYWORDS = ("PAR", "TOT", "DATATYPE", "BYTEORD")


def decode_with_flowio(
    buffer: FileBuffer, header: Header, keywords: dict[str, str], layout: DataLayout
) -> Columns | None:
    """Channel rows as FlowIO decodes them, or None when FlowIO is not used or disagrees."""
    if not _flowio_applicable(header, layout):
        return None
    import flowio

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # FlowIO warns about the off-by-one we resolved
            flow = flowio.FlowData(
                io.BytesIO(bytes(buffer)),  # small files only: the copy is cheap
                ignore_offset_error=True,
                ignore_offset_discrepancy=True,
                use_header_offsets=layout.offsets_from == "HEADER",
                nextdata_offset=header.base,
            )
            if not _same_keywords(flow.text, keywords):
                return None
            # FlowIO's decoded values (an array.array in native byte order), taken without
            # FlowIO's as_array, whose row-major float64 copy we would have to transpose.
            flat = np.asarray(flow.events)
    except Exception:  # any FlowIO failure just means: use our own decoder
        return None
    if flat.ndim != 1 or flat.size != layout.events * len(layout.specs):
        return None
    dtype = np.float32 if flat.dtype == np.float32 else np.float64
    return channel_rows(flat.reshape(layout.events, len(layout.specs)), dtype)


def _flowio_applicable(header: Header, layout: DataLayout) -> bool:
    first = layout.specs[0]
    uniform = all(spec == first for spec in layout.specs)
    supported = first.kind != "I" or (first.bits in _FLOWIO_INT_BITS and not first.mask)
    # FlowIO reads FCS 2.0 data at the HEADER offsets whatever we tell it.
    same_offsets = header.version != "2.0" or layout.offsets_from == "HEADER"
    small = layout.events * len(layout.specs) <= FLOWIO_MAX_VALUES
    return layout.events > 0 and small and uniform and supported and same_offsets


def _same_keywords(flowio_text: dict[str, str], keywords: dict[str, str]) -> bool:
    return all(
        flowio_text.get(name.lower(), "").strip() == keywords.get(f"${name}", "").strip()
        for name in _CHECKED_KEYWORDS
    )
