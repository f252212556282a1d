"""Errors that stop a pre-screening with one line naming the table, column, file or date."""

from __future__ import annotations


class WarehouseError(ValueError):
    """Unusable input (missing table or column, unreadable file, bad date): exit status 2."""


class NotCompilable(WarehouseError):
    """Criteria whose rule kind has no SQL translation; never silently dropped."""

    def __init__(self, problems: tuple[tuple[str, str], ...]) -> None:
        self.problems = problems
        listed = "; ".join(f"{cid}: {why}" for cid, why in problems)
        super().__init__(f"criteria not compilable to SQL: {listed}")
