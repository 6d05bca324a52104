"""完成时限 as plans write them: dates in every notation, month ends, ongoing work, work due
at once (立行立改) and recurring work (每季度: a recurrence with a due date per cycle)."""
from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Optional

from openpyxl.utils.datetime import from_excel

from taskboard.core.recurrence import HALF_YEARLY, MONTHLY, QUARTERLY, SEMESTER, YEARLY

# No single deadline: the work goes on (长期) or repeats (每季度).
ONGOING_WORDS = ("长期坚持", "持续推进", "长期推进", "常态化推进", "常态化", "长期", "持续开展",
                 "持续")
RECURRING_WORDS = ("每季度", "每月", "每年", "每半年", "每学期", "每周", "每旬", "按季度", "按月",
                   "按年", "按学期", "按半年", "定期")
# Words that make a real recurrence (core.recurrence), most specific first.
RECURRENCE_OF = (("每半年", HALF_YEARLY), ("按半年", HALF_YEARLY), ("每学期", SEMESTER),
                 ("按学期", SEMESTER), ("每季度", QUARTERLY), ("按季度", QUARTERLY),
                 ("每季", QUARTERLY), ("每月", MONTHLY), ("按月", MONTHLY), ("每年", YEARLY),
                 ("按年", YEARLY))
# Due at once: rectification lists write 立行立改 for "fix it now".
AT_ONCE_WORDS = ("立行立改", "立即整改", "立即", "即知即改", "马上就办", "即时")

_Y = r"(?P<y>(?:19|20)\d{2})"
_PATTERNS = [
    # 2026-06-30, 2026.6.30, 2026/6/30, 2026年6月30日
    re.compile(_Y + r"\s*[-./年]\s*(?P<m>\d{1,2})\s*[-./月]\s*(?P<d>\d{1,2})\s*日?"),
    # 2026年12月底, 2026年12月, 2026.12, 2026-12
    re.compile(_Y + r"\s*[-./年]\s*(?P<m>\d{1,2})\s*月?(?P<end>底|末)?"),
    # 2026年上半年 / 下半年 / 年底 / 年内 / 第三季度
    re.compile(_Y + r"\s*年\s*(?P<part>上半年|下半年|年底|年末|底|末|内|第?[一二三四1-4]季度)"),
    # year alone: 2026年
    re.compile(_Y + r"\s*年(?!\s*\d)"),
    # no year: 6月30日, 6月底, 6月
    re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*日|(?P<end>底|末))?"),
]
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class Deadline:
    """A parsed 完成时限: a date, or none with the plan's words kept in ``note``."""

    date: Optional[dt.date]
    note: str = ""
    error: str = ""
    warning: str = ""
    # A core.recurrence key: due at the end of every cycle (``date`` is then the last one).
    recurrence: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return text.replace("〇", "0").replace("—", "-").replace("－", "-").strip()


def _match_dates(text: str, default_year: int) -> tuple[Optional[list[dt.date]], bool]:
    """Every date mentioned, and whether any of them needed the default year.

    None when a date is written but impossible (2026年13月): that is never "no date".
    """
    found: list[tuple[int, dt.date]] = []
    used_default = False
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            g = m.groupdict()
            year = int(g["y"]) if g.get("y") else None
            try:
                if g.get("part"):
                    part = g["part"]
                    if part == "上半年":
                        day = dt.date(year, 6, 30)
                    elif "季度" in part:
                        q = _QUARTERS[part.strip("第季度")]
                        day = _month_end(year, q * 3)
                    else:
                        day = dt.date(year, 12, 31)
                elif g.get("m") is None:
                    day = dt.date(year, 12, 31)
                else:
                    if year is None:
                        year, used_default = default_year, True
                    month = int(g["m"])
                    if g.get("d"):
                        day = dt.date(year, month, int(g["d"]))
                    else:
                        day = _month_end(year, month)
            except (ValueError, KeyError):
                return None, False
            taken.append((m.start(), m.end()))
            found.append((m.start(), day))
    found.sort()
    return [d for _, d in found], used_default


def year_from_text(text: str) -> Optional[int]:
    """The year a title states (2027年落实举措清单, 2027年度任务分解表), or None."""
    m = re.search(r"((?:19|20)\d{2})\s*年(?:度)?", unicodedata.normalize("NFKC", text or ""))
    return int(m.group(1)) if m else None


def _recurrence(text: str) -> str:
    return next((key for word, key in RECURRENCE_OF if word in text), "")


def _number(value: float, default_year: int) -> Deadline:
    """A number in a cell: an Excel date serial, 2026.12 (year.month) or a bare year."""
    if 20_000 <= value <= 80_000:
        return Deadline(from_excel(value).date())
    if 1990 <= value < 2100:
        year = int(value)
        month_text = f"{value:.2f}".split(".")[1]
        if float(value).is_integer():
            return Deadline(dt.date(year, 12, 31), note=str(year))
        month = int(month_text)
        warning = ""
        if month_text.endswith("0"):
            # 2026.10 typed into a number cell is stored as 2026.1: October or January?
            month = int(month_text[0])
            warning = (f"完成时限 {value:g} 是数字，按 {year} 年 {month} 月理解；"
                       f"如指 {month}0 月，请把单元格设为文本")
        if 1 <= month <= 12:
            return Deadline(_month_end(year, month), warning=warning)
    return Deadline(None, error=f"无法识别的完成时限：{value}")


def parse_deadline(value: Any, default_year: int, *, today: Optional[dt.date] = None) -> Deadline:
    """Parse a 完成时限 cell. ``default_year`` is used when the plan writes only 6月底前;
    ``today`` (the import date) is the deadline of work due at once (立行立改)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Deadline(None, warning="未填写完成时限，按长期任务处理")
    if isinstance(value, dt.datetime):
        return Deadline(value.date())
    if isinstance(value, dt.date):
        return Deadline(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number(value, default_year)
    raw = str(value).strip()
    text = _normalise(raw)
    if re.fullmatch(r"(19|20)\d{2}\.\d{1,2}", text):
        year, month = (int(p) for p in text.split("."))
        if 1 <= month <= 12:
            return Deadline(_month_end(year, month))
    dates, used_default = _match_dates(text, default_year)
    if dates is None:
        return Deadline(None, error=f"无法识别的完成时限：{raw}（日期无效或格式不明）")
    recurrence = _recurrence(text)
    if not dates:
        if any(word in text for word in AT_ONCE_WORDS):
            day = today or dt.date.today()
            return Deadline(day, note=raw[:100],
                            warning=f"“{raw[:20]}”按导入当天（{day.isoformat()}）为完成时限")
        if recurrence:
            return Deadline(None, note=raw[:100], recurrence=recurrence)
        for word in RECURRING_WORDS + ONGOING_WORDS:
            if word in text:
                return Deadline(None, note=raw[:100])
        if re.search(r"\d", text):
            return Deadline(None, error=f"无法识别的完成时限：{raw}（日期无效或格式不明）")
        return Deadline(None, error=f"无法识别的完成时限：{raw}")
    warnings = []
    if used_default:
        warnings.append(f"完成时限未写年份，按 {default_year} 年理解")
    note = ""
    if len(dates) > 1:
        warnings.append(f"完成时限含多个日期，取最后一个（{max(dates).isoformat()}）")
        note = raw[:100]
    elif any(w in text for w in RECURRING_WORDS + ONGOING_WORDS):
        note = raw[:100]
    return Deadline(max(dates), note=note, warning="；".join(warnings), recurrence=recurrence)
