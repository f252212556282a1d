"""PNG figures of control against stained per marker, for the web page and the certificate.

Draws the :class:`~stromalab.core.cytometry.histogram.MarkerHistogram` the phenotype computed
(``phenotype(..., histograms=True)``): each tube's counts as the share of its gated events per
bin, control filled grey, stained outlined blue, the threshold as a dashed red line, on an asinh
axis with the cofactor the bins were made with (so the bins look equally wide). matplotlib is
imported only when a figure is drawn, and used through its object API and Agg canvas, so no
pyplot global state is involved; matplotlib's text layout is still not thread-safe, so a
threaded server draws one figure at a time (``stromalab.web.quality.histograms`` holds a lock).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from stromalab.core.cytometry.histogram import DISPLAY_COFACTOR, MarkerHistogram

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def render_png(
    histogram: MarkerHistogram, *, width: float = 4.2, height: float = 2.6, dpi: int = 100
) -> bytes:
    """One marker as a PNG (``width`` x ``height`` inches at ``dpi``)."""
    return render_grid([histogram], columns=1, width=width, height=height, dpi=dpi)


def render_grid(
    histograms: Sequence[MarkerHistogram],
    *,
    columns: int = 2,
    width: float = 4.2,
    height: float = 2.6,
    dpi: int = 100,
) -> bytes:
    """Several markers as one PNG, ``columns`` panels of ``width`` x ``height`` inches a row."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not histograms:
        raise ValueError("no histogram to draw")
    columns = max(1, min(columns, len(histograms)))
    rows = math.ceil(len(histograms) / columns)
    figure = Figure(figsize=(width * columns, height * rows), dpi=dpi)
    FigureCanvasAgg(figure)
    for position, histogram in enumerate(histograms, start=1):
        _draw(figure.add_subplot(rows, columns, position), histogram)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _draw(axes: Axes, histogram: MarkerHistogram) -> None:
    for counts, style in (
        (histogram.control, {"fill": True, "color": "#9aa3ad", "alpha": 0.7, "label": "control"}),
        (histogram.stained, {"color": "#1d5fbf", "linewidth": 1.4, "label": "stained"}),
    ):
        share = counts / max(int(counts.sum()), 1)
        axes.stairs(share, histogram.edges, **style)  # type: ignore[arg-type]
    if np.isfinite(histogram.threshold):
        axes.axvline(
            histogram.threshold, color="#b42318", linestyle="--", linewidth=1, label="threshold"
        )
    axes.set_xscale("asinh", linear_width=DISPLAY_COFACTOR)
    axes.set_xlim(float(histogram.edges[0]), float(histogram.edges[-1]))
    axes.set_yticks([])
    axes.set_title(
        f"{'/'.join(histogram.markers)} ({histogram.channel}): "
        f"{histogram.percent_positive:.2f} % positive",
        fontsize=9,
    )
    axes.set_xlabel(f"compensated intensity (asinh, cofactor {DISPLAY_COFACTOR:g})", fontsize=8)
    axes.tick_params(labelsize=7)
    axes.legend(fontsize=6, loc="upper left", frameon=False)
