"""One data row of a task list read into a task: units and who leads or supports, the title
(or the measure under a merged 重点任务), category, deadline and the texts kept in the
description. Shared by the sheet reader; no database here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from taskboard.excel.deadlines import Deadline, parse_deadline
from taskboard.excel.safety import squash
from taskboard.excel.unit_cells import ALL_DISTRICTS, LEAD, SUPPORT, parse_unit_cell, unit_key

UNIT_FIELDS = ("lead", "units", "support")

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10}
_H1 = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.．]\s*(.*)$", re.S)
_H2 = re.compile(r"^[（(]([一二三四五六七八九十]{1,3})[)）]\s*[、.．]?\s*(.*)$", re.S)
_NUM_CODE = re.compile(r"^[（(]?(\d+(?:\.\d+)*)[)）]?\s*[.、．]?$")
_NOTE_START = ("注", "备注", "说明", "附件", "附：", "填表", "制表", "填报", "审核人", "联系人")


def cn_number(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS[text[1]]
    if len(text) == 3 and text[1] == "十":
        return _CN_DIGITS[text[0]] * 10 + _CN_DIGITS[text[2]]
    if len(text) == 2 and text[1] == "十":
        return _CN_DIGITS[text[0]] * 10
    return _CN_DIGITS[text[0]]


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return squash(value)


@dataclass
class RawTask:
    row: int
    own_code: str
    title: str
    category: str
    lead: str
    units: list[str]
    leader: str
    deadline: Deadline
    description: str
    target: str
    heading_path: tuple[int, ...]
    code: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)  # 配合单位: responsible, marked supporting
    category_given: bool = False  # from a category column (not a heading above)
    code_merge: Optional[int] = None  # top row of a merged code cell shared with other rows


class RowReader:
    """Reads one data row's fields by the header's columns."""

    def __init__(self, cols, header_texts, hidden, year, today, has_lead_column, filled):
        self.cols, self.header_texts, self.hidden = cols, header_texts, hidden
        self.year, self.today, self.has_lead_column, self.filled = year, today, has_lead_column, filled
        self.by_key: dict[str, list[int]] = {}
        for c, key in cols.items():
            self.by_key.setdefault(key, []).append(c)

    def raw(self, values, key: str) -> Any:
        for c in self.by_key.get(key, ()):
            if c < len(values) and values[c] is not None:
                return values[c]
        return None

    def first(self, values, key: str) -> str:
        return cell_text(self.raw(values, key))

    def all(self, values, key: str) -> list[tuple[int, Any]]:
        return [(c, values[c]) for c in self.by_key.get(key, ())
                if c < len(values) and cell_text(values[c])]

    def task(self, n, values, heading_path, heading_title, carried_category) -> RawTask:
        errors, warnings = [], []
        lead, units, support = "", [], []
        marked_lead = None
        in_lead = [(name, role) for _, value in self.all(values, "lead")
                   for name, role in parse_unit_cell(value)]
        if in_lead:
            lead = next((n for n, role in in_lead if role == LEAD), in_lead[0][0])
            others = [n for n, role in in_lead if n != lead and role != SUPPORT]
            if others:
                warnings.append(f"牵头单位填了 {len(others) + 1} 个，以“{lead}”为牵头，其余列为责任单位")
            units.extend(others)
            support.extend(n for n, role in in_lead if n != lead and role == SUPPORT)
        for key in ("units", "support"):
            for _, value in self.all(values, key):
                for name, role in parse_unit_cell(value):
                    if role == LEAD and marked_lead is None:
                        marked_lead = name
                    (support if role == SUPPORT or (key == "support" and role != LEAD)
                     else units).append(name)
        if not lead:
            lead = marked_lead or ""
        if not lead and not self.has_lead_column:
            lead = units[0] if units else ""
        if lead == ALL_DISTRICTS:
            errors.append("牵头单位不能是“各旗区”，请写明一个牵头单位")
        lead_key = unit_key(lead) if lead else None
        units = _unique([u for u in units if unit_key(u) != lead_key])
        seen = {unit_key(u) for u in units}
        support = _unique([u for u in support if unit_key(u) != lead_key and unit_key(u) not in seen])
        measure = self.first(values, "measure")
        group = self.first(values, "title")
        title = measure or group
        if not title:
            errors.append("缺少任务名称")
        elif len(title) > 500:
            errors.append(f"任务名称超过 500 字（{len(title)} 字）")
        if not lead and not units and not support:
            errors.append("未填写牵头单位和责任单位")
        elif not lead:
            warnings.append("未填写牵头单位")
        category = self.first(values, "category")
        given = bool(category)
        parts = []
        if measure and group and group != measure:
            if given:
                parts.append(f"{self._label('title')}：{group}")
            else:
                category, given = group, True
        if not category:
            category = heading_title or carried_category
        deadline = parse_deadline(self.raw(values, "deadline"), self.year, today=self.today)
        if deadline.error:
            errors.append(deadline.error)
        if deadline.warning:
            warnings.append(deadline.warning)
        for c, value in self.all(values, "problem"):
            parts.append(f"{self.header_texts.get(c, '问题').split('/')[-1]}：{cell_text(value)}")
        description = self.first(values, "description")
        if description:
            parts.append(description)
        note = self.first(values, "note")
        if note:
            parts.append(f"备注：{note}")
        code_text = self.first(values, "code")
        own = code_text.rstrip("、.． ")
        if own and not _NUM_CODE.match(own):
            m1, m2 = _H1.match(code_text), _H2.match(code_text)
            own = str(cn_number((m1 or m2).group(1))) if (m1 or m2) else own
        elif own:
            own = _NUM_CODE.match(own).group(1)
        code_col = self.by_key.get("code", [None])[0]
        return RawTask(row=n, own_code=own, title=title, category=category[:100], lead=lead,
                       units=units, leader=self.first(values, "leader")[:50], deadline=deadline,
                       description="\n".join(parts), target=self.first(values, "target"),
                       heading_path=heading_path, errors=errors, warnings=warnings,
                       support=support, category_given=given,
                       code_merge=(n, code_col) in self.filled or None)

    def _label(self, key: str) -> str:
        c = self.by_key.get(key, [None])[0]
        return self.header_texts.get(c, key).split("/")[-1]


def _unique(names: list[str]) -> list[str]:
    seen, out = set(), []
    for name in names:
        if unit_key(name) not in seen:
            seen.add(unit_key(name))
            out.append(name)
    return out



