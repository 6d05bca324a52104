"""The audit trail (操作日志) as a workbook, for filing or sending upwards."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from taskboard.core.atomic import save_with
from taskboard.core.services.audit_trail import AuditRow
from taskboard.excel.safety import set_text


def export_audit(rows: list[AuditRow], path: Path) -> Path:
    """The filtered trail as a workbook; user text can never become a formula."""
    wb = Workbook()
    ws = wb.active
    ws.title = "操作日志"
    headers = ("时间", "用户", "操作", "对象", "任务编号", "摘要", "修改前", "修改后")
    ws.append(headers)
    for r in rows:
        ws.append([r.at, None, None, f"{r.entity} {r.entity_id or ''}".strip(), None, None,
                   None, None])
        row = ws.max_row
        ws.cell(row, 1).number_format = "yyyy-mm-dd hh:mm:ss"
        for col, value in ((2, r.user_name), (3, r.action_word), (5, r.task_code),
                           (6, r.summary), (7, r.before), (8, r.after)):
            set_text(ws.cell(row, col), value)
    for col, width in zip("ABCDEFGH", (20, 14, 12, 14, 10, 60, 40, 40)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    path = Path(path)
    save_with(path, wb.save)
    return path
