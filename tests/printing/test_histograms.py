"""The histogram figures are valid PNGs of the requested size."""

from __future__ import annotations

import io

import numpy as np
import pytest

from stromalab.core.cytometry import parse_fcs
from stromalab.core.cytometry.histogram import MarkerHistogram
from stromalab.core.cytometry.phenotype import phenotype
from stromalab.printing.histograms import render_grid, render_png
from tests.core.cytometry.fcs_panels import tube

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def histograms() -> tuple[MarkerHistogram, ...]:
    rng = np.random.default_rng(140)
    control = parse_fcs(tube(rng, {"APC-A": ("", 0.0), "PE-A": ("", 0.0)}), "control.fcs")
    stained = parse_fcs(
        tube(rng, {"APC-A": ("CD73 APC", 0.97), "PE-A": ("HLA-DR PE", 0.01)}), "stained.fcs"
    )
    return phenotype(control, [stained], histograms=True).histograms


def _size(png: bytes) -> tuple[int, int]:
    from matplotlib.image import imread

    height, width = imread(io.BytesIO(png), format="png").shape[:2]
    return width, height


def test_one_marker_is_a_png(histograms: tuple[MarkerHistogram, ...]) -> None:
    png = render_png(histograms[0], width=4.0, height=2.5, dpi=100)
    assert png.startswith(PNG_SIGNATURE)
    assert _size(png) == (400, 250)


def test_grid_of_markers(histograms: tuple[MarkerHistogram, ...]) -> None:
    png = render_grid(list(histograms) * 2, columns=3, width=3.0, height=2.0, dpi=50)
    assert png.startswith(PNG_SIGNATURE)
    assert _size(png) == (3 * 150, 2 * 100)
    with pytest.raises(ValueError):
        render_grid([])


def test_core_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = (
        "import sys, stromalab.core.cytometry.phenotype, stromalab.printing.histograms; "
        "print('matplotlib' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
