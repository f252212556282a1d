"""Histograms of control against stained for the panel page and the certificate.

The core computes them with the phenotype (``phenotype(..., histograms=True)``, binned counts
of the very events the percentages were counted on) and the upload stores them in the panel's
``phenotype`` JSON; this module turns them back into
:class:`~stromalab.core.cytometry.histogram.MarkerHistogram` and draws them with
:mod:`stromalab.printing.histograms`. matplotlib's text layout (mathtext tick labels) is not
thread-safe, so figures are drawn one at a time: the page's images arrive as parallel requests.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np

from stromalab.core.cytometry.histogram import MarkerHistogram

_RENDER_LOCK = threading.Lock()


def finite(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by None (JSON columns refuse them)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def from_json(phenotype: dict[str, Any]) -> list[MarkerHistogram]:
    """The stored histograms of a panel, in tube and channel order."""
    percent = {(t["file"], mk["channel"]): mk["percent_positive"]
               for t in phenotype.get("tubes", []) for mk in t.get("markers", [])}
    out = []
    for h in phenotype.get("histograms", []):
        share = percent.get((h["file"], h["channel"]))
        out.append(MarkerHistogram(
            file=h["file"], markers=tuple(h["markers"]), channel=h["channel"],
            threshold=math.nan if h.get("threshold") is None else float(h["threshold"]),
            percent_positive=math.nan if share is None else float(share),
            edges=np.asarray(h["edges"], dtype=np.float64),
            control=np.asarray(h["control"], dtype=np.int64),
            stained=np.asarray(h["stained"], dtype=np.int64)))
    return out


def render_png(histogram: MarkerHistogram, **kwargs: Any) -> bytes:
    from stromalab.printing.histograms import render_png as draw

    with _RENDER_LOCK:
        return draw(histogram, **kwargs)
