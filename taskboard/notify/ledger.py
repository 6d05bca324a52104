"""催办台账: the urge ledger as an Excel sheet (who was urged, when, how, answered or not)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from taskboard.core.atomic import save_with
from taskboard.core.services.urge_inbox import LedgerRow

HEADERS = ("催办时间", "责任单位", "任务编号", "任务名称", "方式", "通知单文号", "催办人",
           "联系人/接听人", "备注", "再次催办理由", "是否回复", "回复内容", "回复时间")
WIDTHS = (17, 18, 9, 40, 9, 17, 11, 14, 28, 22, 9, 34, 17)


def safe(value: str) -> str:
    """Keep user text from being read as a formula (OWASP CSV/formula injection)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def write_ledger(rows: Sequence[LedgerRow], path: Path, title: str = "催办台账") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "催办台账"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(list(HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF1F5")
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for r in rows:
        ws.append([
            r.urged_at.strftime("%Y-%m-%d %H:%M"), safe(r.unit_name), safe(r.code),
            safe(r.title), r.method_word, r.notice, safe(r.urged_by), safe(r.contact),
            safe(r.note), safe(r.override_reason), "已回复" if r.answered else "未回复",
            safe(r.reply), r.replied_at.strftime("%Y-%m-%d %H:%M") if r.replied_at else "",
        ])
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = width
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{ws.cell(row=2, column=len(HEADERS)).column_letter}{ws.max_row}"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    path = Path(path)
    save_with(path, wb.save)
    return path
