"""Histograms of control against stained, per marker channel, for the web page and the
certificate of analysis.

The events are those the percentage is counted on (each file compensated with its own matrix
and gated), so the threshold drawn over the histogram is the one the share was measured
against. Bins are uniform on the usual cytometry display scale ``asinh(x / 150)``: linear
around zero, where compensated negatives spread, and logarithmic for bright events.
``edges`` are given back in intensity units (``150 * sinh`` of the uniform grid), so a plot
only needs an asinh axis with the same cofactor.

The range is the 0.1th to 99.9th percentile of both tubes together, widened to include the
threshold, taken from a strided sample of about 16,000 events (for display, a sample is as
good as all events and far cheaper). Events beyond the range are counted in the end bins, so
each histogram's counts add up to the gated events (NaN values, which no bin holds,
are left out). Bin positions are computed in float32: a
bin is thousands of times wider than float32's resolution on this scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from stromalab.core.cytometry.quantiles import Column, Mask

DISPLAY_COFACTOR = 150.0
BINS = 128
RANGE_PERCENTILES = (0.1, 99.9)
_SAMPLE = 16_384


@dataclass(frozen=True)
class MarkerHistogram:
    """Counts of gated control and stained events in ``len(edges) - 1`` shared bins."""

    file: str
    markers: tuple[str, ...]
    channel: str
    threshold: float
    percent_positive: float
    edges: npt.NDArray[np.float64]
    control: npt.NDArray[np.int64]
    stained: npt.NDArray[np.int64]

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "markers": list(self.markers),
            "channel": self.channel,
            "threshold": self.threshold,
            "scale": f"asinh(x/{DISPLAY_COFACTOR:g})",
            "edges": self.edges.tolist(),
            "control": self.control.tolist(),
            "stained": self.stained.tolist(),
        }


def display(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Intensities on the display scale, ``asinh(x / 150)``."""
    return np.arcsinh(np.asarray(values, dtype=np.float64) / DISPLAY_COFACTOR)


def shared_bins(
    control: Column,
    control_kept: Mask,
    stained: Column,
    stained_kept: Mask,
    threshold: float,
    bins: int = BINS,
) -> npt.NDArray[np.float64]:
    """``bins + 1`` edges (intensity units), uniform on the display scale (module docstring)."""
    sample = np.concatenate([_sample(control, control_kept), _sample(stained, stained_kept)])
    low, high = display(np.percentile(sample, RANGE_PERCENTILES)) if sample.size else (0.0, 0.0)
    mark = float(display(threshold)) if np.isfinite(threshold) else low
    low, high = min(low, mark), max(high, mark)
    if not high > low:
        low, high = low - 1.0, high + 1.0
    return DISPLAY_COFACTOR * np.sinh(np.linspace(low, high, bins + 1))


def counts(values: Column, kept: Mask, edges: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Gated events per bin of ``edges`` (from :func:`shared_bins`), end bins open-ended."""
    bins = edges.size - 1
    low, high = display(edges[[0, -1]])
    position = np.divide(values[kept], np.float32(DISPLAY_COFACTOR), dtype=np.float32)
    np.arcsinh(position, out=position)
    position -= np.float32(low)
    position *= np.float32(bins / (high - low))
    np.clip(position, 0, bins - 1, out=position)
    if position.size and np.isnan(position.max()):  # NaN (no bin holds it) is left out
        position = position[~np.isnan(position)]
    index = position.astype(np.intp)
    return np.bincount(index, minlength=bins).astype(np.int64)


def marker_histogram(
    file: str,
    markers: tuple[str, ...],
    channel: str,
    threshold: float,
    percent_positive: float,
    control: tuple[Column, Mask],
    stained: tuple[Column, Mask],
) -> MarkerHistogram:
    """The histogram of one marker channel: ``control`` and ``stained`` are (column, gate)."""
    edges = shared_bins(*control, *stained, threshold)
    return MarkerHistogram(
        file,
        markers,
        channel,
        threshold,
        percent_positive,
        edges,
        counts(*control, edges),
        counts(*stained, edges),
    )


def _sample(values: Column, kept: Mask) -> npt.NDArray[np.float64]:
    step = max(1, values.size // _SAMPLE)
    chosen = values[::step][kept[::step]]
    return chosen[np.isfinite(chosen)].astype(np.float64)
