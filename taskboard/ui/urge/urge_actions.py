"""Installs urging into the main window: the 催办 tab and menu for the office, the 催办通知
inbox for reporting units and leaders, and the dialogs they open."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional, Sequence

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from taskboard.core import permissions
from taskboard.core.errors import ServiceError
from taskboard.core.services import urging
from taskboard.core.services.urging import ScreenRow
from taskboard.ui.common.ops import read
from taskboard.ui.urge.urge_view import UrgeView

if TYPE_CHECKING:
    from taskboard.ui.urge.notice_inbox import NoticeInboxView
    from taskboard.ui.urge.notice_preview_dialog import NoticePreviewDialog
    from taskboard.ui.urge.notice_template_dialog import NoticeTemplateDialog
    from taskboard.ui.urge.phone_urge_dialog import PhoneUrgeDialog

# The dialogs, the notice documents and the mail and robot delivery behind them are imported
# when first used: at start-up they cost a tenth of a second that the first window waits for.


class UrgeActions(QObject):
    """Owns the urge menu's actions and opens dialogs window-modal (``open``, not ``exec``)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.view: Optional[UrgeView] = None
        self.inbox: Optional[NoticeInboxView] = None
        self.dialog = None  # the open dialog, kept alive and reachable from tests
        self.robot_job = None
        menu = window.menus["urge"]
        actor = self.ctx.actor
        if permissions.allowed(actor, "urge.send"):
            self._install_office(menu)
        elif actor.role in (permissions.REPORTER, permissions.LEADER):
            from taskboard.ui.urge.notice_inbox import NoticeInboxView

            self.inbox = NoticeInboxView(self.ctx)
            window.tabs.addTab(self.inbox, "催办通知")
            self.ctx.changes.changed.connect(self._inbox_changed)
            show = QAction("我的催办通知", window)
            show.triggered.connect(lambda: window.tabs.setCurrentWidget(self.inbox))
            menu.addAction(show)

    def _install_office(self, menu) -> None:
        window = self.window
        self.view = view = UrgeView(self.ctx)
        window.tabs.addTab(view, "催办")
        window.boardLoaded.connect(view.show_board)
        if window.board is not None:
            view.show_board(window.board)
        view.urgeRequested.connect(self.urge_rows)
        view.phoneRequested.connect(self.phone_rows)
        view.noticeOpened.connect(self.open_notice)
        view.retryRequested.connect(self._send_by_email)
        view.ledgerRequested.connect(self.export_ledger)
        view.printAllRequested.connect(self.print_notices)
        view.exportAllRequested.connect(self.export_notices)

        def add(text, slot, shortcut=None):
            action = QAction(text, window)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(slot)
            menu.addAction(action)
            return action

        add("筛查催办", lambda: window.tabs.setCurrentWidget(view), "Ctrl+Shift+U")
        self.urge_selected_action = add("催办选中任务…", self.urge_selected_tasks, "Ctrl+U")
        add("电话催办当前任务…", self.phone_current_task)
        menu.addSeparator()
        add("重发失败邮件", view._retry)
        add("重发失败群消息", self.retry_robots)
        add("导出催办台账…", self.export_ledger)
        menu.addSeparator()
        # Every dispatcher reads the wording here and on the 催办 tab; administrators edit it.
        self.template_action = add("通知单模板…", self.open_template)
        view.templateRequested.connect(self.open_template)
        if permissions.allowed(self.ctx.actor, "settings.edit"):
            add("邮件服务器设置…", self.open_smtp_settings)

    def _send_by_email(self, ids) -> None:
        from taskboard.ui.urge.notice_preview_dialog import send_by_email

        send_by_email(self.window, self.ctx, ids)

    def open_smtp_settings(self):
        from taskboard.ui.urge.smtp_settings_dialog import SmtpSettingsDialog

        return self._open(SmtpSettingsDialog(self.ctx, self.window))

    def open_template(self) -> NoticeTemplateDialog:
        from taskboard.ui.urge.notice_template_dialog import NoticeTemplateDialog

        return self._open(NoticeTemplateDialog(self.ctx, self.window))

    def retry_robots(self):
        from taskboard.ui.urge.robot_send import retry_failed

        self.robot_job = retry_failed(self.window, self.ctx)
        return self.robot_job

    def _inbox_changed(self, what) -> None:
        if "urges" in what and self.inbox is not None:
            self.inbox.reload()

    def _open(self, dialog):
        self.dialog = dialog
        dialog.open()
        return dialog

    # --- urging -------------------------------------------------------------------------------
    def urge_rows(self, rows: Sequence[ScreenRow]) -> Optional[NoticePreviewDialog]:
        window = self.window
        cid, period, today = window.campaign_id(), window.period(), self.ctx.today()
        ids = [r.assignment_id for r in rows]
        try:
            plans = read(self.ctx, lambda s: urging.plan_notices(
                s, self.ctx.actor, cid, period, today, ids))
        except ServiceError as exc:
            QMessageBox.warning(window, "无法催办", str(exc))
            return None
        from taskboard.ui.urge.notice_preview_dialog import NoticePreviewDialog

        return self._open(NoticePreviewDialog(self.ctx, campaign_id=cid, period=period,
                                              plans=plans, parent=window))

    def _rows_of_tasks(self, task_ids) -> list[ScreenRow]:
        board = self.window.board
        if board is None:
            return []
        wanted = set(task_ids)
        rows = read(self.ctx, lambda s: urging.rows_from_board(
            s, self.ctx.actor, board, self.ctx.today()))
        return [r for r in rows if r.task_id in wanted]

    def urge_selected_tasks(self) -> Optional[NoticePreviewDialog]:
        task_ids = self.window.tasks_view.selected_task_ids()
        if not task_ids:
            QMessageBox.information(self.window, "催办", "请先在任务清单中选择要催办的任务。")
            return None
        rows = self._rows_of_tasks(task_ids)
        if not rows:
            QMessageBox.information(self.window, "催办", "所选任务都已办结，无需催办。")
            return None
        return self.urge_rows(rows)

    def phone_rows(self, rows: Sequence[ScreenRow]) -> PhoneUrgeDialog:
        from taskboard.ui.urge.phone_urge_dialog import PhoneUrgeDialog

        return self._open(PhoneUrgeDialog(self.ctx, rows, self.window))

    def phone_current_task(self) -> Optional[PhoneUrgeDialog]:
        task_id = self.window.tasks_view.current_task_id()
        rows = self._rows_of_tasks([task_id]) if task_id is not None else []
        if not rows:
            QMessageBox.information(self.window, "电话催办",
                                    "请先在任务清单中选择一项未办结的任务。")
            return None
        if len(rows) > 1:
            names = [r.unit_name for r in rows]
            name, ok = QInputDialog.getItem(self.window, "电话催办", "致电哪个责任单位？",
                                            names, 0, False)
            if not ok:
                return None
            rows = [rows[names.index(name)]]
        return self.phone_rows(rows)

    def open_notice(self, notice_id: int) -> Optional[NoticePreviewDialog]:
        from taskboard.core.services import urge_delivery
        from taskboard.ui.urge.notice_preview_dialog import NoticePreviewDialog

        try:
            snap = read(self.ctx, lambda s: urge_delivery.load_snapshot(s, self.ctx.actor, notice_id))
        except ServiceError as exc:
            QMessageBox.warning(self.window, "无法打开通知单", str(exc))
            return None
        return self._open(NoticePreviewDialog(self.ctx, snapshot=snap, parent=self.window))

    # --- many notices at once -------------------------------------------------------------------
    def export_notices(self, notice_ids: Sequence[int], path: Optional[Path] = None):
        """导出全部 / 导出所选: one PDF or .docx; the job, whose ``finished`` says the outcome."""
        from taskboard.ui.urge import notice_batch

        if path is None:
            period = self.window.period()
            path = notice_batch.ask_path(self.window, len(notice_ids), period.label)
            if path is None:
                return None
        self.job = notice_batch.export_notices(self.window, self.ctx, notice_ids, path)
        return self.job

    def print_notices(self, notice_ids: Sequence[int], printer=None) -> int:
        from taskboard.ui.urge import notice_batch

        return notice_batch.print_notices(self.window, self.ctx, notice_ids, printer)

    def export_ledger(self, path: Optional[Path] = None) -> Optional[Path]:
        if not isinstance(path, Path):
            name, _ = QFileDialog.getSaveFileName(self.window, "导出催办台账", "催办台账.xlsx",
                                                  "Excel 工作簿 (*.xlsx)")
            if not name:
                return None
            path = Path(name)
        cid = self.window.campaign_id()
        try:
            from taskboard.core.services import urge_inbox
            from taskboard.notify.ledger import write_ledger  # openpyxl: not at start-up

            rows = read(self.ctx, lambda s: urge_inbox.ledger_rows(s, self.ctx.actor, cid))
            write_ledger(rows, path)
        except (ServiceError, OSError) as exc:
            QMessageBox.warning(self.window, "导出失败", f"催办台账未导出：{exc}")
            return None
        QMessageBox.information(self.window, "导出完成",
                                f"已导出 {len(rows)} 条催办记录到\n{path}")
        return path


def install(window) -> None:
    window.urge_actions = UrgeActions(window)
