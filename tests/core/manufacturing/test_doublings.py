"""Population doublings: known values, cumulative sums, doubling times, the growth curve."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stromalab.core.manufacturing.doublings import (
    DoublingsError,
    GrowthPoint,
    Passage,
    doubling_time_hours,
    growth,
    population_doublings,
)

T0 = datetime(2026, 3, 2, 9, 0)


def passage(number: int, start_day: float, days: float, seeded: int, harvested: int) -> Passage:
    seeded_at = T0 + timedelta(days=start_day)
    return Passage(number, seeded_at, seeded, seeded_at + timedelta(days=days), harvested)


def test_known_population_doublings() -> None:
    assert population_doublings(1_000_000, 8_000_000) == 3.0
    assert population_doublings(500_000, 500_000) == 0.0
    assert population_doublings(4, 2) == -1.0
    assert population_doublings(1_000_000, 3_000_000) == math.log2(3)


def test_doubling_time() -> None:
    assert doubling_time_hours(72.0, 3.0) == 24.0
    with pytest.raises(DoublingsError, match="positive"):
        doubling_time_hours(72.0, 0.0)
    with pytest.raises(DoublingsError, match="culture hours"):
        doubling_time_hours(0.0, 1.0)


@pytest.mark.parametrize(
    ("seeded", "harvested", "words"),
    [
        (0, 10, "cells seeded must be positive"),
        (10, 0, "cells harvested must be positive"),
        (-5, 10, "cells seeded must be positive"),
        (1.5, 10, "whole number"),
        (True, 10, "whole number"),
    ],
)
def test_bad_counts(seeded: int, harvested: int, words: str) -> None:
    with pytest.raises(DoublingsError, match=words):
        population_doublings(seeded, harvested)


def test_growth_of_a_culture() -> None:
    result = growth(
        [
            passage(0, 0, 6, 1_000_000, 8_000_000),  # 3 PD in 144 h
            passage(1, 6, 4, 2_000_000, 8_000_000),  # 2 PD in 96 h
            passage(2, 10, 5, 2_000_000, 2_000_000),  # no growth
        ]
    )
    rows = result.passages
    assert [r.population_doublings for r in rows] == [3.0, 2.0, 0.0]
    assert [r.cumulative_population_doublings for r in rows] == [3.0, 5.0, 5.0]
    assert [r.culture_hours for r in rows] == [144.0, 96.0, 120.0]
    assert [r.doubling_time_hours for r in rows] == [48.0, 48.0, None]
    assert [r.days_in_culture for r in rows] == [6.0, 10.0, 15.0]
    assert result.curve == (
        GrowthPoint(0.0, 0.0),
        GrowthPoint(6.0, 3.0),
        GrowthPoint(10.0, 5.0),
        GrowthPoint(15.0, 5.0),
    )
    assert result.cumulative_population_doublings == 5.0


def test_empty_culture() -> None:
    empty = growth([])
    assert empty.passages == () and empty.curve == ()
    assert empty.cumulative_population_doublings == 0.0


def test_days_count_from_the_first_seeding_including_gaps() -> None:
    result = growth([passage(0, 0, 2, 1, 4), passage(1, 3, 1, 1, 2)])
    assert [p.days for p in result.curve] == [0.0, 2.0, 4.0]


@pytest.mark.parametrize(
    ("passages", "words"),
    [
        ([passage(0, 0, 0, 1, 2)], "P0: harvested at .* not after seeding"),
        ([passage(0, 0, -1, 1, 2)], "P0: harvested at .* not after seeding"),
        ([passage(0, 0, 2, 1, 2), passage(2, 2, 2, 1, 2)], "P2 follows P0"),
        ([passage(0, 0, 2, 1, 2), passage(1, 1, 2, 1, 2)], "P1: seeded at .* before P0"),
        ([passage(0, 0, 2, 0, 2)], "passage P0: cells seeded must be positive"),
    ],
)
def test_bad_cultures(passages: list[Passage], words: str) -> None:
    with pytest.raises(DoublingsError, match=words):
        growth(passages)


def test_time_zones_must_not_be_mixed() -> None:
    aware = T0.replace(tzinfo=UTC)
    mixed = Passage(0, aware, 1, T0 + timedelta(days=1), 2)
    with pytest.raises(DoublingsError, match="time zone"):
        growth([mixed])
    ok = Passage(0, aware, 1, aware + timedelta(hours=30), 2)
    assert growth([ok]).passages[0].doubling_time_hours == 30.0


counts = st.integers(1, 10**9)


@given(st.lists(st.tuples(counts, counts, st.integers(1, 500)), min_size=1, max_size=12))
def test_cumulative_equals_sum_and_doubling_time(
    data: list[tuple[int, int, int]],
) -> None:
    passages = []
    start = T0
    for number, (seeded, harvested, hours) in enumerate(data):
        end = start + timedelta(hours=hours)
        passages.append(Passage(number, start, seeded, end, harvested))
        start = end
    rows = growth(passages).passages
    pds = [population_doublings(s, h) for s, h, _ in data]
    for index, row in enumerate(rows):
        assert row.population_doublings == pds[index]
        assert row.cumulative_population_doublings == math.fsum(pds[: index + 1])
        if row.population_doublings > 0:
            assert row.doubling_time_hours == row.culture_hours / row.population_doublings
        else:
            assert row.doubling_time_hours is None
    assert rows[-1].days_in_culture == pytest.approx(sum(h for *_, h in data) / 24)
