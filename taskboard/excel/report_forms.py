"""单位报送表: one fill-in workbook per unit and period, written out and read back.

Units that report by e-mail rather than in the app get a workbook listing their open
assignments. Identity cells (system number, task code, title, unit and period) are locked and
also copied, signed with the office secret (HMAC-SHA256), into a hidden 校验信息 sheet; sheet protection only keeps honest
users from slips, so the importer (``report_form_import``) compares every identity cell with that
stamp and with the database before anything is stored.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from sqlalchemy import select
from sqlalchemy.orm import Session

from taskboard.core import office_secret, permissions
from taskboard.core.actor import Actor
from taskboard.core.atomic import save_with
from taskboard.core.errors import NotFound, ValidationError
from taskboard.core.figures import assignment_member_clause, task_member_clause
from taskboard.core.models import Assignment, Campaign, Report, Task, Unit
from taskboard.core.periods import Period
from taskboard.core.rules import report_day
from taskboard.core.settings import load_calendar, load_settings
from taskboard.excel.safety import set_text

# /2: the stamp is signed with the office secret (HMAC); /1 forms carried a plain hash.
FORMAT = "taskboard-report-form/2"
OLD_FORMATS = ("taskboard-report-form/1",)
FORM_SHEET = "报送表"
STAMP_SHEET = "校验信息"
FIRST_ROW = 5  # data starts below the title, the unit/period line, the instructions, the header
HEADERS = ("序号", "系统编号", "任务编号", "任务名称", "完成时限", "目前进度", "本期状态",
           "完成情况", "本月进展", "完成进度（%）", "存在问题", "下步计划")
WIDTHS = (5, 8, 8, 30, 11, 7, 14, 9, 36, 10, 24, 24)
# 1-based columns, so messages can name them as Excel does.
COL_NO, COL_ID, COL_CODE, COL_TITLE = 1, 2, 3, 4
COL_CHOICE, COL_TEXT, COL_PROGRESS, COL_PROBLEMS, COL_NEXT = 8, 9, 10, 11, 12
EDITABLE = (COL_CHOICE, COL_TEXT, COL_PROGRESS, COL_PROBLEMS, COL_NEXT)
CHOICES = ("推进中", "已完成")
# A deterrent against slips, not a secret: the reader never trusts protection.
SHEET_PASSWORD = "taskboard"
STATUS_WORDS = {None: "未报送", "pending": "已报送，待审核", "approved": "已通过",
                "returned": "已退回，请重新报送"}

_FONT = "宋体"
_thin = Side(style="thin", color="808080")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")
_HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")
_EDIT_FILL = PatternFill("solid", fgColor="FFFFFF")
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class FormRow:
    assignment_id: int
    code: str
    title: str
    deadline_text: str
    progress: int
    status_text: str


@dataclass(frozen=True)
class UnitForm:
    unit_id: int
    unit_name: str
    campaign_id: int
    campaign_name: str
    period: Period
    due: dt.date
    rows: tuple[FormRow, ...]

    @property
    def file_name(self) -> str:
        return form_file_name(self.unit_name, self.period)


@dataclass(frozen=True)
class ExportedForm:
    unit_id: int
    unit_name: str
    path: Path
    rows: int


def form_file_name(unit_name: str, period: Period) -> str:
    return f"{_UNSAFE_NAME.sub('_', unit_name).strip() or '单位'}_{period}.xlsx"


def header_line(unit_name: str, period: Period, campaign_name: str) -> str:
    """The locked unit and period line; the reader rebuilds it from the stamp to compare."""
    return f"报送单位：{unit_name}　　报送期次：{period.label}（{period}）　　专项工作：{campaign_name}"


def identity_payload(unit_id: int, unit_name: str, period: str, campaign_id: int,
                     rows: Iterable[Iterable[Any]]) -> bytes:
    """What the stamp's signature covers: unit, period, campaign and the task list."""
    payload = json.dumps({"format": FORMAT, "unit_id": unit_id, "unit_name": unit_name,
                          "period": period, "campaign_id": campaign_id,
                          "rows": [list(r) for r in rows]},
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return payload.encode("utf-8")


def stamp_rows(form: UnitForm) -> list[list[Any]]:
    return [[r.assignment_id, r.code, r.title] for r in form.rows]


def sign_form(session: Session, form: UnitForm) -> str:
    """HMAC-SHA256 under the office secret: only this database can make or check it."""
    return office_secret.sign(session, identity_payload(
        form.unit_id, form.unit_name, str(form.period), form.campaign_id, stamp_rows(form)))


# --- what goes into the forms -----------------------------------------------------------------

def _open_assignments(session: Session, campaign_id: int, period: Period,
                      unit_ids: Optional[Iterable[int]] = None):
    q = (select(Assignment.id, Assignment.unit_id, Assignment.progress, Task.code, Task.title,
                Task.deadline, Task.deadline_note, Unit.name)
         .join(Task, Task.id == Assignment.task_id)
         .join(Unit, Unit.id == Assignment.unit_id)
         .where(Task.campaign_id == campaign_id, Task.deleted.is_(False),
                Task.closed_on.is_(None), Assignment.closed_on.is_(None),
                Assignment.archived.is_(False),
                # A form covers the whole month: work starting in it is asked about too.
                task_member_clause(period.last_day),
                assignment_member_clause(period.last_day))
         .order_by(Unit.sort_order, Unit.id, Task.sort_key, Task.id))
    if unit_ids is not None:
        q = q.where(Assignment.unit_id.in_(list(unit_ids)))
    return session.execute(q).all()


def form_units(session: Session, campaign_id: int, period: Period) -> list[tuple[int, str, int]]:
    """(unit id, name, open assignments) for every unit that has something to report."""
    out: dict[int, list] = {}
    for r in _open_assignments(session, campaign_id, period):
        entry = out.setdefault(r.unit_id, [r.unit_id, r.name, 0])
        entry[2] += 1
    return [tuple(v) for v in out.values()]


def form_data(session: Session, campaign_id: int, period: Period,
              unit_ids: Optional[Iterable[int]] = None) -> list[UnitForm]:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"专项工作不存在（编号 {campaign_id}）。")
    due = report_day(period, load_calendar(session), load_settings(session).report_day)
    rows = _open_assignments(session, campaign_id, period, unit_ids)
    status: dict[int, tuple[str, str]] = {}
    for aid, st, comment in session.execute(
            select(Report.assignment_id, Report.status, Report.review_comment)
            .join(Assignment, Assignment.id == Report.assignment_id)
            .join(Task, Task.id == Assignment.task_id)
            .where(Task.campaign_id == campaign_id, Report.period == str(period))
            .order_by(Report.id)):
        status[aid] = (st, comment)  # the latest wins
    forms: dict[int, UnitForm] = {}
    grouped: dict[int, list[FormRow]] = {}
    names: dict[int, str] = {}
    for r in rows:
        st, comment = status.get(r.id, (None, ""))
        word = STATUS_WORDS.get(st, st)
        if st == "returned" and comment:
            word += f"（{comment}）"
        deadline = r.deadline.isoformat() if r.deadline else (r.deadline_note or "长期")
        grouped.setdefault(r.unit_id, []).append(
            FormRow(r.id, r.code, r.title, deadline, r.progress, word))
        names[r.unit_id] = r.name
    for uid, frows in grouped.items():
        forms[uid] = UnitForm(uid, names[uid], campaign_id, campaign.name, period, due,
                              tuple(frows))
    return list(forms.values())


# --- writing ----------------------------------------------------------------------------------

def write_form(form: UnitForm, path: Path, signature: str) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = FORM_SHEET
    last_col = get_column_letter(len(HEADERS))
    n = len(form.rows)
    last_row = FIRST_ROW + max(n, 1) - 1

    def band(row: int, text: str, size: int, bold: bool, height: float) -> None:
        ws.merge_cells(f"A{row}:{last_col}{row}")
        set_text(ws.cell(row, 1), text)
        c = ws.cell(row, 1)
        c.font = Font(name=_FONT, size=size, bold=bold)
        c.alignment = Alignment(horizontal="center" if row == 1 else "left",
                                vertical="center", wrap_text=True)
        ws.row_dimensions[row].height = height

    band(1, f"{form.campaign_name}{form.period.label}工作进展报送表", 15, True, 30)
    band(2, header_line(form.unit_name, form.period, form.campaign_name), 11, True, 22)
    band(3, f"填报说明：请于 {form.due.month}月{form.due.day}日前只在白色单元格填写。"
            "“完成进度”填 0–100 的整数；“完成情况”从下拉列表选择，选“已完成”时完成进度为 100。"
            "未填写的任务不导入；灰色单元格已锁定，请勿修改、增删行或改名工作表。", 10, False, 36)
    for col, (head, width) in enumerate(zip(HEADERS, WIDTHS), start=1):
        c = ws.cell(FIRST_ROW - 1, col, head)
        c.font = Font(name=_FONT, size=10, bold=True)
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.fill = _HEAD_FILL if col not in EDITABLE else PatternFill("solid", fgColor="FFF2CC")
        c.border = _BORDER
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[FIRST_ROW - 1].height = 30

    locked_font = Font(name=_FONT, size=10, color="404040")
    edit_font = Font(name=_FONT, size=10)
    for i, r in enumerate(form.rows):
        row = FIRST_ROW + i
        values = (i + 1, r.assignment_id, r.code, r.title, r.deadline_text, r.progress / 100,
                  r.status_text)
        for col, value in enumerate(values, start=1):
            c = ws.cell(row, col)
            if isinstance(value, str):
                set_text(c, value)
            else:
                c.value = value
            c.font, c.fill, c.border = locked_font, _LOCKED_FILL, _BORDER
            c.alignment = Alignment(vertical="center", wrap_text=True,
                                    horizontal="center" if col in (1, 2, 3, 6) else None)
        ws.cell(row, 6).number_format = "0%"
        for col in EDITABLE:
            c = ws.cell(row, col)
            c.font, c.fill, c.border = edit_font, _EDIT_FILL, _BORDER
            c.protection = Protection(locked=False)
            c.alignment = Alignment(vertical="top", wrap_text=True,
                                    horizontal="center" if col in (COL_CHOICE, COL_PROGRESS) else None)
        ws.cell(row, COL_PROGRESS).number_format = "0"
        ws.row_dimensions[row].height = max(45, 15 * (len(r.title) // 16 + 1))

    if n:
        pct = DataValidation(type="whole", operator="between", formula1="0", formula2="100",
                             allow_blank=True, showErrorMessage=True, showInputMessage=True,
                             errorTitle="完成进度", error="完成进度应为 0–100 的整数。",
                             promptTitle="完成进度", prompt="填 0–100 的整数，如 60。")
        pct.add(f"{get_column_letter(COL_PROGRESS)}{FIRST_ROW}:"
                f"{get_column_letter(COL_PROGRESS)}{last_row}")
        choice = DataValidation(type="list", formula1='"' + ",".join(CHOICES) + '"',
                                allow_blank=True, showErrorMessage=True,
                                errorTitle="完成情况", error="请从下拉列表中选择：" + "、".join(CHOICES))
        choice.add(f"{get_column_letter(COL_CHOICE)}{FIRST_ROW}:"
                   f"{get_column_letter(COL_CHOICE)}{last_row}")
        ws.add_data_validation(pct)
        ws.add_data_validation(choice)
    else:
        set_text(ws.cell(FIRST_ROW, 1), "本期没有需要报送的任务。")

    ws.freeze_panes = ws.cell(FIRST_ROW, COL_TITLE + 1)
    ws.print_title_rows = f"{FIRST_ROW - 1}:{FIRST_ROW - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    # Resizing rows and columns helps reading long text; everything structural stays locked.
    ws.protection.formatRows = False
    ws.protection.formatColumns = False
    ws.protection.set_password(SHEET_PASSWORD)
    ws.protection.sheet = True

    _write_stamp(wb, form, signature)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.security.set_workbook_password(SHEET_PASSWORD)
    wb.active = 0
    save_with(path, wb.save)
    return path


def _write_stamp(wb: Workbook, form: UnitForm, signature: str) -> None:
    st = wb.create_sheet(STAMP_SHEET)
    rows = stamp_rows(form)
    pairs = [("format", FORMAT), ("unit_id", form.unit_id), ("unit_name", form.unit_name),
             ("period", str(form.period)), ("campaign_id", form.campaign_id),
             ("campaign_name", form.campaign_name), ("first_row", FIRST_ROW),
             ("exported_at", dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")),
             ("rows", json.dumps(rows, ensure_ascii=False)), ("digest", signature)]
    for key, value in pairs:
        st.append([key, None])
        cell = st.cell(st.max_row, 2)
        if isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value
    st.protection.set_password(SHEET_PASSWORD)
    st.protection.sheet = True
    st.sheet_state = "veryHidden"


def export_report_forms(session: Session, actor: Actor, campaign_id: int, period: Period,
                        folder: Path, *, unit_ids: Optional[Iterable[int]] = None,
                        today: Optional[dt.date] = None) -> list[ExportedForm]:
    """One workbook per unit with open assignments; units without any are left out."""
    permissions.require(actor, "export")
    today = today or dt.date.today()
    if period > Period.of(today):
        raise ValidationError(f"{period.label}尚未开始，不能导出该期的报送表。")
    folder = Path(folder)
    if not folder.is_dir():
        raise ValidationError(f"导出文件夹不存在：{folder}")
    wanted = None if unit_ids is None else list(unit_ids)
    if wanted is not None and not wanted:
        raise ValidationError("请至少选择一个单位。")
    forms = form_data(session, campaign_id, period, wanted)
    if not forms:
        raise ValidationError(f"所选单位在{period.label}没有需要报送的任务。")
    out = []
    for form in forms:
        try:
            path = write_form(form, folder / form.file_name, sign_form(session, form))
        except OSError as exc:
            raise ValidationError(f"无法写入 {folder / form.file_name}：{exc.strerror or exc}"
                                  "（文件可能正在 Excel 或 WPS 中打开）") from None
        out.append(ExportedForm(form.unit_id, form.unit_name, path, len(form.rows)))
    return out
