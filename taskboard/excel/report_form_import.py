"""Reading returned 报送表 workbooks: a preview checked cell by cell, then pending reports.

``preview_forms`` writes nothing. Each file is judged on its own and all or nothing: one wrong
cell refuses the whole file, with a message naming file, sheet, row and column. Identity cells
are compared with the hidden stamp (edited?) and with the database (still this unit's open
assignment?). ``apply_forms`` submits the accepted rows through ``submit_report`` with a source
of ``form:<file sha256>:<assignment id>`` so a second import of the same file is a no-op.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from taskboard.core import audit, office_secret, permissions
from taskboard.core.actor import Actor
from taskboard.core.models import Assignment, Report, Task, Unit
from taskboard.core.periods import Period
from taskboard.core.services.reports import MAX_TEXT, submit_report
from taskboard.excel.report_forms import (
    CHOICES, COL_CHOICE, COL_CODE, COL_ID, COL_NEXT, COL_PROBLEMS, COL_PROGRESS, COL_TEXT,
    COL_TITLE, FORM_SHEET, FORMAT, HEADERS, OLD_FORMATS, STAMP_SHEET, header_line,
    identity_payload,
)
from taskboard.excel.safety import ExcelInputError, iter_rows, open_workbook

MAX_FORM_ROWS = 5000
MAX_ERRORS = 200
_EXCEL_ERRORS = frozenset({"#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!"})
_PERCENT_TEXT = re.compile(r"^\s*(\d{1,3})\s*[%％]?\s*$")
# States of an accepted row.
NEW, REVISE, ALREADY, SAME = "new", "revise", "already", "same"
STATE_WORDS = {NEW: "新报送", REVISE: "更新待审核报送", ALREADY: "已导入过（跳过）",
               SAME: "内容相同（跳过）"}


@dataclass(frozen=True)
class FormIssue:
    file: str
    sheet: str
    row: Optional[int]
    column: Optional[int]
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(self.sheet)
        if self.row:
            where.append(f"第{self.row}行")
        text = " · ".join(where)
        if self.column:
            text += f" · {get_column_letter(self.column)}列"
        return f"{text}：{self.message}"

    def as_json(self) -> dict:
        return {"sheet": self.sheet or None, "row": self.row,
                "column": get_column_letter(self.column) if self.column else None,
                "message": self.message, "text": str(self)}


@dataclass(frozen=True)
class FormEntry:
    """One filled row that passed every check."""

    file: str
    row: int
    assignment_id: int
    code: str
    title: str
    text: str
    progress: int
    problems: str
    next_steps: str
    completed: bool
    state: str

    @property
    def will_write(self) -> bool:
        return self.state in (NEW, REVISE)

    def as_json(self) -> dict:
        return {"row": self.row, "assignment_id": self.assignment_id, "code": self.code,
                "title": self.title, "text": self.text, "progress": self.progress,
                "problems": self.problems, "next_steps": self.next_steps,
                "completed": self.completed, "state": self.state}


@dataclass
class FormFile:
    path: Path
    file_name: str
    sha256: str = ""
    unit_id: Optional[int] = None
    unit_name: str = ""
    period: Optional[Period] = None
    campaign_name: str = ""
    entries: list[FormEntry] = field(default_factory=list)
    errors: list[FormIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.errors:
            return "拒绝"
        if not self.entries:
            return "空表"
        if not any(e.will_write for e in self.entries):
            return "已导入过"
        return "可导入"

    @property
    def to_write(self) -> list[FormEntry]:
        return [] if self.errors else [e for e in self.entries if e.will_write]

    def source(self, assignment_id: int) -> str:
        return f"form:{self.sha256}:{assignment_id}"

    def as_json(self) -> dict:
        return {"file": self.file_name, "sha256": self.sha256, "unit": self.unit_name or None,
                "period": str(self.period) if self.period else None, "status": self.status,
                "errors": [e.as_json() for e in self.errors], "notes": self.notes,
                "rows": [e.as_json() for e in self.entries]}


@dataclass
class FormsPreview:
    files: list[FormFile]

    @property
    def rows(self) -> list[FormEntry]:
        return [e for f in self.files for e in f.entries]

    @property
    def issues(self) -> list[FormIssue]:
        return [e for f in self.files for e in f.errors]

    @property
    def to_write(self) -> int:
        return sum(len(f.to_write) for f in self.files)

    def summary(self) -> str:
        by = {s: sum(1 for f in self.files if f.status == s)
              for s in ("可导入", "拒绝", "空表", "已导入过")}
        parts = [f"共 {len(self.files)} 个文件", f"可导入 {by['可导入']} 个（报送 {self.to_write} 条）"]
        parts += [f"{s} {n} 个" for s, n in by.items() if n and s != "可导入"]
        return "，".join(parts) + "。"


@dataclass(frozen=True)
class FormsResult:
    files: int
    created: int
    revised: int
    skipped: int


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders contribute their .xlsx files (Office lock files left out)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix.lower() in (".xlsx", ".xlsm")
                              and not q.name.startswith(("~$", ".~"))))
        else:
            out.append(p)
    seen, unique = set(), []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def preview_forms(session: Session, actor: Actor, paths: Sequence[Path], *,
                  period: Optional[Period] = None, unit_id: Optional[int] = None,
                  today: Optional[dt.date] = None) -> FormsPreview:
    """Check every workbook; ``period``/``unit_id`` refuse forms of another month or unit."""
    today = today or dt.date.today()
    files = []
    batch: dict[int, str] = {}  # assignment id -> file that reports it in this batch
    shas: dict[str, str] = {}
    for path in expand_paths(paths):
        f = FormFile(path=path, file_name=path.name)
        try:
            _check_file(session, actor, f, period, unit_id, today, batch, shas)
        except _Refused as exc:
            f.errors.append(FormIssue(f.file_name, exc.sheet, None, None, exc.message))
        except ExcelInputError as exc:
            msg = str(exc)
            if msg.startswith(f.file_name):  # the issue names the file already
                msg = msg[len(f.file_name):].lstrip(" ·：")
            f.errors.append(FormIssue(f.file_name, "", None, None, msg))
        if len(f.errors) > MAX_ERRORS:
            f.errors[MAX_ERRORS:] = [FormIssue(f.file_name, "", None, None,
                                               f"错误过多，仅列出前 {MAX_ERRORS} 处。")]
        if not f.errors:
            for e in f.entries:
                batch.setdefault(e.assignment_id, f.file_name)
        files.append(f)
    if not files:
        raise ExcelInputError("没有找到报送表（.xlsx）文件。")
    return FormsPreview(files)


class _Refused(Exception):
    """A whole file refused before its rows are read."""

    def __init__(self, sheet: str, message: str) -> None:
        super().__init__(message)
        self.sheet, self.message = sheet, message


def _cell(rows: dict[int, tuple], row: int, col: int) -> Any:
    values = rows.get(row, ())
    return values[col - 1] if col - 1 < len(values) else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def _int(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _read_stamp(session, wb, f: FormFile) -> dict:
    if STAMP_SHEET not in wb.sheetnames:
        raise _Refused("", "不是本系统导出的单位报送表（缺少校验信息）。"
                           "请使用“单位报送表”导出的文件填写后再导入。")
    stamp = {}
    for _, row in iter_rows(wb[STAMP_SHEET], file_name=f.file_name, max_rows=100, max_cols=2):
        if row and row[0]:
            stamp[str(row[0])] = row[1] if len(row) > 1 else None
    try:
        rows = [tuple(r) for r in json.loads(stamp.get("rows") or "")]
        uid, cid = _int(stamp.get("unit_id")), _int(stamp.get("campaign_id"))
        period = Period.parse(str(stamp.get("period") or ""))
        first = _int(stamp.get("first_row"))
        name = str(stamp.get("unit_name") or "")
        if stamp.get("format") in OLD_FORMATS:
            raise _Refused(STAMP_SHEET, "这份报送表由旧版本导出，没有本办公室的签名，无法确认是哪个"
                                        "单位、哪一期的。请重新导出后填写。")
        # The signature (HMAC under the office secret) is what makes the stamp trustworthy:
        # a plain hash of edited values anyone could recompute.
        ok = bool(stamp.get("format") == FORMAT and uid and cid and first and office_secret.verify(
            session, identity_payload(uid, name, str(period), cid, [list(r) for r in rows]),
            stamp.get("digest")))
    except (ValueError, TypeError):
        ok = False
    if not ok:
        raise _Refused(STAMP_SHEET, "校验信息已损坏或被修改，无法确认这是哪个单位、哪一期的"
                                    "报送表。请重新导出后填写。")
    return {"unit_id": uid, "unit_name": name, "period": period, "campaign_id": cid,
            "campaign_name": str(stamp.get("campaign_name") or ""), "first_row": first,
            "rows": rows}


def _check_file(session, actor, f: FormFile, period, unit_id, today, batch, shas) -> None:
    wb = open_workbook(f.path)
    try:
        f.sha256 = hashlib.sha256(f.path.read_bytes()).hexdigest()
        stamp = _read_stamp(session, wb, f)
        f.unit_id, f.unit_name = stamp["unit_id"], stamp["unit_name"]
        f.period, f.campaign_name = stamp["period"], stamp["campaign_name"]
        if FORM_SHEET not in wb.sheetnames:
            raise _Refused("", f"找不到工作表「{FORM_SHEET}」（请不要改名或删除）。")
        rows = dict(iter_rows(wb[FORM_SHEET], file_name=f.file_name, max_rows=MAX_FORM_ROWS,
                              max_cols=len(HEADERS)))
    finally:
        wb.close()
    if f.sha256 in shas:
        f.notes.append(f"与 {shas[f.sha256]} 是同一个文件，已跳过。")
        return
    shas[f.sha256] = f.file_name

    def err(row: Optional[int], col: Optional[int], message: str) -> None:
        f.errors.append(FormIssue(f.file_name, FORM_SHEET, row, col, message))

    # The unit and period line, then the header: both locked.
    expected_line = header_line(f.unit_name, f.period, f.campaign_name)
    if _text(_cell(rows, 2, 1)) != expected_line:
        err(2, 1, f"锁定的报送单位和期次被修改（应为“{expected_line}”）")
    first = stamp["first_row"]
    for col, head in enumerate(HEADERS, start=1):
        if _text(_cell(rows, first - 1, col)) != head:
            err(first - 1, col, f"锁定的表头被修改（应为“{head}”）")
    if period is not None and f.period != period:
        err(2, 1, f"这是{f.period.label}的报送表，本次导入的是{period.label}")
    if f.period > Period.of(today):
        err(2, 1, f"{f.period.label}尚未开始，不能提前报送")
    if unit_id is not None and f.unit_id != unit_id:
        want = session.get(Unit, unit_id)
        err(2, 1, f"这是{f.unit_name}的报送表，本次导入的是{want.name if want else unit_id}的")
    if not permissions.allowed(actor, "report.submit", f.unit_id):
        err(2, 1, f"报送员只能导入本单位的报送表（此表属于{f.unit_name}）"
            if actor.role == permissions.REPORTER else "当前账号没有报送进展的权限")

    ids = [_int(r[0]) for r in stamp["rows"]]
    db = {r.id: r for r in session.execute(
        select(Assignment.id, Assignment.unit_id, Assignment.archived, Assignment.closed_on,
               Task.code, Task.title, Task.deleted, Task.closed_on.label("task_closed"),
               Task.campaign_id)
        .join(Task, Task.id == Assignment.task_id).where(Assignment.id.in_(ids)))}
    parsed = []
    for i, (aid, code, title) in enumerate(stamp["rows"]):
        row = first + i
        for col, want, label in ((COL_ID, aid, "系统编号"), (COL_CODE, code, "任务编号"),
                                 (COL_TITLE, title, "任务名称")):
            if _text(_cell(rows, row, col)) != _text(want):
                err(row, col, f"锁定的“{label}”被修改（应为“{_text(want)}”）")
        a = db.get(aid)
        if a is None or a.deleted:
            err(row, COL_ID, f"任务 {code} 已从系统中删除")
            continue
        if a.unit_id != f.unit_id or a.campaign_id != stamp["campaign_id"]:
            err(row, COL_ID, f"任务 {code} 的这条分工不属于{f.unit_name}")
            continue
        if (a.code, a.title) != (code, title):
            f.notes.append(f"第{row}行：任务 {code} 在系统中已改为“{a.code} {a.title}”，按系统编号导入。")
        entry = _read_row(rows, row, err)
        if entry is None:
            continue
        if a.archived or a.closed_on is not None or a.task_closed is not None:
            err(row, COL_TEXT, f"任务 {code} 已办结销号或不再由{f.unit_name}承担，不能报送"
                               "（请清空该行已填写的内容）")
            continue
        if aid in batch:
            err(row, COL_CODE, f"任务 {code} 已由本次导入的 {batch[aid]} 报送")
            continue
        parsed.append((row, aid, a.code, a.title, entry))
    # A protected sheet cannot grow, but an unprotected copy can: extra lines are never ignored.
    end = first + len(stamp["rows"])
    for row in sorted(r for r in rows if r >= end and r > first):
        if any(_text(v) for v in rows[row]):
            err(row, None, "报送表末尾多出的内容不会被导入，请删除后重新保存（不要增加行）")
            break
    if f.errors:
        return
    if not parsed:
        f.notes.append("未填写任何任务（空表），没有可导入的内容。")
        return
    _judge_duplicates(session, f, parsed)


def _read_row(rows, row: int, err) -> Optional[tuple]:
    """(text, progress, problems, next, completed) of a filled row; None when left empty."""
    raw = {col: _cell(rows, row, col) for col in (COL_CHOICE, COL_TEXT, COL_PROGRESS,
                                                  COL_PROBLEMS, COL_NEXT)}
    if not any(_text(v) for v in raw.values()):
        return None
    bad = False
    for col, value in raw.items():
        if isinstance(value, str) and value.strip() in _EXCEL_ERRORS:
            err(row, col, f"单元格显示 {value.strip()}：内容被 Excel 当成了公式。"
                          "以 = + - @ 开头的文字请在前面加单引号 ' 后重新填写")
            bad = True
    if bad:
        return None
    choice = _text(raw[COL_CHOICE])
    if choice and choice not in CHOICES:
        err(row, COL_CHOICE, f"完成情况应从下拉列表选择（{'、'.join(CHOICES)}），收到“{choice}”")
        return None
    value = raw[COL_PROGRESS]
    progress: Optional[int] = None
    if value is None or _text(value) == "":
        if choice == "已完成":
            progress = 100
        else:
            err(row, COL_PROGRESS, "请填写完成进度（0–100 的整数）")
            return None
    elif isinstance(value, str):
        m = _PERCENT_TEXT.match(value)
        if not m:
            err(row, COL_PROGRESS, f"完成进度应为 0–100 的整数，收到文字“{value.strip()}”")
            return None
        progress = int(m.group(1))
    else:
        progress = _int(value)
        if progress is None:
            err(row, COL_PROGRESS, f"完成进度应为 0–100 的整数，收到“{_text(value)}”")
            return None
    if not 0 <= progress <= 100:
        err(row, COL_PROGRESS, f"完成进度应为 0–100，收到 {progress}")
        return None
    if choice == "已完成" and progress != 100:
        err(row, COL_CHOICE, f"选了“已完成”，完成进度应为 100，收到 {progress}")
        return None
    if choice == "推进中" and progress == 100:
        err(row, COL_CHOICE, "完成进度为 100 时，完成情况应选“已完成”")
        return None
    text, problems, nxt = (_text(raw[c]) for c in (COL_TEXT, COL_PROBLEMS, COL_NEXT))
    if not text:
        err(row, COL_TEXT, "请填写本月进展")
        return None
    for col, label, value in ((COL_TEXT, "本月进展", text), (COL_PROBLEMS, "存在问题", problems),
                              (COL_NEXT, "下步计划", nxt)):
        if len(value) > MAX_TEXT:
            err(row, col, f"{label}过长（{len(value)} 字，最多 {MAX_TEXT} 字）")
            return None
    return text, progress, problems, nxt, choice == "已完成" or progress == 100


def _existing_sources(session: Session, f: FormFile, ids: list[int]) -> set[str]:
    # Narrowed by assignment first: Report.source has no index of its own.
    return set(session.scalars(select(Report.source).where(
        Report.assignment_id.in_(ids), Report.source.in_([f.source(a) for a in ids]))))


def _judge_duplicates(session: Session, f: FormFile, parsed: list[tuple]) -> None:
    ids = [p[1] for p in parsed]
    sources = _existing_sources(session, f, ids)
    latest: dict[int, Report] = {}
    for r in session.scalars(select(Report).where(
            Report.assignment_id.in_(ids), Report.period == str(f.period)).order_by(Report.id)):
        latest[r.assignment_id] = r
    for row, aid, code, title, (text, progress, problems, nxt, completed) in parsed:
        last = latest.get(aid)
        if f.source(aid) in sources:
            state = ALREADY
        elif last is not None and last.status != "returned" and (
                last.text, last.progress, last.problems, last.next_steps) == (
                text, progress, problems, nxt):
            state = SAME
        elif last is not None and last.status == "pending":
            state = REVISE
        else:
            state = NEW
        f.entries.append(FormEntry(f.file_name, row, aid, code, title, text, progress,
                                   problems, nxt, completed, state))
    if all(e.state == ALREADY for e in f.entries):
        f.notes.append("该文件此前已导入过，不会重复报送。")


def apply_forms(session: Session, actor: Actor, preview: FormsPreview, *,
                today: Optional[dt.date] = None) -> FormsResult:
    """Submit the accepted rows of every file without errors; refused files write nothing."""
    today = today or dt.date.today()
    files = created = revised = skipped = 0
    for f in preview.files:
        todo = f.to_write
        if not todo:
            continue
        done = 0
        # Checked again here: the same preview confirmed twice must not report twice.
        taken = _existing_sources(session, f, [e.assignment_id for e in todo])
        for e in todo:
            if f.source(e.assignment_id) in taken:
                skipped += 1
                continue
            submit_report(session, actor, e.assignment_id, f.period, text=e.text,
                          progress=e.progress, problems=e.problems, next_steps=e.next_steps,
                          source=f.source(e.assignment_id), today=today)
            done += 1
            if e.state == REVISE:
                revised += 1
            else:
                created += 1
        if done:
            files += 1
            audit.record(session, actor, "reports.import", "unit", f.unit_id,
                         summary=f"导入{f.unit_name}{f.period.label}报送表 {f.file_name}："
                                 f"报送 {done} 条",
                         after={"file": f.file_name, "sha256": f.sha256, "reports": done,
                                "period": str(f.period)})
    return FormsResult(files, created, revised, skipped)
