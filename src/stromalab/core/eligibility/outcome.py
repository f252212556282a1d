"""What every criterion predicate returns, and the one method a predicate has.

Kept apart from the predicates so that each family of them (:mod:`.measured`, :mod:`.recorded`,
:mod:`.history`, the combinators in :mod:`.rules`) can name the types without importing the
others.
"""

from __future__ import annotations

from typing import Protocol, TypeAlias

from stromalab.core.eligibility.record import ScreeningRecord

Tri: TypeAlias = bool | None
Outcome: TypeAlias = tuple[Tri, str, bool]


class Rule(Protocol):
    def evaluate(self, record: ScreeningRecord) -> Outcome: ...
