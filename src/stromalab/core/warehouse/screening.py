"""Run a compiled pre-screening on a warehouse and count the attrition.

The query returns one row per person of the population; the attrition table is computed
from the failure bit masks grouped into patterns, so neither step loops over persons in Python.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from stromalab.core.protocol import Protocol
from stromalab.core.warehouse.compiler import MASK_BITS, compile_protocol, to_dialect
from stromalab.core.warehouse.concepts import ConceptSets
from stromalab.core.warehouse.engines import ScheduleRow, Warehouse
from stromalab.core.warehouse.explain import Explainer


@dataclass(frozen=True)
class Attrition:
    criterion: str
    fails: int  # persons of the population that this criterion fails
    remaining: int  # persons with no failure in this or any earlier criterion


@dataclass(frozen=True)
class Prescreening:
    criteria: tuple[str, ...]
    person_ids: Sequence[int]
    failed: Sequence[str]  # criterion ids joined by ";" in protocol order
    unknown: Sequence[str]
    attrition: tuple[Attrition, ...]
    #: with ``explain``: per person the values the criteria were decided on, and their reader
    details: Sequence[Sequence[Any]] = ()
    explainer: Explainer | None = None

    def explained(self, index: int) -> list[dict[str, Any]]:
        """Person ``index``'s criteria with status, reason and values (needs ``explain``)."""
        if self.explainer is None:
            raise ValueError("the pre-screening was run without explain=True")
        return self.explainer.criteria(self.details[index], self.failed[index], self.unknown[index])


def prescreen(
    warehouse: Warehouse,
    protocol: Protocol,
    as_of: date,
    concept_sets: ConceptSets,
    schedule: Sequence[ScheduleRow] | None = None,
    explain: bool = False,
    persons: Sequence[int] | None = None,
) -> Prescreening:
    """Pre-screen the schedule's persons (or everyone) at ``as_of``; with ``explain``, keep
    the values each criterion was decided on (docs/contracts/prescreen.md, JSON output);
    with ``persons``, only those persons of the population (one person's page)."""
    if schedule is not None:
        warehouse.load_schedule(schedule)
    compiled = compile_protocol(
        protocol, warehouse, as_of, concept_sets, schedule is not None, warehouse.dialect, explain, persons
    )
    rows = warehouse.fetch(to_dialect(compiled.sql, warehouse.dialect))
    explainer = Explainer(compiled, tuple(c.kind for c in protocol.criteria), as_of) if explain else None
    if not rows:
        return Prescreening(compiled.criteria, (), (), (), _attrition(compiled.criteria, []), (), explainer)
    columns = list(zip(*rows, strict=True))
    end = 3 + compiled.masks
    return Prescreening(
        compiled.criteria,
        columns[0],
        columns[1],
        columns[2],
        _attrition(compiled.criteria, columns[3:end]),
        [row[end:] for row in rows] if explain else (),
        explainer,
    )


def _attrition(criteria: Sequence[str], masks: Sequence[Sequence[int]]) -> tuple[Attrition, ...]:
    """Counts per criterion from the failure masks, grouped first: persons share a few
    thousand failure patterns at most, so the loop is over patterns, not persons."""
    patterns = Counter(zip(*masks, strict=True)) if masks else Counter()
    fails = [0] * len(criteria)
    first_failure = [0] * len(criteria)
    for pattern, count in patterns.items():
        first = None
        for i in range(len(criteria)):
            if pattern[i // MASK_BITS] >> (i % MASK_BITS) & 1:
                fails[i] += count
                if first is None:
                    first = i
        if first is not None:
            first_failure[first] += count
    remaining = sum(patterns.values())
    result = []
    for i, cid in enumerate(criteria):
        remaining -= first_failure[i]
        result.append(Attrition(cid, fails[i], remaining))
    return tuple(result)
