"""How soon a donor's serious adverse event must be reported (ICH E2A), from the protocol
folder's ``adverse-events.yaml``: 7 days for a fatal or life-threatening event, 15 for another
serious one, counted from the onset date (day 0)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from .source import days, load_document, mapping

FORMAT = "stromalab-adverse-events/1"
FILE_NAME = "adverse-events.yaml"

#: ICH E2A seriousness criteria, as stored
DEATH = "death"
LIFE_THREATENING = "life_threatening"
HOSPITALISATION = "hospitalisation"
DISABILITY = "disability"
MEDICALLY_IMPORTANT = "medically_important"
CRITERIA = (DEATH, LIFE_THREATENING, HOSPITALISATION, DISABILITY, MEDICALLY_IMPORTANT)
#: the criteria that call for the shorter deadline
URGENT = frozenset({DEATH, LIFE_THREATENING})


@dataclass(frozen=True)
class ReportingRules:
    """Days allowed to report a serious event: fatal or life-threatening, other serious."""

    urgent_days: int
    other_days: int

    def deadline(self, onset: dt.date, criteria: Collection[str]) -> dt.date | None:
        """The last day to report an event with these seriousness ``criteria`` (None when it
        meets none: not serious, no expedited report)."""
        if not criteria:
            return None
        allowed = self.urgent_days if URGENT & set(criteria) else self.other_days
        return onset + dt.timedelta(days=allowed)


def load_reporting(path: Path) -> ReportingRules:
    """The deadlines of ``path``, checked (:class:`SourceError` otherwise)."""
    located = load_document(path, FORMAT, ("reporting_days",))
    section = mapping(located, located.value.get("reporting_days"), "reporting_days",
                      ("fatal_or_life_threatening", "other_serious"))
    urgent = days(located, section["fatal_or_life_threatening"], "reporting_days.fatal_or_life_threatening")
    other = days(located, section["other_serious"], "reporting_days.other_serious")
    if urgent > other:
        raise located.error("reporting_days.fatal_or_life_threatening",
                            "must not be longer than the deadline of other serious events")
    return ReportingRules(urgent, other)


@functools.lru_cache(maxsize=16)
def _load_once(path: str, mtime: float) -> ReportingRules:
    return load_reporting(Path(path))


#: ICH E2A's expedited reporting, for a study whose folder states no deadlines
DEFAULT = ReportingRules(7, 15)


def reporting_for(folder: Path) -> ReportingRules:
    """The deadlines of the protocol ``folder`` (ICH E2A's when it has no ``adverse-events.yaml``),
    re-read only when the file changes."""
    path = folder / FILE_NAME
    if not path.is_file():
        return DEFAULT
    return _load_once(str(path), path.stat().st_mtime)
