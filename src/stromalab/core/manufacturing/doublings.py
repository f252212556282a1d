"""Population doublings, doubling times and the growth curve of a culture.

Operators judge a culture by its growth curve (cumulative population doublings against days in
culture) and the release file reports cumulative PD, so the arithmetic lives here once.

Float semantics, stated so results can be reproduced exactly:

* PD of a passage is ``math.log2(harvested / seeded)``; both counts are integers, Python's
  ``int / int`` is correctly rounded, so a ratio that is a power of two gives an exact PD
  (seeded 1 000 000, harvested 8 000 000 gives exactly 3.0).
* Cumulative PD is ``math.fsum`` of the passages' PD up to and including that passage: the
  correctly rounded sum, independent of the order of addition.
* Hours are ``timedelta.total_seconds() / 3600``, days ``total_seconds() / 86400``.
* Nothing is rounded here; display rounding (two decimals is customary) belongs to the caller.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


class DoublingsError(ValueError):
    """Culture data that cannot give population doublings; the message names the passage."""


@dataclass(frozen=True)
class Passage:
    """One passage as recorded in the batch record (P0 is the first seeding)."""

    number: int
    seeded_at: datetime
    cells_seeded: int
    harvested_at: datetime
    cells_harvested: int


@dataclass(frozen=True)
class PassageGrowth:
    """What one passage contributes.

    ``doubling_time_hours`` is ``None`` when the passage did not grow (PD ≤ 0): a doubling
    time is then undefined, and a negative one would be misleading.
    """

    number: int
    culture_hours: float
    population_doublings: float
    cumulative_population_doublings: float
    doubling_time_hours: float | None
    days_in_culture: float


@dataclass(frozen=True)
class GrowthPoint:
    """A point of the growth curve: days since the first seeding, cumulative PD."""

    days: float
    cumulative_population_doublings: float


@dataclass(frozen=True)
class Growth:
    """The growth of a whole culture, passage by passage, and its curve."""

    passages: tuple[PassageGrowth, ...]
    curve: tuple[GrowthPoint, ...]

    @property
    def cumulative_population_doublings(self) -> float:
        """Total PD of the culture so far (0.0 before any harvest)."""
        return self.passages[-1].cumulative_population_doublings if self.passages else 0.0


def population_doublings(cells_seeded: int, cells_harvested: int) -> float:
    """PD = log2(harvested / seeded); counts must be positive integers."""
    _check_count("cells seeded", cells_seeded)
    _check_count("cells harvested", cells_harvested)
    return math.log2(cells_harvested / cells_seeded)


def doubling_time_hours(culture_hours: float, doublings: float) -> float:
    """Hours per doubling = culture hours / PD; both must be positive."""
    if not (math.isfinite(culture_hours) and culture_hours > 0):
        raise DoublingsError(f"culture hours must be positive, got {culture_hours}")
    if not (math.isfinite(doublings) and doublings > 0):
        raise DoublingsError(
            f"population doublings must be positive for a doubling time, got {doublings}"
        )
    return culture_hours / doublings


def growth(passages: Sequence[Passage]) -> Growth:
    """PD, cumulative PD and doubling time per passage, and the growth curve.

    Passages must be numbered consecutively, and each must be seeded no earlier than the
    previous one was harvested. The curve starts at (0 days, 0 PD) at the first seeding and has
    one point per harvest.
    """
    if not passages:
        return Growth((), ())
    _check_sequence(passages)
    start = passages[0].seeded_at
    doublings: list[float] = []
    rows: list[PassageGrowth] = []
    for passage in passages:
        pd = _passage_doublings(passage)
        doublings.append(pd)
        hours = (passage.harvested_at - passage.seeded_at).total_seconds() / 3600
        rows.append(
            PassageGrowth(
                number=passage.number,
                culture_hours=hours,
                population_doublings=pd,
                cumulative_population_doublings=math.fsum(doublings),
                doubling_time_hours=doubling_time_hours(hours, pd) if pd > 0 else None,
                days_in_culture=(passage.harvested_at - start).total_seconds() / 86400,
            )
        )
    curve = (
        GrowthPoint(0.0, 0.0),
        *(GrowthPoint(row.days_in_culture, row.cumulative_population_doublings) for row in rows),
    )
    return Growth(tuple(rows), curve)


def _passage_doublings(passage: Passage) -> float:
    try:
        return population_doublings(passage.cells_seeded, passage.cells_harvested)
    except DoublingsError as exc:
        raise DoublingsError(f"passage P{passage.number}: {exc}") from None


def _check_sequence(passages: Sequence[Passage]) -> None:
    aware = passages[0].seeded_at.tzinfo is not None
    previous: Passage | None = None
    for passage in passages:
        name = f"passage P{passage.number}"
        for moment in (passage.seeded_at, passage.harvested_at):
            if (moment.tzinfo is not None) != aware:
                raise DoublingsError(
                    f"{name}: mix of dates with and without time zone; use one or the other"
                )
        if passage.harvested_at <= passage.seeded_at:
            raise DoublingsError(
                f"{name}: harvested at {passage.harvested_at.isoformat()}, "
                f"not after seeding at {passage.seeded_at.isoformat()}"
            )
        if previous is not None:
            if passage.number != previous.number + 1:
                raise DoublingsError(
                    f"{name} follows P{previous.number}; passages must be consecutive"
                )
            if passage.seeded_at < previous.harvested_at:
                raise DoublingsError(
                    f"{name}: seeded at {passage.seeded_at.isoformat()}, before P{previous.number}"
                    f" was harvested at {previous.harvested_at.isoformat()}"
                )
        previous = passage


def _check_count(name: str, count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int):
        raise DoublingsError(f"{name} must be a whole number of cells, got {count!r}")
    if count <= 0:
        raise DoublingsError(f"{name} must be positive, got {count}")
