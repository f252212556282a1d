"""The demo study's calendar: every date counted in days from the day the demo runs.

The actions refuse times in the future and consents dated after today, so the demo cannot be
a fixed calendar: its story (consents three months ago, batches made last month, a
surgery next week) is placed relative to today, in the site's time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Clock:
    """Dates ``days`` from ``today`` (negative: in the past)."""

    today: dt.date

    @classmethod
    def now(cls) -> Clock:
        return cls(timezone.localdate())

    def day(self, days: int) -> dt.date:
        return self.today + dt.timedelta(days=days)
