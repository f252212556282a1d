"""``$SPILLOVER`` / ``SPILL`` matrices and compensation.

The keyword value is ``n,name_1,...,name_n,s_11,...,s_nn`` (row i: how much of dye i spills
into detector j). Compensated values are ``observed @ inv(S)`` over the named channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

#: Keyword spellings in order of preference: FCS 3.1 standard, then BD's pre-3.1 names.
SPILLOVER_KEYWORDS = ("$SPILLOVER", "SPILL", "$SPILL", "SPILLOVER")
#: Events per compensation block: small enough (8 x 8 x 4,096 multiply-adds) for OpenBLAS to
#: stay on the calling thread, whose helper threads only spin on a loaded machine (3x slower
#: measured), and 8 channels x 4,096 float64 (256 kB) stay in L2.
_BLOCK = 4096


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

    The product is the one :func:`compensate` computes, ``inv(S).T @ rows`` on float64 rows
    (one per channel of ``S``), done block by block: each block of events is widened to
    float64 in a small buffer that stays in cache and multiplied straight into the result,
    instead of widening all events into a second array as large as the result. A matrix
    product gives each element the same bits whatever the number of columns, except for a
    single column (numpy then uses a matrix-vector product), so no block is one event
    unless the file is; ``test_phenotype`` checks the bits against :func:`compensate`.
    """
    result = list(columns)
    if spillover is None:
        return result
    rows = list(spillover.indices)
    events = len(columns[0])
    transform = np.linalg.inv(spillover.matrix).T
    product = np.empty((len(rows), events), dtype=np.float64)
    widened = np.empty((len(rows), min(events, _BLOCK + 1)), dtype=np.float64)
    for start, stop in _blocks(events):
        block = widened[:, : stop - start]
        for row, index in enumerate(rows):
            block[row] = columns[index][start:stop]
        np.matmul(transform, block, out=product[:, start:stop])
    for row, index in enumerate(rows):
        result[index] = product[row]
    return result


def _blocks(events: int) -> list[tuple[int, int]]:
    """(start, stop) of consecutive blocks of ``_BLOCK`` events; a last block of a single
    event is merged into the one before."""
    bounds = [*range(0, events, _BLOCK), events]
    if len(bounds) > 2 and bounds[-1] - bounds[-2] == 1:
        del bounds[-2]
    return list(pairwise(bounds))


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
