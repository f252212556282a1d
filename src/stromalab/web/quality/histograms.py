"""Histograms of control against stained events, per marker channel, as PNG.

The values are those the phenotype is computed from: each file compensated with its own
matrix and gated by the core's rules (``stromalab.core.cytometry.gating``), so the threshold
line drawn is the one the percentage was counted against. Drawn with matplotlib's object API
(no pyplot state: safe in a threaded server) on an asinh axis, the usual cytometry display.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stromalab.core.cytometry import FcsData
from stromalab.core.cytometry.gating import gate, gate_channels
from stromalab.core.cytometry.markers import channel_markers
from stromalab.core.cytometry.phenotype import THRESHOLD_PERCENTILE
from stromalab.core.cytometry.spillover import compensate

COFACTOR = 150.0
#: matplotlib's text layout (mathtext tick labels) is not thread-safe: one figure at a time
_RENDER_LOCK = threading.Lock()


@dataclass(frozen=True)
class Histogram:
    tube: str
    markers: tuple[str, ...]
    channel: str
    threshold: float
    percent_positive: float
    control: npt.NDArray[np.float64]
    stained: npt.NDArray[np.float64]

    @property
    def title(self) -> str:
        return f"{'/'.join(self.markers)} ({self.channel})"


def _gated(data: FcsData) -> npt.NDArray[np.float64]:
    events = compensate(data.events, data.spillover)
    kept = gate(events, data.channels, gate_channels(data.channels)).kept
    return events[kept]


def panel_histograms(control: FcsData, stained: Sequence[FcsData]) -> list[Histogram]:
    """One histogram per marker channel of each stained tube, in tube and channel order."""
    control_events = _gated(control)
    out = []
    for tube in stained:
        events = _gated(tube)
        for index, markers in channel_markers(tube.channels, {}):
            channel = tube.channels[index].name
            try:
                reference = control_events[:, control.index(channel)]
            except KeyError:
                continue
            threshold = float(np.percentile(reference, THRESHOLD_PERCENTILE))
            values = events[:, index]
            share = 100.0 * np.count_nonzero(values > threshold) / max(values.size, 1)
            out.append(Histogram(tube.source, markers, channel, threshold, float(share),
                                 reference, values))
    return out


def render_png(h: Histogram, *, width: float = 4.2, height: float = 2.6, dpi: int = 100) -> bytes:
    """The histogram as a PNG: control (grey) and stained (blue) densities, threshold line."""
    with _RENDER_LOCK:
        return _render(h, width, height, dpi)


def _render(h: Histogram, width: float, height: float, dpi: int) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    both = np.concatenate([h.control, h.stained]) if h.control.size + h.stained.size else np.zeros(1)
    lo, hi = np.arcsinh(np.percentile(both, [0.1, 99.9]) / COFACTOR)
    if not hi > lo:
        lo, hi = lo - 1.0, hi + 1.0
    bins = COFACTOR * np.sinh(np.linspace(lo, hi, 121))
    ax.hist(h.control, bins=bins, density=True, histtype="stepfilled", color="#9aa3ad",
            alpha=0.7, label="control")
    ax.hist(h.stained, bins=bins, density=True, histtype="step", color="#1d5fbf", linewidth=1.4,
            label="stained")
    ax.axvline(h.threshold, color="#b42318", linestyle="--", linewidth=1,
               label=f"threshold (P{THRESHOLD_PERCENTILE:g} control)")
    ax.set_xscale("asinh", linear_width=COFACTOR)
    ax.set_yticks([])
    ax.set_title(f"{h.title}: {h.percent_positive:.2f} % positive", fontsize=9)
    ax.set_xlabel("compensated intensity (asinh scale)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=6, loc="upper left", frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
