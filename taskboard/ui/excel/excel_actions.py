"""文件 menu entries for Excel: export the monthly ledger, import a task list, report forms."""
from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from taskboard.core.models import Campaign
from taskboard.core.periods import Period
from taskboard.core.permissions import allowed
from taskboard.ui.common.ops import read


def _campaign(window):
    cid = window.campaign_id()
    if cid is None:
        QMessageBox.warning(window, "没有专项工作", "请先新建或导入一个专项工作。")
        return None
    return read(window.ctx, lambda s: s.get(Campaign, cid))


def open_ledger_export(window):
    from taskboard.ui.excel.ledger_export_dialog import LedgerExportDialog

    campaign = _campaign(window)
    if campaign is None:
        return None
    total = len(window.board.rows) if window.board is not None else 0
    dialog = LedgerExportDialog(window.ctx, campaign.id, campaign.name, window.period(),
                                window.tasks_view.visible_rows, total,
                                Period.of(campaign.start_date), window)
    return dialog


def open_task_import(window):
    from taskboard.ui.excel.task_import_dialog import TaskImportDialog

    return TaskImportDialog(window.ctx, window.campaign_id(), window)


def open_report_forms(window):
    # Imported when chosen: openpyxl and numpy are not worth their start-up time.
    from taskboard.ui.excel.report_forms_dialog import open_report_forms as open_dialog

    return open_dialog(window)


def install(window) -> None:
    actor = window.ctx.actor
    menu = window.menus["file"]
    # Keep 退出 last: insert before it.
    quit_action = menu.actions()[-1] if menu.actions() else None
    entries = []
    if allowed(actor, "export"):
        entries.append(("导出月度台账(&L)…", open_ledger_export, "exportLedger"))
    if allowed(actor, "import"):
        entries.append(("导入任务清单(&I)…", open_task_import, "importTasks"))
    if allowed(actor, "export") or allowed(actor, "report.submit", actor.unit_id):
        entries.append(("单位报送表(&R)…", open_report_forms, "reportForms"))
    keys = {"exportLedger": "Ctrl+Shift+L"}
    for text, opener, name in entries:
        action = QAction(text, window)
        action.setObjectName(name)
        if name in keys:
            action.setShortcut(keys[name])
        action.triggered.connect(lambda _=False, o=opener: _run(window, o))
        menu.insertAction(quit_action, action)
    if entries:
        menu.insertSeparator(quit_action)


def _run(window, opener) -> None:
    dialog = opener(window)
    if dialog is not None:
        dialog.exec()
