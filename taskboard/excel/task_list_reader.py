"""Reading a task list workbook as plans arrive: title rows, a header somewhere near the top
(one row or two), columns named in many ways, hidden columns and rows, merged cells, section
headings (一、 （一）) and parent rows (1 above 1.1), units listed in one cell, notes at the
bottom. No database here: the result is plain rows with the names as written, and an account of
every column and every row that was not read as a task (nothing is dropped without a word).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from openpyxl.utils.cell import get_column_letter

from taskboard.excel.deadlines import year_from_text
from taskboard.excel.safety import ExcelInputError, iter_rows, open_workbook
from taskboard.excel.sheet_layout import fill_merges, read_layout
from taskboard.excel.task_rows import (  # noqa: F401 (RawTask, cn_number: used by importers)
    _H1, _H2, _NOTE_START, UNIT_FIELDS, RawTask, RowReader, cell_text as _text, cn_number,
)
from taskboard.excel.unit_cells import (  # noqa: F401 (used by importers)
    ALL_DISTRICTS, split_units, unit_key,
)

HEADER_SCAN_ROWS = 20
# Column aliases, normalised (no spaces), best first. When two columns name the same field the
# better name wins; exact matches win over "contains" matches.
ALIASES: dict[str, tuple[str, ...]] = {
    # 序号 is last: lists number their rows 1, 2, 3 beside the real 任务编号 (1.2.3).
    "code": ("任务编号", "编号", "任务序号", "代码", "序号", "序列号"),
    "title": ("任务名称", "重点任务", "工作任务", "任务内容", "主要任务", "具体任务", "工作内容",
              "改革事项", "任务事项", "指标名称", "整改任务", "整改事项", "任务", "事项",
              "工作事项"),
    # 具体举措 under a merged 重点任务: each measure is a task, the 重点任务 its category.
    "measure": ("具体举措", "落实举措", "工作举措", "主要举措", "具体工作举措", "改进举措", "举措"),
    "category": ("类别", "分类", "领域", "指标", "所属领域", "任务类别", "一级指标", "板块",
                 "指标类别", "重点领域"),
    "lead": ("牵头单位", "牵头部门", "主责单位", "主责部门", "牵头责任单位", "主办单位"),
    "units": ("责任单位", "责任部门", "落实单位", "责任主体", "实施单位", "承办单位"),
    "support": ("配合单位", "协办单位", "参与单位", "配合部门", "协办部门", "参与部门"),
    "leader": ("分管领导", "责任领导", "牵头领导", "分管市领导", "包联领导", "领导"),
    "deadline": ("完成时限", "时限", "完成时间", "时间节点", "完成期限", "时限要求", "截止时间",
                 "整改时限"),
    "problem": ("反馈问题", "存在问题", "问题描述", "问题表现", "具体问题", "问题"),
    "description": ("具体措施", "工作措施", "主要措施", "任务描述", "具体内容", "推进措施",
                    "整改措施"),
    "target": ("工作目标", "目标", "预期目标", "完成标志", "目标任务", "预期成效", "整改目标"),
    "note": ("备注",),
}
# Fields that several columns may feed (all read, in column order).
MULTI_FIELDS = ("units", "support", "problem")
# Row numbers, used as the code only when the sheet has no code-like column at all.
FALLBACK_ALIASES = {"code": ("序号", "序列号")}
FIELD_WORDS = {"code": "编号", "title": "任务名称", "measure": "任务名称（具体举措）", "category": "类别",
               "lead": "牵头单位", "units": "责任单位", "support": "配合单位（作为责任单位）",
               "leader": "分管领导", "deadline": "完成时限", "problem": "问题（记入任务描述）",
               "description": "具体措施", "target": "工作目标", "note": "备注（记入任务描述）"}

def norm_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"\s+", "", text)


def match_header(value: Any) -> Optional[str]:
    found = rank_header(value)
    return found[0] if found else None


def rank_header(value: Any) -> Optional[tuple[str, tuple[int, int, int]]]:
    """The field a header names and how well (lower is better), or None."""
    text = norm_header(value)
    # 问题清单 / 任务清单 / 责任清单 group the columns below them; they name no field.
    if not text or len(text) > 20 or text.endswith("清单"):
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


@dataclass(frozen=True)
class ColumnInfo:
    """One column as the import saw it: read into ``field`` or ignored for ``reason``."""

    column: str  # A, B, …
    header: str
    field: str  # a key of ALIASES, "" when ignored
    reason: str = ""
    rows_with_data: int = 0
    word: str = ""  # what the field means here, when not its usual word

    @property
    def field_word(self) -> str:
        return self.word or FIELD_WORDS.get(self.field, "")


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
    column_report: list[ColumnInfo] = field(default_factory=list)
    category_rows: list[tuple[int, str, str]] = field(default_factory=list)  # (row, category, why)
    warnings: list[str] = field(default_factory=list)  # sheet-level: data that goes nowhere
    default_year: int = 0


def _header_cols(values, hidden=frozenset()) -> tuple[dict[int, str], dict[int, str]]:
    """(column → field, column → why ignored). Of two columns naming one field the better-named
    (then leftmost) wins, except for fields that several columns feed. Hidden columns name
    nothing: a visible 调整后牵头单位 replaces a hidden old 牵头单位."""
    best: dict[str, tuple[tuple, int]] = {}
    multi: dict[int, str] = {}
    ignored: dict[int, str] = {}
    for c, v in enumerate(values):
        if not _text(v):
            continue
        found = rank_header(v)
        if c in hidden:
            ignored[c] = "隐藏列" + (f"（列名为“{_text(v)}”）" if found else "")
            continue
        if found is None:
            ignored[c] = "列名未对应任何字段"
        elif found[0] in MULTI_FIELDS:
            multi[c] = found[0]
        elif found[0] not in best or found[1] < best[found[0]][0]:
            if found[0] in best:
                ignored[best[found[0]][1]] = found[0]
            best[found[0]] = (found[1], c)
        else:
            ignored[c] = found[0]
    cols = {c: key for key, (_, c) in best.items()}
    cols.update(multi)
    winner = {key: c for c, key in cols.items()}
    for c, why in list(ignored.items()):
        if why in ALIASES:
            ignored[c] = (f"与第 {get_column_letter(winner[why] + 1)} 列同为“{FIELD_WORDS[why]}”，"
                          f"以第 {get_column_letter(winner[why] + 1)} 列为准")
    return dict(sorted(cols.items())), ignored


def _looks_like_header_row(values, hidden) -> bool:
    filled = [c for c, v in enumerate(values) if _text(v) and c not in hidden]
    cols, _ = _header_cols(values, hidden)
    return (len(cols) >= 2 and len(cols) * 2 >= len(filled)
            and all(len(_text(values[c])) <= 20 for c in filled))


# Columns that can name the task when the list has no 任务名称 column, best first: a 责任清单
# of 整改措施 or a 问题清单 of 反馈问题 still lists one task a row.
TITLE_STAND_INS = ("description", "problem")


def _names_tasks(cols: dict[int, str]) -> bool:
    keys = list(cols.values())
    return ("title" in keys or "measure" in keys
            or any(keys.count(k) == 1 for k in TITLE_STAND_INS) and bool(set(keys) & set(UNIT_FIELDS)))


def _find_header(rows, hidden):
    """(header row, column → field, column → why ignored, column → header text) or None.

    A two-row header (问题清单 | 任务清单 | 责任清单 above the field names, or 责任单位 above
    牵头单位 | 配合单位) is read as one: each column named by its lower cell, or its upper one.
    """
    for i, (n, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        upper_cells = [_text(v) for c, v in enumerate(values) if _text(v) and c not in hidden]
        # A title row (one cell across the sheet) is no upper header; a group row has several.
        upper_ok = _looks_like_header_row(values, hidden) or (
            len(upper_cells) >= 2 and all(len(t) <= 20 for t in upper_cells))
        if i + 1 < len(rows) and upper_ok and _looks_like_header_row(rows[i + 1][1], hidden):
            lower = rows[i + 1][1]
            width = max(len(values), len(lower))
            merged, texts = [], {}
            for c in range(width):
                up = _text(values[c]) if c < len(values) else ""
                low = _text(lower[c]) if c < len(lower) else ""
                merged.append(low or (up if len(up) <= 20 else ""))
                if up or low:
                    texts[c] = f"{up}/{low}" if up and low and up != low else (low or up)
            cols, ignored = _header_cols(merged, hidden)
            if _names_tasks(cols):
                return rows[i + 1][0], cols, ignored, texts
        cols, ignored = _header_cols(values, hidden)
        if _names_tasks(cols) and len(cols) >= 2:
            return n, cols, ignored, {c: _text(v) for c, v in enumerate(values) if _text(v)}
    return None


def read_task_list(path: Path, default_year: int, *, sheet: Optional[str] = None,
                   today: Optional[dt.date] = None) -> ParsedSheet:
    path = Path(path)
    wb = open_workbook(path)
    try:
        if sheet and sheet not in wb.sheetnames:
            raise ExcelInputError(f"{path.name} 中没有名为「{sheet}」的工作表。现有工作表："
                                  + "".join(f"「{n}」" for n in wb.sheetnames) + "。")
        sheets = [wb[sheet]] if sheet else list(wb.worksheets)
        for ws in sheets:
            rows = {n: list(r) for n, r in iter_rows(ws, file_name=path.name)}
            layout = read_layout(ws)
            filled = fill_merges(rows, layout.merges)
            ordered = sorted((n, tuple(r)) for n, r in rows.items())
            found = _find_header(ordered, layout.hidden_cols)
            if found:
                parsed = _parse_rows(path, ws.title, ordered, found, default_year, layout,
                                     filled, today or dt.date.today())
                parsed.sheet_names = tuple(wb.sheetnames)
                return parsed
    finally:
        wb.close()
    where = f"{path.name} 的工作表「{sheet}」" if sheet else f"{path.name} 各工作表"
    raise ExcelInputError(
        f"{where}的前 {HEADER_SCAN_ROWS} 行中找不到表头：需要“任务名称”（或重点任务、工作任务）"
        "列，以及“牵头单位”“责任单位”“完成时限”等列中的至少一列。")


def _sheet_year(rows, header_row: int, default_year: int) -> tuple[int, str]:
    """A year the list states for deadlines without one: 未标年份的均为2027年 anywhere, else a
    year in the title rows (2027年落实举措清单)."""
    for n, values in rows:
        for v in values:
            text = _text(v)
            m = re.search(r"(?:未|没有?)(?:标|注|写)[明注]?年份的?[，,]?(?:均|都|一律)?(?:为|是|按|指)\s*"
                          r"((?:19|20)\d{2})\s*年", text)
            if m:
                return int(m.group(1)), f"说明“{text[:30]}”"
    for n, values in rows:
        if n >= header_row:
            break
        for v in values:
            year = year_from_text(_text(v))
            if year:
                return year, f"标题“{_text(v)[:30]}”"
    return default_year, ""


# Headers that name the task itself. Beside one of these, 具体举措 describes the task; beside a
# 重点任务 (a heading over several measures) each measure is a task of its own.
TASK_NAME_HEADERS = ("任务名称", "任务内容", "具体任务", "任务事项", "指标名称", "改革事项")


def _measures_as_description(cols: dict, header_texts: dict) -> dict:
    keys = list(cols.values())
    if "measure" not in keys or "description" in keys:
        return cols
    title_cols = [c for c, k in cols.items() if k == "title"]
    if not any(norm_header(header_texts.get(c, "")) in TASK_NAME_HEADERS for c in title_cols):
        return cols
    return {c: ("description" if k == "measure" else k) for c, k in cols.items()}


def _parse_rows(path, sheet, rows, found, default_year, layout, filled, today) -> ParsedSheet:
    header_row, cols, ignored, header_texts = found
    stand_in_note = ""
    if "title" not in cols.values() and "measure" not in cols.values():
        key = next(k for k in TITLE_STAND_INS if list(cols.values()).count(k) == 1)
        c = next(c for c, k in cols.items() if k == key)
        cols = {**cols, c: "measure"}
        stand_in_note = f"表中没有“任务名称”列：以“{header_texts.get(c, '')}”列为任务名称。"
    cols = _measures_as_description(cols, header_texts)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    fields = set(cols.values())
    texts = {}
    for c, key in cols.items():
        texts.setdefault(key, header_texts.get(c, ""))
    parsed = ParsedSheet(path.name, digest, sheet, header_row, texts, [], [], [])
    if stand_in_note:
        parsed.notes.append(stand_in_note)
    if not fields & set(UNIT_FIELDS):
        raise ExcelInputError(f"{path.name}「{sheet}」第 {header_row} 行的表头中没有“牵头单位”或"
                              "“责任单位”列，无法确定任务由谁承担。")
    year, source = _sheet_year(rows, header_row, default_year)
    parsed.default_year = year
    if source and year != default_year:
        parsed.notes.append(f"未写年份的完成时限按 {year} 年理解（取自{source}）。")
    if "lead" not in fields:
        parsed.notes.append("表中没有“牵头单位”列：以标注（牵头）或排在第一位的责任单位为牵头单位。")
    data_counts: dict[int, int] = {}
    hidden = layout.hidden_cols
    ctx = RowReader(cols, header_texts, hidden, year, today, "lead" in fields, filled)
    h1 = h2 = 0
    h1_title = h2_title = ""
    carried_category = ""
    title_col = next((c for c, k in cols.items() if k in ("title", "measure")), min(cols))
    for n, values in rows:
        if n <= header_row:
            continue
        texts_in_row = [(c, _text(v)) for c, v in enumerate(values) if _text(v) and c not in hidden]
        if not texts_in_row:
            continue
        if n in layout.hidden_rows:
            shown = ctx.first(values, "title") or ctx.first(values, "measure") or texts_in_row[0][1]
            parsed.skipped.append((n, f"隐藏行，已跳过：{shown[:30]}"))
            continue
        code_text = ctx.first(values, "code")
        title = ctx.first(values, "title")
        first_text = texts_in_row[0][1]
        distinct = {t for _, t in texts_in_row}
        task_fields = any(ctx.first(values, k) for k in (*UNIT_FIELDS, "deadline"))
        head = next((t for t in (code_text, title, ctx.first(values, "measure"), first_text)
                     if t and (_H1.match(t) or _H2.match(t))), "")
        m1, m2 = _H1.match(head), _H2.match(head)
        if (m1 or m2) and not task_fields and len(distinct) <= 2:
            rest = (m1 or m2).group(2).strip() or next((t for t in distinct if t != head), "")
            if m1:
                h1, h2, h1_title, h2_title = cn_number(m1.group(1)), 0, rest, ""
            else:
                h2, h2_title = cn_number(m2.group(1)), rest
            parsed.category_rows.append((n, rest, f"分级标题“{head[:20]}”，作为以下任务的类别"))
            continue
        if len(distinct) == 1 and not task_fields:
            if first_text.startswith(_NOTE_START) or len(first_text) > 60:
                parsed.skipped.append((n, f"说明文字，已跳过：{first_text[:30]}"))
                continue
            if not title or texts_in_row[0][0] != title_col:
                # A heading row without a number, written across the row (merged cells).
                h1_title, h2_title = first_text, ""
                parsed.category_rows.append((n, first_text, "无编号的标题行，作为以下任务的类别"))
                continue
        if first_text.startswith(_NOTE_START) and not task_fields:
            parsed.skipped.append((n, f"说明文字，已跳过：{first_text[:30]}"))
            continue
        for c, v in enumerate(values):
            if _text(v):
                data_counts[c] = data_counts.get(c, 0) + 1
        task = ctx.task(n, values, (h1, h2), h2_title or h1_title, carried_category)
        parsed.tasks.append(task)
        if task.category:
            carried_category = task.category
    _parent_rows(parsed)
    parsed.category_rows.sort()
    _assign_codes(parsed)
    _report_columns(parsed, cols, ignored, header_texts, data_counts)
    return parsed


def _parent_rows(parsed: ParsedSheet) -> None:
    """A row 1 with no units whose codes below are 1.1, 1.2: the category of those, not a task."""
    codes = [t.own_code for t in parsed.tasks]
    keep = []
    for i, t in enumerate(parsed.tasks):
        prefix = t.own_code + "."
        is_parent = (t.own_code and not t.lead and not t.units and not t.support
                     and any(c.startswith(prefix) for c in codes[i + 1:]))
        if not is_parent:
            keep.append(t)
            continue
        parsed.category_rows.append((t.row, t.title, f"编号 {t.own_code} 下有 {prefix}1 等子项且未填"
                                     "责任单位，作为子项的类别"))
        for child in parsed.tasks[i + 1:]:
            if child.own_code.startswith(prefix) and not child.category_given:
                child.category = t.title[:100]
    parsed.tasks = keep


def _assign_codes(parsed: ParsedSheet) -> None:
    """Keep the plan's codes; prefix section numbers only when plain numbers restart per section.

    A code merged over several rows numbers them 3.1, 3.2 …; automatic codes skip every code
    the file uses, so they never clash.
    """
    groups: dict[str, list[RawTask]] = {}
    for t in parsed.tasks:
        if t.own_code:
            groups.setdefault(t.own_code, []).append(t)
    merged = []
    for code, members in groups.items():
        if len(members) > 1 and all(m.code_merge for m in members[1:]):
            for k, m in enumerate(members, start=1):
                m.own_code = f"{code}.{k}"
            merged.append(f"{code} → {code}.1—{code}.{len(members)}")
    if merged:
        parsed.notes.append(f"有 {len(merged)} 个编号合并了多行，逐行编号（"
                            + "；".join(merged[:3]) + ("等" if len(merged) > 3 else "") + "）。")
    plain = [t.own_code for t in parsed.tasks if t.own_code and "." not in t.own_code]
    restart = len(plain) != len(set(plain)) and any(t.heading_path != (0, 0) for t in parsed.tasks)
    if restart:
        parsed.notes.append("各部分的序号重新编排，任务编号按“部分.小节.序号”组合（如 一、（二）3. → 1.2.3）。")
    final = []
    for t in parsed.tasks:
        code = t.own_code
        if code and restart and "." not in code:
            code = ".".join([*(str(p) for p in t.heading_path if p), code])
        final.append(code)
    used = {c for c in final if c}
    seen: dict[str, int] = {}
    auto = 0
    for t, code in zip(parsed.tasks, final):
        if not code:
            while True:
                auto += 1
                code = f"{auto}"
                if t.heading_path != (0, 0):
                    code = ".".join(str(p) for p in t.heading_path if p) + f".{auto}"
                if code not in used:
                    break
            used.add(code)
            t.warnings.append(f"未填编号，自动编为 {code}")
        if len(code) > 50:
            t.errors.append("任务编号超过 50 个字符")
        if code in seen:
            t.errors.append(f"编号 {code} 与第 {seen[code]} 行重复")
        else:
            seen[code] = t.row
        t.code = code


def _report_columns(parsed, cols, ignored, header_texts, data_counts) -> None:
    every = sorted(set(cols) | set(ignored) | set(data_counts))
    for c in every:
        letter = get_column_letter(c + 1)
        header = header_texts.get(c, "")
        rows = data_counts.get(c, 0)
        if c in cols:
            key, word = cols[c], ""
            if key == "title" and "measure" in cols.values():
                # Each 具体举措 is a task; the 重点任务 above it says what it belongs to.
                key, word = (("description", "任务描述（所属重点任务）") if "category" in cols.values()
                             else ("category", "类别（各举措所属的重点任务）"))
            parsed.column_report.append(ColumnInfo(letter, header, key, "", rows, word))
            continue
        why = ignored.get(c, "无列名")
        parsed.column_report.append(ColumnInfo(letter, header, "", why, rows))
        # A 序号 of row numbers beside the real 任务编号 holds nothing the tasks lack.
        row_numbers = norm_header(header) in FALLBACK_ALIASES["code"] and "code" in cols.values()
        if rows and not row_numbers:
            name = f"“{header}”" if header else "（无列名）"
            parsed.warnings.append(f"第 {letter} 列{name}有 {rows} 行数据未导入：{why}。")
