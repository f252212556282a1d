"""What reading an FCS data set produces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from stromalab.core.cytometry.spillover import Spillover


@dataclass(frozen=True)
class Channel:
    """One parameter: ``$PnN`` (short name), ``$PnS`` (stain label, "" if absent), ``$PnB``
    (bits per value) and ``$PnR`` (range, None when absent or not a number)."""

    number: int
    name: str
    label: str
    bits: int
    range: float | None


@dataclass(frozen=True)
class FcsData:
    """One data set of an FCS file, with events as stored (after integer bit masking).

    ``columns`` holds one contiguous, read-only row per channel, float32 when the file stores
    float32 (no widening of a million-event file that the phenotype does not need) and float64
    otherwise; ``events`` is the same data as a float64 events x channels array, made on first
    use.

    ``$PnE`` log amplification and ``$PnG`` gain are not applied: the phenotype compares each
    stained tube with a control measured the same way, and compensation needs the stored
    linear values that modern instruments write. ``notes`` lists tolerated irregularities
    (rejected DATA offsets, an unusable spillover matrix) for display.
    """

    source: str
    version: str
    dataset: int
    keywords: Mapping[str, str]
    channels: tuple[Channel, ...]
    columns: npt.NDArray[np.floating[Any]]
    spillover: Spillover | None
    decoder: str  # "flowio" or "numpy"
    notes: tuple[str, ...]

    @property
    def event_count(self) -> int:
        return int(self.columns.shape[1])

    @cached_property
    def events(self) -> npt.NDArray[np.float64]:
        """Events x channels, float64, read-only; each channel contiguous (column-major)."""
        events: npt.NDArray[np.float64] = self.columns.T.astype(np.float64, copy=False)
        events.setflags(write=False)
        return events

    def index(self, name: str) -> int:
        """0-based column of the channel whose ``$PnN`` is ``name`` (KeyError if none)."""
        for position, channel in enumerate(self.channels):
            if channel.name == name:
                return position
        raise KeyError(name)
