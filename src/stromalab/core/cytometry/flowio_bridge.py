"""Decoding through FlowIO, the maintained reference reader, for the layouts it handles well.

FlowIO is tried first for uniform layouts (all channels float32, float64, or unmasked 8/16/32-bit
integers) whose DATA offsets are the ones FlowIO itself would pick. Our own numpy decoder
(``decode.py``) exists because FlowIO cannot read the rest of what instruments write: it
returns nothing for 24-bit integers, decodes mixed widths and bit masks one event at a time
in Python, raises on HEADER/TEXT offset discrepancies unless told which side to trust, and
refuses multi-data-set files. Its TEXT parser also drops every ``$`` and misreads some
delimiters, so its result is used only when its core keywords agree with ours.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import numpy.typing as npt

from stromalab.core.cytometry.decode import column_major
from stromalab.core.cytometry.header import Header
from stromalab.core.cytometry.layout import DataLayout

_FLOWIO_INT_BITS = (8, 16, 32)
_CHECKED_KEYWORDS = ("PAR", "TOT", "DATATYPE", "BYTEORD")


def decode_with_flowio(
    buffer: bytes, header: Header, keywords: dict[str, str], layout: DataLayout
) -> npt.NDArray[np.float64] | None:
    """Events as FlowIO decodes them, or None when FlowIO is not applicable or disagrees."""
    if not _flowio_applicable(header, layout):
        return None
    import flowio

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # FlowIO warns about the off-by-one we resolved
            flow = flowio.FlowData(
                io.BytesIO(buffer),
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
    return column_major(flat.reshape(layout.events, len(layout.specs)))


def _flowio_applicable(header: Header, layout: DataLayout) -> bool:
    first = layout.specs[0]
    uniform = all(spec == first for spec in layout.specs)
    supported = first.kind != "I" or (first.bits in _FLOWIO_INT_BITS and not first.mask)
    # FlowIO reads FCS 2.0 data at the HEADER offsets whatever we tell it.
    same_offsets = header.version != "2.0" or layout.offsets_from == "HEADER"
    return layout.events > 0 and uniform and supported and same_offsets


def _same_keywords(flowio_text: dict[str, str], keywords: dict[str, str]) -> bool:
    return all(
        flowio_text.get(name.lower(), "").strip() == keywords.get(f"${name}", "").strip()
        for name in _CHECKED_KEYWORDS
    )
