"""What reading an FCS data set produces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
    events: npt.NDArray[np.float64]
    spillover: Spillover | None
    decoder: str  # "flowio" or "numpy"
    notes: tuple[str, ...]

    @property
    def event_count(self) -> int:
        return int(self.events.shape[0])

    def index(self, name: str) -> int:
        """0-based column of the channel whose ``$PnN`` is ``name`` (KeyError if none)."""
        for position, channel in enumerate(self.channels):
            if channel.name == name:
                return position
        raise KeyError(name)
