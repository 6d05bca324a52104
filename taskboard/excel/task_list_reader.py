"""Reading a task list workbook as plans arrive: title rows, a header somewhere near the top,
columns named in many ways, section headings (一、 （一）), units listed in one cell, notes at
the bottom. No database here: the result is plain rows with the names as written.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from taskboard.excel.deadlines import Deadline, parse_deadline
from taskboard.excel.safety import ExcelInputError, iter_rows, open_workbook, squash

HEADER_SCAN_ROWS = 20
# Column aliases, normalised (no spaces), best first. When two columns name the same field the
# better name wins; exact matches win over "contains" matches.
ALIASES: dict[str, tuple[str, ...]] = {
    # 序号 is last: lists number their rows 1, 2, 3 beside the real 任务编号 (1.2.3).
    "code": ("任务编号", "编号", "任务序号", "代码", "序号", "序列号"),
    "title": ("任务名称", "重点任务", "工作任务", "任务内容", "主要任务", "具体任务", "工作内容",
              "改革事项", "任务事项", "指标名称", "任务", "事项", "工作事项"),
    "category": ("类别", "分类", "领域", "指标", "所属领域", "任务类别", "一级指标", "板块",
                 "指标类别"),
    "lead": ("牵头单位", "牵头部门", "主责单位", "主责部门", "牵头责任单位", "主办单位"),
    "units": ("责任单位", "配合单位", "协办单位", "责任部门", "参与单位", "配合部门", "落实单位",
              "协办部门", "责任主体"),
    "leader": ("分管领导", "责任领导", "牵头领导", "分管市领导", "包联领导", "领导"),
    "deadline": ("完成时限", "时限", "完成时间", "时间节点", "完成期限", "时限要求", "截止时间"),
    "description": ("具体措施", "具体举措", "主要举措", "工作措施", "主要措施", "任务描述",
                    "具体内容", "工作举措", "推进措施"),
    "target": ("工作目标", "目标", "预期目标", "完成标志", "目标任务", "预期成效"),
    "note": ("备注",),
}
# Row numbers, used as the code only when the sheet has no code-like column at all.
FALLBACK_ALIASES = {"code": ("序号", "序列号")}
FIELD_WORDS = {"code": "编号", "title": "任务名称", "category": "类别", "lead": "牵头单位",
               "units": "责任单位", "leader": "分管领导", "deadline": "完成时限",
               "description": "具体措施", "target": "工作目标", "note": "备注"}

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10}
_H1 = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.．]\s*(.*)$", re.S)
_H2 = re.compile(r"^[（(]([一二三四五六七八九十]{1,3})[)）]\s*[、.．]?\s*(.*)$", re.S)
_NUM_CODE = re.compile(r"^[（(]?(\d+(?:\.\d+)*)[)）]?\s*[.、．]?$")
_NOTE_START = ("注", "备注", "说明", "附件", "附：", "填表", "制表", "填报", "审核人", "联系人")
_UNIT_SPLIT = re.compile(r"[、，,；;/／\n\r\t 　]+")
_UNIT_ROLE = re.compile(r"[（(](牵头|牵头单位|配合|协办|主责|负责)[)）]")
_ALL_DISTRICTS = re.compile(r"^各(旗区|旗县区|旗县市区|旗县|区县|县市区|县区|区)(人民政府|政府)?$")
ALL_DISTRICTS = "各旗区"


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


def norm_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"\s+", "", text)


def match_header(value: Any) -> Optional[str]:
    found = rank_header(value)
    return found[0] if found else None


def rank_header(value: Any) -> Optional[tuple[str, tuple[int, int, int]]]:
    """The field a header names and how well (lower is better), or None."""
    text = norm_header(value)
    if not text or len(text) > 20:
        return None
    for key, names in ALIASES.items():
        if text in names:
            return key, (text in FALLBACK_ALIASES.get(key, ()), 0, names.index(text))
    best = None
    for key, names in ALIASES.items():
        for name in names:
            if len(name) >= 2 and name in text and (best is None or len(name) > best[1]):
                best = (key, len(name), names.index(name))
    if best is None:
        return None
    key, length, index = best
    return key, (False, 1, index)


def unit_key(name: str) -> str:
    """A unit name for comparing only: full-width brackets and letters as half-width, no spaces.

    The name stored and shown stays as written; this key makes （虚构） and (虚构) one unit.
    """
    return "".join(unicodedata.normalize("NFKC", name).split())


def split_units(value: Any) -> tuple[list[str], Optional[str]]:
    """Unit names in a cell, and the one marked （牵头） if any. 各旗区 stays one token."""
    if value is None:
        return [], None
    # Names stay as written (（虚构） is not turned into (虚构)): they become unit names.
    text = str(value)
    # "各旗县(市、区)" must not split at its inner 、
    text = re.sub(r"[（(]市[、,，]区[)）]", "市区", text)
    names, keys, lead = [], set(), None
    for part in _UNIT_SPLIT.split(text):
        part = part.strip().strip("。.．")
        if not part:
            continue
        marked = _UNIT_ROLE.search(part)
        name = _UNIT_ROLE.sub("", part).strip()
        if not name:
            continue
        if _ALL_DISTRICTS.match(unit_key(name)):
            name = ALL_DISTRICTS
        if marked and marked.group(1).startswith(("牵头", "主责", "负责")) and lead is None:
            lead = name
        if unit_key(name) not in keys:
            keys.add(unit_key(name))
            names.append(name)
    return names, lead


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


@dataclass
class ParsedSheet:
    file_name: str
    sha256: str
    sheet: str
    header_row: int
    columns: dict[str, str]  # field → header text as written
    tasks: list[RawTask]
    skipped: list[tuple[int, str]]  # (row, why)
    notes: list[str]  # sheet-level remarks for the report
    sheet_names: tuple[str, ...] = ()  # every sheet of the workbook, for choosing another


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return squash(value)


def _header_cols(values: tuple) -> dict[int, str]:
    """Column → field; of two columns naming one field the better-named (then leftmost) wins."""
    best: dict[str, tuple[tuple, int]] = {}
    for c, v in enumerate(values):
        found = rank_header(v)
        if found and (found[0] not in best or found[1] < best[found[0]][0]):
            best[found[0]] = (found[1], c)
    return {c: key for key, (_, c) in sorted(best.items(), key=lambda kv: kv[1][1])}


def _find_header(rows: list[tuple[int, tuple]]) -> Optional[tuple[int, dict[int, str], dict[str, str]]]:
    """The first row naming a title column and at least one other known column."""
    for i, (n, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        cols = _header_cols(values)
        if "title" not in cols.values() or len(cols) < 2:
            continue
        header = {c: values[c] for c in cols}
        # A two-row header (责任单位 above 牵头单位 | 配合单位): the lower row refines the upper.
        if i + 1 < len(rows):
            below_values = rows[i + 1][1]
            below = _header_cols(below_values)
            filled = [v for v in below_values if v is not None and str(v).strip()]
            if below and len(below) == len(filled):
                for c, key in below.items():
                    for old_c in [oc for oc, k in cols.items() if k == key]:
                        del cols[old_c]
                        header.pop(old_c, None)
                    cols[c] = key
                    header[c] = below_values[c]
                n = rows[i + 1][0]
        return n, cols, {key: squash(header[c]) for c, key in cols.items()}
    return None


def read_task_list(path: Path, default_year: int, *, sheet: Optional[str] = None) -> ParsedSheet:
    path = Path(path)
    wb = open_workbook(path)
    try:
        if sheet and sheet not in wb.sheetnames:
            raise ExcelInputError(f"{path.name} 中没有名为「{sheet}」的工作表。现有工作表："
                                  + "".join(f"「{n}」" for n in wb.sheetnames) + "。")
        sheets = [wb[sheet]] if sheet else list(wb.worksheets)
        for ws in sheets:
            rows = [(n, r) for n, r in iter_rows(ws, file_name=path.name)]
            found = _find_header(rows)
            if found:
                parsed = _parse_rows(path, ws.title, rows, found, default_year)
                parsed.sheet_names = tuple(wb.sheetnames)
                return parsed
    finally:
        wb.close()
    where = f"{path.name} 的工作表「{sheet}」" if sheet else f"{path.name} 各工作表"
    raise ExcelInputError(
        f"{where}的前 {HEADER_SCAN_ROWS} 行中找不到表头：需要“任务名称”（或重点任务、工作任务）"
        "列，以及“牵头单位”“责任单位”“完成时限”等列中的至少一列。")


def _parse_rows(path: Path, sheet: str, rows, found, default_year: int) -> ParsedSheet:
    header_row, cols, texts = found
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    parsed = ParsedSheet(path.name, digest, sheet, header_row, texts, [], [], [])
    if "lead" not in texts and "units" not in texts:
        raise ExcelInputError(f"{path.name}「{sheet}」第 {header_row} 行的表头中没有“牵头单位”或"
                              "“责任单位”列，无法确定任务由谁承担。")
    by_key = {key: c for c, key in cols.items()}
    if "lead" not in texts:
        parsed.notes.append("表中没有“牵头单位”列：以标注（牵头）或排在第一位的责任单位为牵头单位。")
    h1 = h2 = 0
    h1_title = h2_title = ""
    carried_category = ""
    first_col = min(cols)

    def cell(values: tuple, key: str) -> Any:
        c = by_key.get(key)
        return values[c] if c is not None and c < len(values) else None

    for n, values in rows:
        if n <= header_row:
            continue
        texts_in_row = [(c, _text(v)) for c, v in enumerate(values) if _text(v)]
        if not texts_in_row:
            continue
        code_text = _text(cell(values, "code"))
        title = _text(cell(values, "title"))
        first_text = texts_in_row[0][1]
        distinct = {t for _, t in texts_in_row}
        head = code_text or (first_text if texts_in_row[0][0] <= first_col else "")
        m1, m2 = _H1.match(head), _H2.match(head)
        task_fields = any(_text(cell(values, k)) for k in ("lead", "units", "deadline"))
        if (m1 or m2) and not task_fields:
            rest = (m1 or m2).group(2).strip() or (title if title != head else "")
            if not rest and len(distinct) > 1:
                rest = next(t for _, t in texts_in_row if t != head)
            if m1:
                h1, h2, h1_title, h2_title = cn_number(m1.group(1)), 0, rest, ""
            else:
                h2, h2_title = cn_number(m2.group(1)), rest
            continue
        if len(distinct) == 1 and not task_fields:
            if first_text.startswith(_NOTE_START) or len(first_text) > 60:
                parsed.skipped.append((n, f"说明文字，已跳过：{first_text[:30]}"))
                continue
            if not title or texts_in_row[0][0] != by_key.get("title"):
                # A heading row without a number, written across the row (merged cells).
                h1_title, h2_title = first_text, ""
                continue
        if first_text.startswith(_NOTE_START) and not task_fields:
            parsed.skipped.append((n, f"说明文字，已跳过：{first_text[:30]}"))
            continue
        parsed.tasks.append(_task(n, values, cell, code_text, title, default_year,
                                  (h1, h2), h2_title or h1_title, carried_category,
                                  "lead" in texts))
        if parsed.tasks[-1].category:
            carried_category = parsed.tasks[-1].category
    _assign_codes(parsed)
    return parsed


def _task(n, values, cell, code_text, title, default_year, heading_path, heading_title,
          carried_category, has_lead_column) -> RawTask:
    errors, warnings = [], []
    units, marked_lead = split_units(cell(values, "units"))
    leads, _ = split_units(cell(values, "lead"))
    lead = leads[0] if leads else ""
    if len(leads) > 1:
        warnings.append(f"牵头单位填了 {len(leads)} 个，以“{lead}”为牵头，其余列为责任单位")
        lead_keys = {unit_key(u) for u in leads}
        units = leads[1:] + [u for u in units if unit_key(u) not in lead_keys]
    if not lead:
        lead = marked_lead or (units[0] if units and not has_lead_column else "")
    if lead == ALL_DISTRICTS:
        errors.append("牵头单位不能是“各旗区”，请写明一个牵头单位")
    if not title:
        errors.append("缺少任务名称")
    elif len(title) > 500:
        errors.append(f"任务名称超过 500 字（{len(title)} 字）")
    if not lead and not units:
        errors.append("未填写牵头单位和责任单位")
    elif not lead:
        warnings.append("未填写牵头单位")
    category = _text(cell(values, "category"))
    if not category:
        category = heading_title or carried_category
    deadline = parse_deadline(cell(values, "deadline"), default_year)
    if deadline.error:
        errors.append(deadline.error)
    if deadline.warning:
        warnings.append(deadline.warning)
    note = _text(cell(values, "note"))
    description = _text(cell(values, "description"))
    if note:
        description = f"{description}\n备注：{note}" if description else f"备注：{note}"
    own = code_text.rstrip("、.． ")
    if own and not _NUM_CODE.match(own):
        m1, m2 = _H1.match(code_text), _H2.match(code_text)
        own = str(cn_number((m1 or m2).group(1))) if (m1 or m2) else own
    elif own:
        own = _NUM_CODE.match(own).group(1)
    return RawTask(row=n, own_code=own, title=title, category=category[:100], lead=lead,
                   units=[u for u in units if unit_key(u) != unit_key(lead)], leader=_text(cell(values, "leader"))[:50],
                   deadline=deadline, description=description, target=_text(cell(values, "target")),
                   heading_path=heading_path, errors=errors, warnings=warnings)


def _assign_codes(parsed: ParsedSheet) -> None:
    """Keep the plan's codes; prefix section numbers only when plain numbers restart per section."""
    plain = [t.own_code for t in parsed.tasks if t.own_code and "." not in t.own_code]
    restart = len(plain) != len(set(plain)) and any(t.heading_path != (0, 0) for t in parsed.tasks)
    if restart:
        parsed.notes.append("各部分的序号重新编排，任务编号按“部分.小节.序号”组合（如 一、（二）3. → 1.2.3）。")
    seen: dict[str, int] = {}
    auto = 0
    for t in parsed.tasks:
        code = t.own_code
        if not code:
            auto += 1
            code = f"{auto}"
            if t.heading_path != (0, 0):
                code = ".".join(str(p) for p in t.heading_path if p) + f".{auto}"
            t.warnings.append(f"未填编号，自动编为 {code}")
        elif restart and "." not in code:
            code = ".".join([*(str(p) for p in t.heading_path if p), code])
        if len(code) > 50:
            t.errors.append("任务编号超过 50 个字符")
        if code in seen:
            t.errors.append(f"编号 {code} 与第 {seen[code]} 行重复")
        else:
            seen[code] = t.row
        t.code = code
