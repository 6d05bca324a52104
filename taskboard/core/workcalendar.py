"""Working days: China's official calendar (调休 included), user overrides, and a fallback.

``chinese_calendar`` knows the years the State Council has published; for any later year
it raises, and we fall back to plain Monday–Friday until the package is updated.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Mapping, Optional

import chinese_calendar

_ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=8192)
def _official_workday(day: dt.date) -> Optional[bool]:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def official_calendar_knows(year: int) -> bool:
    return _official_workday(dt.date(year, 6, 1)) is not None


class WorkCalendar:
    def __init__(self, overrides: Optional[Mapping[dt.date, bool]] = None) -> None:
        self._overrides = dict(overrides or {})

    def is_workday(self, day: dt.date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        official = _official_workday(day)
        if official is None:
            return day.weekday() < 5
        return official

    def workdays_after(self, start: dt.date, end: dt.date, limit: Optional[int] = None) -> int:
        """Working days d with start < d <= end; stops counting past ``limit`` when given."""
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            if self.is_workday(day):
                count += 1
                if limit is not None and count > limit:
                    return count
            day += _ONE_DAY
        return count

    def previous_workday(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the closest working day before it."""
        while not self.is_workday(day):
            day -= _ONE_DAY
        return day

    def add_workdays(self, day: dt.date, count: int) -> dt.date:
        """The date ``count`` working days after ``day``."""
        while count > 0:
            day += _ONE_DAY
            if self.is_workday(day):
                count -= 1
        return day
