"""Calendar arithmetic that the screening contract defines exactly."""

from __future__ import annotations

import calendar
from datetime import date
from functools import lru_cache


def age_in_years(birth: date, on: date) -> int:
    """Completed years at ``on``; a 29 February birthday falls on 1 March in other years."""
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(on.year):
        birthday = (3, 1)
    else:
        birthday = (birth.month, birth.day)
    return on.year - birth.year - ((on.month, on.day) < birthday)


@lru_cache(maxsize=4096)  # screening dates repeat: the window start is computed once per date
def minus_months(day: date, months: int) -> date:
    """``day`` moved back by calendar months, clamped to the month's end (31 May - 3 = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))
