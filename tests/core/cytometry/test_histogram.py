"""Histograms of control against stained: shared bins, counts of the gated events, threshold."""

from __future__ import annotations

import numpy as np
import pytest

from stromalab.core.cytometry import parse_fcs
from stromalab.core.cytometry.histogram import BINS, counts, display, shared_bins
from stromalab.core.cytometry.phenotype import phenotype
from tests.core.cytometry.fcs_panels import tube


def _result():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(130)
    control = parse_fcs(tube(rng, {"APC-A": ("", 0.0), "PE-A": ("", 0.0)}), "control.fcs")
    stained = parse_fcs(
        tube(rng, {"APC-A": ("CD73 APC", 0.97), "PE-A": ("CD45 PE", 0.01)}), "stained.fcs"
    )
    return phenotype(control, [stained], histograms=True)


def test_one_histogram_per_marker_channel_counting_every_gated_event() -> None:
    result = _result()
    assert [(h.markers, h.channel) for h in result.histograms] == [
        (("CD73",), "APC-A"),
        (("CD45",), "PE-A"),
    ]
    tube = result.tubes[0]
    for histogram, marker in zip(result.histograms, tube.markers, strict=True):
        assert histogram.edges.shape == (BINS + 1,)
        assert np.all(np.diff(histogram.edges) > 0)
        assert np.allclose(np.diff(display(histogram.edges)), np.diff(display(histogram.edges))[0])
        assert histogram.control.sum() == result.control.gated_events
        assert histogram.stained.sum() == tube.gated_events
        assert histogram.edges[0] <= histogram.threshold <= histogram.edges[-1]
        assert (histogram.threshold, histogram.percent_positive) == (
            marker.threshold,
            marker.percent_positive,
        )
        # The share of stained events in bins above the threshold is the percentage, to
        # within the bin that holds the threshold.
        above = np.searchsorted(histogram.edges, histogram.threshold)
        share = 100 * histogram.stained[above:].sum() / histogram.stained.sum()
        straddling = 100 * histogram.stained[above - 1] / histogram.stained.sum()
        assert share <= histogram.percent_positive + 1e-9 <= share + straddling + 1e-9


def test_histograms_are_opt_in_and_in_json_only_when_asked() -> None:
    result = _result()
    assert "histograms" not in result.as_json()
    document = result.as_json(histograms=True)
    first = document["histograms"][0]
    assert set(first) == {
        "file",
        "markers",
        "channel",
        "threshold",
        "scale",
        "edges",
        "control",
        "stained",
    }
    assert len(first["edges"]) == len(first["control"]) + 1 == BINS + 1


def test_values_beyond_the_range_fall_in_the_end_bins_and_nan_is_left_out() -> None:
    values = np.array([-1e9, 0.0, 10.0, 1e9, np.nan])
    kept = np.ones(values.size, dtype=bool)
    edges = shared_bins(values[1:3], kept[1:3], values[1:3], kept[1:3], 5.0, bins=4)
    got = counts(values, kept, edges)
    assert got.sum() == 4 and got[0] == 2 and got[-1] == 2


@pytest.mark.parametrize("threshold", [np.nan, 1e6])
def test_range_includes_a_finite_threshold(threshold: float) -> None:
    values = np.linspace(-100, 100, 1000)
    kept = np.ones(values.size, dtype=bool)
    edges = shared_bins(values, kept, values, kept, threshold)
    assert np.isfinite(edges).all()
    if np.isfinite(threshold):
        assert edges[-1] == pytest.approx(threshold)
