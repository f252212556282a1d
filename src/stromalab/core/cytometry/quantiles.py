"""``np.percentile`` (linear) and ``np.median`` of a masked column, exactly, without a full
partition.

A threshold needs two order statistics of about a million values; ``np.percentile`` copies the
selection and partitions all of it (plus the first and last element, for its NaN check). Here a
strided sample (about 33,000 values) brackets the wanted ranks, one pass counts the values below
the bracket and keeps the few inside it, and only those are partitioned. The bracket is wide
enough (5 binomial standard deviations) that it nearly always holds; when it does not (a
periodic pattern aliasing the sample), the full partition is used instead, so the
result never depends on the sample. Interpolation repeats numpy's own arithmetic step for step
(``_quantile`` / ``_lerp`` in numpy 2, ``_median`` for the mean of the two middle values), in
float64 whatever the column's type, so a float32 column gives what ``np.percentile`` gives on
its float64 copy. A NaN among the selected values makes the result NaN, as in numpy.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

Column = npt.NDArray[np.floating[Any]]
Mask = npt.NDArray[np.bool_]

_SAMPLE = 32_768
_MARGIN_SDS = 5.0


def percentile(values: Column, q: float, where: Mask | None = None) -> float:
    """``float(np.percentile(values[where], q))``; ValueError when nothing is selected or
    ``q`` is outside 0-100."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0-100")
    count = _selected(values, where)
    virtual = (count - 1) * (q / 100)
    if virtual >= count - 1:  # numpy takes the last value, and its gamma is measured from -1
        previous = following = count - 1
        gamma = virtual + 1
    else:
        previous = math.floor(virtual)
        following = previous + 1
        gamma = virtual - previous
    low, high = order_statistics(values, (previous, following), where)
    return _lerp(low, high, gamma)


def median(values: Column, where: Mask | None = None) -> float:
    """``float(np.median(values[where]))``; ValueError when nothing is selected."""
    count = _selected(values, where)
    half = count // 2
    if count % 2:
        (middle,) = order_statistics(values, (half,), where)
        return middle
    low, high = order_statistics(values, (half - 1, half), where)
    return (low + high) / 2.0


def order_statistics(
    values: Column, ranks: tuple[int, ...], where: Mask | None = None
) -> tuple[float, ...]:
    """The values of 0-based ``ranks`` in ascending order of ``values[where]`` (all NaN when a
    selected value is NaN)."""
    count = _selected(values, where)
    if not all(0 <= rank < count for rank in ranks):
        raise ValueError(f"ranks {ranks} outside 0..{count - 1}")
    if _has_nan(values, where):
        return tuple(math.nan for _ in ranks)
    bracket = _bracket(values, ranks, count, where)
    if bracket is not None:
        below, inside = bracket
        chosen = np.partition(inside, [rank - below for rank in ranks])
        return tuple(float(chosen[rank - below]) for rank in ranks)
    selected = values if where is None else values[where]
    chosen = np.partition(selected, list(ranks))
    return tuple(float(chosen[rank]) for rank in ranks)


def _bracket(
    values: Column, ranks: tuple[int, ...], count: int, where: Mask | None
) -> tuple[int, Column] | None:
    """(number of selected values below the bracket, the selected values inside it), or None
    when the sample's bracket misses one of ``ranks``."""
    step = max(1, values.size // _SAMPLE)
    sample = values[::step] if where is None else values[::step][where[::step]]
    if sample.size < 64 or count < 4 * _SAMPLE:
        return None  # small: a full partition is as cheap as the bookkeeping
    scale = (sample.size - 1) / (count - 1)
    first = math.floor(min(ranks) * scale - _margin(sample.size, min(ranks) / (count - 1)))
    last = math.ceil(max(ranks) * scale + _margin(sample.size, max(ranks) / (count - 1)))
    bounds = [index for index in (first, last) if 0 <= index < sample.size]
    if not bounds:
        return None  # the bracket would hold everything
    ordered = np.partition(sample, bounds)
    inside = where
    below = 0
    if first >= 0:
        inside = values >= ordered[first]
        if where is not None:
            inside &= where
        below = count - int(np.count_nonzero(inside))
    if last < sample.size:
        upper = values <= ordered[last]
        inside = upper if inside is None else np.logical_and(inside, upper, out=upper)
    assert inside is not None  # at least one bound applied
    kept = values[inside]
    if below <= min(ranks) and max(ranks) < below + kept.size:
        return below, kept
    return None


def _margin(size: int, fraction: float) -> float:
    """Sample ranks either side of the expected one: ``_MARGIN_SDS`` binomial standard
    deviations (a miss, about 1 in 3 million per side, only costs the full partition)."""
    return _MARGIN_SDS * math.sqrt(size * fraction * (1 - fraction)) + 2


def _selected(values: Column, where: Mask | None) -> int:
    count = values.size if where is None else int(np.count_nonzero(where))
    if count == 0:
        raise ValueError("no values selected")
    return count


def _has_nan(values: Column, where: Mask | None) -> bool:
    if not np.isnan(values.max()):  # max propagates NaN: one fast pass when there is none
        return False
    return where is None or bool(np.any(np.isnan(values) & where))


def _lerp(low: float, high: float, gamma: float) -> float:
    """numpy's ``_lerp``: from the low end below gamma 0.5, from the high end from 0.5 on."""
    difference = high - low
    if gamma >= 0.5:
        return high - difference * (1 - gamma)
    return low + difference * gamma
