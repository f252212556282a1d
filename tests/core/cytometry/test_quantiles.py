"""The selection-based percentile and median give numpy's results bit for bit."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from stromalab.core.cytometry.quantiles import median, order_statistics, percentile

SIZES = [1, 2, 3, 10, 1001, 65_537, 200_001]


def _data(kind: str, size: int, rng: np.random.Generator) -> npt.NDArray[np.floating]:
    if kind == "normal":
        return rng.normal(0, 60, size)
    if kind == "ties":
        return rng.integers(0, 4, size).astype(np.float64)
    if kind == "sorted":
        return np.sort(rng.lognormal(5, 2, size))
    if kind == "periodic":  # aliases the strided sample: exercises the fallback
        return np.tile(np.arange(16.0), size // 16 + 1)[:size]
    return rng.normal(0, 60, size).astype(np.float32)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", ["normal", "ties", "sorted", "periodic", "float32"])
@pytest.mark.parametrize("masked", [False, True])
def test_equals_numpy(size: int, kind: str, masked: bool) -> None:
    rng = np.random.default_rng(size)
    values = _data(kind, size, rng)
    where = rng.random(size) < 0.9 if masked else None
    if where is not None:
        where[0] = True
    chosen = (values if where is None else values[where]).astype(np.float64)
    for q in (0.0, 0.1, 1.0, 25.0, 50.0, 75.0, 99.0, 99.9, 100.0):
        assert percentile(values, q, where) == np.percentile(chosen, q), q
    assert median(values, where) == np.median(chosen)


def test_nan_among_selected_values_gives_nan_as_numpy() -> None:
    values = np.random.default_rng(1).normal(size=100_000)
    values[7] = np.nan
    assert np.isnan(percentile(values, 99.0)) and np.isnan(np.percentile(values, 99.0))
    assert np.isnan(median(values))
    where = np.ones(values.size, dtype=bool)
    where[7] = False
    assert percentile(values, 99.0, where) == np.percentile(values[where], 99.0)


def test_order_statistics_and_empty_selection() -> None:
    values = np.random.default_rng(2).normal(size=300_000)
    ranks = (0, 150_000, 299_999)
    assert order_statistics(values, ranks) == tuple(np.sort(values)[list(ranks)])
    with pytest.raises(ValueError):
        percentile(values, 50.0, np.zeros(values.size, dtype=bool))
    with pytest.raises(ValueError):
        order_statistics(values, (300_000,))
    with pytest.raises(ValueError):
        percentile(values, 100.5)
