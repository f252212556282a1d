"""Automatic gates applied identically to the control and every stained tube.

The rules, in order (each computed on the events the previous ones kept):

1. **Saturation** - an event whose FSC-A or SSC-A is at or above ``$PnR`` - 1 (the top of the
   declared range) or equals the channel's largest value in the file is dropped: detectors
   clip at one value, so saturated events pile up there even when a vendor's clip level is
   not ``$PnR`` - 1. When nothing clipped this drops only the brightest event or two.
2. **Debris** - FSC-A below 25 % of the 75th percentile of FSC-A. Intact cells fill the upper
   part of the FSC distribution even with a large debris fraction, and cell size varies well
   within a factor of three of that percentile, so the cut drops debris and almost no cells.
3. **Singlets** (when FSC-H exists) - FSC-H / FSC-A within +/-25 % of its median. A doublet
   has about twice the area at the same height, i.e. half the ratio.
4. **Viability** (when a viability dye channel exists) - dye uptake marks dead cells, which
   are far brighter than live ones. On the usual asinh(x / 150) display scale an event is live
   when it lies within the median + 5 robust SD (1.4826 x MAD, at least 0.1), median and MAD
   being dominated by the live majority.

Scatter channels are used as stored; the viability channel after compensation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from stromalab.core.cytometry.model import Channel
from stromalab.core.cytometry.quantiles import Column, median, percentile

DEBRIS_FRACTION = 0.25
DEBRIS_REFERENCE_PERCENTILE = 75.0
SINGLET_BAND = 0.25
VIABILITY_COFACTOR = 150.0
VIABILITY_ROBUST_SDS = 5.0
VIABILITY_MIN_SD = 0.1

_FSC = re.compile(r"^(FSC|FS)(?:[-_ ]?(?P<kind>A|H|W|AREA|HEIGHT|WIDTH))?(?:[-_ ]?LIN)?$", re.I)
_SSC = re.compile(r"^(SSC|SS)(?:[-_ ]?(?P<kind>A|H|W|AREA|HEIGHT|WIDTH))?(?:[-_ ]?LIN)?$", re.I)
_VIABILITY = re.compile(
    r"7[-_ ]?AAD|DAPI|(?<![A-Z0-9])PI(?![A-Z0-9])|PROPIDIUM|LIVE[-_ /]?DEAD|ZOMBIE|VIAB"
    r"|SYTOX|DRAQ[-_ ]?7|TO[-_ ]?PRO|FVS\d",
    re.I,
)


@dataclass(frozen=True)
class GateStep:
    """One gate: its name, what it used, and how many events remained after it."""

    name: str
    detail: str
    remaining: int


@dataclass(frozen=True)
class Gating:
    """The events kept by every gate (boolean mask) and the steps that produced it."""

    kept: npt.NDArray[np.bool_]
    steps: tuple[GateStep, ...]

    @property
    def count(self) -> int:
        return int(np.count_nonzero(self.kept))


@dataclass(frozen=True)
class GateChannels:
    """0-based indices of the channels the gates use (None when the file lacks one)."""

    fsc_area: int | None
    fsc_height: int | None
    ssc_area: int | None
    viability: int | None


def gate_channels(channels: tuple[Channel, ...]) -> GateChannels:
    """FSC-A/SSC-A (or FSC/SSC without suffix, or the height channel when that is all there
    is), FSC-H, and the viability channel named by ``$PnS`` (or ``$PnN`` when no ``$PnS``)."""
    names = [channel.name for channel in channels]
    fsc = _scatter(names, _FSC)
    ssc = _scatter(names, _SSC)
    viability = next(
        (i for i, c in enumerate(channels) if _VIABILITY.search(c.label or c.name)), None
    )
    area_fsc = fsc.get("A", fsc.get("", fsc.get("H")))
    height = fsc.get("H")
    return GateChannels(
        fsc_area=area_fsc,
        fsc_height=height if height != area_fsc else None,
        ssc_area=ssc.get("A", ssc.get("", ssc.get("H"))),
        viability=viability,
    )


def _scatter(names: list[str], pattern: re.Pattern[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(names):
        if match := pattern.match(name.strip()):
            kind = (match.group("kind") or "")[:1].upper()
            found.setdefault(kind, index)
    return found


def gate(
    events: npt.NDArray[np.floating[Any]] | Sequence[npt.NDArray[np.floating[Any]]],
    channels: tuple[Channel, ...],
    where: GateChannels,
) -> Gating:
    """Apply the gates of the module docstring to (compensated) ``events``: an events x
    channels array, or one array per channel (float32 or float64).

    Every cut-off is computed and compared in float64 (a float32 column is compared against a
    float64 scalar, which numpy does in float64), so the result does not depend on whether a
    channel was kept as float32.
    """
    columns = events.T if isinstance(events, np.ndarray) else events
    count = len(columns[0]) if len(columns) else 0
    kept = np.ones(count, dtype=bool)
    steps = [GateStep("all events", "", count)]
    scatter = [i for i in (where.fsc_area, where.ssc_area) if i is not None]
    for index in scatter:
        column = columns[index]
        top = channels[index].range
        if column.size:
            ceiling = float(column.max())
            kept &= column < np.float64(ceiling if top is None else min(ceiling, top - 1))
    if scatter:
        steps.append(GateStep("not saturated", "FSC/SSC below their top value", _count(kept)))
    if where.fsc_area is not None:
        fsc = columns[where.fsc_area]
        cut = DEBRIS_FRACTION * _percentile(fsc, kept, DEBRIS_REFERENCE_PERCENTILE)
        kept &= fsc >= np.float64(cut)
        steps.append(GateStep("not debris", f"FSC >= {cut:.6g}", _count(kept)))
    if where.fsc_area is not None and where.fsc_height is not None:
        area = columns[where.fsc_area]
        ratio = np.divide(
            columns[where.fsc_height],
            area,
            out=np.zeros(count),
            where=area > 0,
            dtype=np.float64,
        )
        centre = _median(ratio, kept)
        low, high = centre * (1 - SINGLET_BAND), centre * (1 + SINGLET_BAND)
        kept &= (ratio >= low) & (ratio <= high)
        steps.append(GateStep("singlets", f"FSC-H/FSC-A in {low:.4g}-{high:.4g}", _count(kept)))
    if where.viability is not None:
        dye = np.divide(columns[where.viability], VIABILITY_COFACTOR, dtype=np.float64)
        np.arcsinh(dye, out=dye)
        centre = _median(dye, kept)
        deviation = np.subtract(dye, centre)
        np.abs(deviation, out=deviation)
        spread = max(1.4826 * _median(deviation, kept), VIABILITY_MIN_SD)
        limit = centre + VIABILITY_ROBUST_SDS * spread
        kept &= dye <= limit
        steps.append(
            GateStep(
                "live",
                f"viability dye <= {VIABILITY_COFACTOR * np.sinh(limit):.6g}",
                _count(kept),
            )
        )
    return Gating(kept, tuple(steps))


def _count(mask: npt.NDArray[np.bool_]) -> int:
    return int(np.count_nonzero(mask))


def _percentile(values: Column, kept: npt.NDArray[np.bool_], q: float) -> float:
    return percentile(values, q, kept) if kept.any() else 0.0


def _median(values: Column, kept: npt.NDArray[np.bool_]) -> float:
    return median(values, kept) if kept.any() else 0.0
