"""Reporting periods: calendar months written "YYYY-MM"."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"月份无效：{self.month}（应为 1–12）")
        if not 1900 <= self.year <= 9999:
            raise ValueError(f"年份无效：{self.year}")

    @classmethod
    def parse(cls, text: str) -> "Period":
        m = _PERIOD_RE.match(text.strip())
        if not m:
            raise ValueError(f"期次格式应为 YYYY-MM（如 2026-11），收到：{text!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> "Period":
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def shift(self, months: int) -> "Period":
        index = self.year * 12 + (self.month - 1) + months
        return Period(index // 12, index % 12 + 1)

    def previous(self) -> "Period":
        return self.shift(-1)

    def next(self) -> "Period":
        return self.shift(1)

    def as_of(self, today: dt.date) -> dt.date:
        """The date a period is judged at: its last day once past, today while current."""
        if today < self.first_day:
            return self.first_day
        return min(today, self.last_day)


def period_range(first: Period, last: Period) -> list[Period]:
    out = []
    p = first
    while p <= last:
        out.append(p)
        p = p.next()
    return out


_QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$", re.I)
QUARTER_WORDS = ("一", "二", "三", "四")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        m = _QUARTER_RE.match(text.strip())
        if not m:
            raise ValueError(f"季度格式应为 YYYY-Qn（如 2026-Q3），收到：{text!r}")
        return cls(int(m.group(1)), int(m.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}-Q{self.quarter}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{QUARTER_WORDS[self.quarter - 1]}季度"

    @property
    def periods(self) -> list[Period]:
        first = Period(self.year, self.quarter * 3 - 2)
        return [first, first.next(), first.shift(2)]

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year,
                                                                           self.quarter - 1)
