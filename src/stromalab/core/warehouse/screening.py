"""Run a compiled pre-screening on a warehouse and count the attrition.

The query returns one row per person of the population; the attrition table is computed
from the failure bit masks with numpy, so neither step loops over persons in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from stromalab.core.protocol import Protocol
from stromalab.core.warehouse.compiler import MASK_BITS, compile_protocol, to_dialect
from stromalab.core.warehouse.concepts import ConceptSets
from stromalab.core.warehouse.engines import ScheduleRow, Warehouse


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


def prescreen(
    warehouse: Warehouse,
    protocol: Protocol,
    as_of: date,
    concept_sets: ConceptSets,
    schedule: Sequence[ScheduleRow] | None = None,
) -> Prescreening:
    """Pre-screen the schedule's persons (or everyone) at ``as_of``."""
    if schedule is not None:
        warehouse.load_schedule(schedule)
    compiled = compile_protocol(protocol, warehouse, as_of, concept_sets, schedule is not None, warehouse.dialect)
    rows = warehouse.fetch(to_dialect(compiled.sql, warehouse.dialect))
    if not rows:
        return Prescreening(compiled.criteria, (), (), (), _attrition(compiled.criteria, []))
    columns = list(zip(*rows, strict=True))
    masks = columns[3:]
    return Prescreening(
        compiled.criteria,
        columns[0],
        columns[1],
        columns[2],
        _attrition(compiled.criteria, masks),
    )


def _attrition(criteria: Sequence[str], masks: Sequence[Sequence[int]]) -> tuple[Attrition, ...]:
    import numpy as np

    arrays = [np.asarray(m, dtype=np.int64) for m in masks]
    size = len(arrays[0]) if arrays else 0
    clean = np.ones(size, dtype=bool)
    result = []
    for i, cid in enumerate(criteria):
        bit = np.int64(1) << np.int64(i % MASK_BITS)
        fails = (arrays[i // MASK_BITS] & bit) != 0 if arrays else np.zeros(0, dtype=bool)
        clean &= ~fails
        result.append(Attrition(cid, int(fails.sum()), int(clean.sum())))
    return tuple(result)
