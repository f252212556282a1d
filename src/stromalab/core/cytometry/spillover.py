"""``$SPILLOVER`` / ``SPILL`` matrices and compensation.

The keyword value is ``n,name_1,...,name_n,s_11,...,s_nn`` (row i: how much of dye i spills
into detector j). Compensated values are ``observed @ inv(S)`` over the named channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

#: Keyword spellings in order of preference: FCS 3.1 standard, then BD's pre-3.1 names.
SPILLOVER_KEYWORDS = ("$SPILLOVER", "SPILL", "$SPILL", "SPILLOVER")


@dataclass(frozen=True)
class Spillover:
    """A validated spillover matrix and the channel indices (0-based) its rows refer to."""

    keyword: str
    channels: tuple[str, ...]
    indices: tuple[int, ...]
    matrix: npt.NDArray[np.float64]


def parse_spillover(
    keywords: dict[str, str], names: tuple[str, ...], labels: tuple[str, ...]
) -> tuple[Spillover | None, str]:
    """The file's spillover matrix, or None and the reason it cannot be used ("" if absent).

    A malformed matrix does not make the file unreadable (a MACSQuant fixture lists channels
    and no values), so the problem is reported for the caller to show instead of raised.
    """
    keyword = next((key for key in SPILLOVER_KEYWORDS if keywords.get(key, "").strip()), None)
    if keyword is None:
        return None, ""
    parts = [part.strip() for part in keywords[keyword].split(",")]
    if not parts[0].isdigit() or int(parts[0]) == 0:
        return None, f"{keyword} does not start with a channel count"
    size = int(parts[0])
    channels = tuple(parts[1 : 1 + size])
    values = parts[1 + size :]
    if len(channels) != size or len(values) != size * size:
        return (
            None,
            f"{keyword} names {size} channels but holds {len(values)} values, not {size * size}",
        )
    try:
        matrix = np.array([float(value) for value in values], dtype=np.float64).reshape(size, size)
    except ValueError:
        return None, f"{keyword} holds a value that is not a number"
    indices = []
    for channel in channels:
        if channel in names:
            indices.append(names.index(channel))
        elif channel in labels:
            indices.append(labels.index(channel))
        else:
            return None, f"{keyword} names channel {channel!r}, which the file does not have"
    if len(set(indices)) != size:
        return None, f"{keyword} names a channel twice"
    if not np.all(np.isfinite(matrix)) or np.linalg.cond(matrix) > 1e12:
        return None, f"{keyword} matrix is not invertible"
    return Spillover(keyword, channels, tuple(indices), matrix), ""


def compensated_columns(
    columns: Sequence[npt.NDArray[np.floating[Any]]], spillover: Spillover | None
) -> list[npt.NDArray[np.floating[Any]]]:
    """One array per channel: the channels of the matrix compensated (float64), the others
    as given (no copy).

    The product is the one :func:`compensate` computes, ``inv(S).T @ rows`` on a float64
    C-contiguous matrix with one row per channel of ``S``, so both give the same bits (BLAS may
    sum differently for other shapes or orders); only the matrix's channels are widened and
    multiplied instead of all of them.
    """
    result = list(columns)
    if spillover is None:
        return result
    observed = np.empty((len(spillover.indices), len(columns[0])), dtype=np.float64)
    for row, index in enumerate(spillover.indices):
        observed[row] = columns[index]
    product = np.linalg.inv(spillover.matrix).T @ observed
    for row, index in enumerate(spillover.indices):
        result[index] = product[row]
    return result


def compensate(
    events: npt.NDArray[np.float64], spillover: Spillover | None
) -> npt.NDArray[np.float64]:
    """A compensated column-major copy of ``events`` (the input itself when there is no
    matrix). The product is computed as ``inv(S).T @ channels`` on contiguous channel rows:
    numpy's matmul on a strided selection of columns is up to 20x slower."""
    if spillover is None:
        return events
    rows = list(spillover.indices)
    by_channel = np.array(events.T, order="C")  # channels x events, one contiguous row each
    by_channel[rows] = np.linalg.inv(spillover.matrix).T @ by_channel[rows]
    result: npt.NDArray[np.float64] = by_channel.T
    return result
