"""The dispatcher's four powers wired into the main window: menus, toolbar, double-click.

编辑任务 (new, edit, copy, delete, bulk edit), 查看详情, 报送 and 审核队列, 任务反馈,
办结/销号, undo of the last edit, unit and campaign management.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import select

from taskboard.core import permissions
from taskboard.core.errors import ConflictError
from taskboard.core.models import Assignment, Task, Unit
from taskboard.core.periods import Period
from taskboard.core.services.reports import counted_progress
from taskboard.ui.tasks.assignment_table_model import AssignmentIdRole
from taskboard.ui.common.ops import OpFailed, ask, read, run_op, tell_done

if TYPE_CHECKING:
    from taskboard.ui.review.task_detail import TaskDetailDialog
    from taskboard.ui.tasks.task_editor import TaskEditorDialog, UndoEntry

# The editor, the detail dialog and the services behind them are imported when first opened:
# the first window does not wait for them.


class TaskActions(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self.undo_entry: Optional[UndoEntry] = None
        self.details: dict[int, TaskDetailDialog] = {}
        actor = self.ctx.actor

        def act(text, slot, shortcut=None, operation=None, menu="task"):
            a = QAction(text, window)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(lambda *_: slot())
            if operation and not permissions.allowed(actor, operation, actor.unit_id):
                a.setVisible(False)
                a.setEnabled(False)
            window.menus[menu].addAction(a)
            return a

        self.new_action = act("新建任务", self.new_task, "Ctrl+N", "task.edit")
        self.edit_action = act("编辑任务", self.edit_task, "Ctrl+E", "task.edit")
        self.copy_action = act("复制任务", self.copy_task, "Ctrl+Shift+C", "task.edit")
        self.delete_action = act("删除任务", self.delete_task, QKeySequence.Delete, "task.edit")
        # Delete acts only while the task table has focus, never on text being typed.
        self.delete_action.setShortcutContext(Qt.WidgetShortcut)
        window.tasks_view.table.addAction(self.delete_action)
        self.bulk_action = act("批量编辑…", self.bulk_edit, "Ctrl+B", "task.edit")
        window.menus["task"].addSeparator()
        self.detail_action = act("查看详情", self.show_detail, "Ctrl+D", "board.view")
        self.report_action = act("报送进展…", self.report, "Ctrl+R", "report.submit")
        self.review_action = act("审核队列…", self.review_queue, "Ctrl+Shift+R", "report.review")
        self.feedback_action = act("任务反馈…", self.feedback, "Ctrl+K", "feedback.answer")
        self.close_action = act("办结/销号…", self.close_out, "Ctrl+Shift+K", "task.close")
        window.menus["task"].addSeparator()
        self.undo_action = act("撤销", self.undo, QKeySequence.Undo, "task.edit")
        self.undo_action.setEnabled(False)
        self.units_action = act("单位管理…", self.manage_units, None, "unit.manage", "admin")
        self.campaigns_action = act("专项工作管理…", self.manage_campaigns, None,
                                    "campaign.manage", "admin")
        for a in (self.new_action, self.edit_action, self.detail_action, self.report_action,
                  self.review_action):
            if a.isVisible():
                window.toolbar.addAction(a)
        window.tasks_view.taskActivated.connect(self.show_detail)
        window.tasks_view.selectionChangedTo.connect(lambda *_: self._update_report_action())
        window.boardLoaded.connect(lambda *_: self._update_report_action())

    # --- helpers ----------------------------------------------------------------------------
    def run_dialog(self, dialog: QDialog) -> int:
        """Tests replace this to drive a dialog without a modal loop."""
        return dialog.exec()

    def _task_id(self, task_id: Optional[int] = None) -> Optional[int]:
        tid = task_id or self.window.tasks_view.current_task_id()
        if tid is None:
            QMessageBox.information(self.window, "提示", "请先在任务清单中选择一项任务。")
        return tid

    def _current_assignment(self) -> Optional[int]:
        idx = self.window.tasks_view.assignment_table.currentIndex()
        return idx.data(AssignmentIdRole) if idx.isValid() else None

    def _remember(self, entry: Optional[UndoEntry]) -> None:
        self.undo_entry = entry
        self.undo_action.setEnabled(entry is not None)
        self.undo_action.setText(f"撤销：{entry.label}" if entry else "撤销")

    def _after_edit(self, dialog: TaskEditorDialog) -> None:
        self._remember(dialog.undo_entry)
        if dialog.saved_task_id is not None:
            self.window.select_task_when_loaded(dialog.saved_task_id)

    # --- 编辑任务 ---------------------------------------------------------------------------
    def new_task(self) -> None:
        from taskboard.ui.tasks.task_editor import TaskEditorDialog

        cid = self.window.campaign_id()
        if cid is None:
            QMessageBox.information(self.window, "提示", "请先在“管理 → 专项工作管理”中新建专项工作。")
            return
        d = TaskEditorDialog(self.ctx, campaign_id=cid, parent=self.window)
        if self.run_dialog(d) == QDialog.Accepted:
            self._after_edit(d)

    def edit_task(self, task_id: Optional[int] = None) -> None:
        from taskboard.ui.tasks.task_editor import TaskEditorDialog

        tid = self._task_id(task_id)
        if tid is None:
            return
        d = TaskEditorDialog(self.ctx, task_id=tid, parent=self.window)
        if self.run_dialog(d) == QDialog.Accepted:
            self._after_edit(d)

    def copy_task(self) -> None:
        from taskboard.ui.tasks.task_editor import TaskEditorDialog

        tid = self._task_id()
        if tid is None:
            return
        d = TaskEditorDialog(self.ctx, copy_from=tid, parent=self.window)
        if self.run_dialog(d) == QDialog.Accepted:
            self._after_edit(d)

    def delete_task(self) -> None:
        from taskboard.core.services import tasks as task_service
        from taskboard.ui.tasks.task_editor import UndoEntry

        tid = self._task_id()
        if tid is None:
            return
        code, title, version = read(self.ctx, lambda s: s.execute(
            select(Task.code, Task.title, Task.version).where(Task.id == tid)).one())
        if not ask(self.window, "删除任务", f"确定删除任务 {code} {title}？\n"
                   "报送记录和操作日志将保留，可用“撤销”恢复。"):
            return
        actor, today = self.ctx.actor, self.ctx.today()
        try:
            run_op(self.window, self.ctx,
                   lambda s: task_service.delete_task(s, actor, tid, version, today=today),
                   ("tasks",),
                   title="删除失败")
        except OpFailed:
            return
        except ConflictError as err:  # someone changed it meanwhile
            QMessageBox.warning(self.window, "删除失败", str(err))
            return
        self._remember(UndoEntry(f"删除任务 {code}",
                                 lambda s: task_service.restore_task(s, actor, tid, code)))

    def bulk_edit(self) -> None:
        from taskboard.ui.tasks.bulk_edit import BulkEditDialog

        ids = self.window.tasks_view.selected_task_ids()
        if not ids:
            QMessageBox.information(self.window, "提示", "请先在任务清单中选择要批量修改的任务（可按住 Ctrl 或 Shift 多选）。")
            return
        self.run_dialog(BulkEditDialog(self.ctx, ids, parent=self.window))

    def undo(self) -> None:
        entry = self.undo_entry
        if entry is None:
            return
        try:
            run_op(self.window, self.ctx, entry.work, ("tasks", "reports"), title="撤销失败")
        except OpFailed:
            return
        except ConflictError as err:  # the task changed again since: nothing silently lost
            QMessageBox.warning(self.window, "撤销失败", f"{err}\n任务在此之后又被修改，无法撤销。")
            return
        self._remember(None)
        tell_done(self.window, f"已撤销：{entry.label}")

    def _remember_ticket(self, ticket) -> None:
        """An approve, return or close-out joins the same one-step undo as the edits."""
        from taskboard.core.services import undo as undo_service
        from taskboard.ui.tasks.task_editor import UndoEntry

        if ticket is not None:
            actor = self.ctx.actor
            self._remember(UndoEntry(ticket.label, lambda s: undo_service.undo(s, actor, ticket)))

    # --- 查看详情 / 报送 / 审核 -------------------------------------------------------------
    def show_detail(self, task_id: Optional[int] = None) -> Optional[TaskDetailDialog]:
        from taskboard.ui.review.task_detail import TaskDetailDialog

        tid = self._task_id(task_id)
        if tid is None:
            return None
        d = self.details.get(tid)
        if d is None:
            d = TaskDetailDialog(self.ctx, tid, self.window.period(), parent=self.window)
            d.editRequested.connect(self.edit_task)
            d.reportRequested.connect(self.report)
            d.feedbackRequested.connect(self.feedback)
            d.closeRequested.connect(self.close_out)
            d.finished.connect(lambda *_: self.details.pop(tid, None))
            self.details[tid] = d
        else:
            d.reload()
        d.show()
        d.raise_()
        return d

    def _assignments(self, tid: int, open_only: bool = True) -> list[tuple[int, str, int]]:
        """(assignment id, unit name, progress the board shows) the user may act on."""
        return [(aid, name, progress) for aid, name, progress, closed in
                self._unit_states(tid) if not (open_only and closed)]

    def _unit_states(self, tid: int) -> list[tuple[int, str, int, bool]]:
        """(assignment id, unit name, counted progress, closed out) of the user's units."""
        actor = self.ctx.actor
        period = min(self.window.period(), Period.of(self.ctx.today()))
        q = (select(Assignment.id, Unit.name, Assignment.closed_on.is_not(None))
             .join(Unit, Unit.id == Assignment.unit_id)
             .where(Assignment.task_id == tid, Assignment.archived.is_(False))
             .order_by(Unit.sort_order, Unit.id))
        if actor.role == permissions.REPORTER:
            q = q.where(Assignment.unit_id == actor.unit_id)

        def work(s):
            rows = s.execute(q).all()
            progress = counted_progress(s, [r[0] for r in rows], period)
            return [(aid, name, progress[aid], bool(closed)) for aid, name, closed in rows]
        return read(self.ctx, work)

    def _update_report_action(self) -> None:
        """报送进展 is offered only when the current task has a unit of ours still open."""
        a = self.report_action
        if not a.isVisible():
            return
        tid = self.window.tasks_view.current_task_id()
        board = self.window.board
        if tid is None or board is None:
            a.setEnabled(False)
            return
        actor = self.ctx.actor
        mine = [r for r in board.assignments.get(tid, ())
                if actor.role != permissions.REPORTER or r.unit_id == actor.unit_id]
        a.setEnabled(any(not r.closed for r in mine))

    def report(self, task_id: Optional[int] = None, assignment_id: Optional[int] = None) -> None:
        from taskboard.ui.review.report_dialog import ReportDialog

        tid = self._task_id(task_id)
        if tid is None:
            return
        code, title, closed_on = read(self.ctx, lambda s: s.execute(
            select(Task.code, Task.title, Task.closed_on).where(Task.id == tid)).one())
        if closed_on is not None:
            QMessageBox.information(self.window, "报送进展",
                                    f"任务 {code} 已于 {closed_on:%Y-%m-%d} 办结销号，无需报送。")
            return
        units = self._unit_states(tid)
        wanted = assignment_id or self._current_assignment()
        picked = next((u for u in units if u[0] == wanted), None)
        if picked is not None and picked[3]:
            others = any(not u[3] for u in units)
            QMessageBox.information(self.window, "报送进展",
                                    f"{picked[1]}承担的任务 {code} 已办结，无需报送。"
                                    + ("\n其他单位请在责任单位列表中选中后再报送。" if others else ""))
            return
        choices = [(aid, name, progress) for aid, name, progress, closed in units if not closed]
        if not choices:
            QMessageBox.information(self.window, "报送进展", (
                f"任务 {code} 的责任单位均已办结，无需报送。" if units else
                f"任务 {code} 没有本单位承担的责任分工，无需报送。"))
            return
        d = ReportDialog(self.ctx, f"{code} {title}", choices, self.window.period(),
                         wanted, parent=self.window)
        self.run_dialog(d)

    def review_queue(self) -> None:
        from taskboard.ui.review.review_queue import ReviewQueueDialog

        cid = self.window.campaign_id()
        if cid is None:
            return
        d = ReviewQueueDialog(self.ctx, cid, self.window.period(), parent=self.window)
        self.run_dialog(d)
        self._remember_ticket(d.undo_ticket)

    # --- 任务反馈 / 办结 ----------------------------------------------------------------------
    def feedback(self, task_id: Optional[int] = None, assignment_id: Optional[int] = None) -> None:
        from taskboard.ui.review.feedback_dialog import FeedbackDialog

        tid = self._task_id(task_id)
        if tid is None:
            return
        choices = self._assignments(tid, open_only=False)
        if not choices:
            QMessageBox.information(self.window, "任务反馈", "该任务没有可反馈的责任单位。")
            return
        code, title = read(self.ctx, lambda s: s.execute(
            select(Task.code, Task.title).where(Task.id == tid)).one())
        self.run_dialog(FeedbackDialog(self.ctx, choices, assignment_id or self._current_assignment(),
                                       parent=self.window, task_label=f"{code} {title}"))

    def close_out(self, task_id: Optional[int] = None, assignment_id: Optional[int] = None) -> None:
        from taskboard.ui.review.close_out_dialog import CloseOutDialog

        tid = self._task_id(task_id)
        if tid is None:
            return
        d = CloseOutDialog(self.ctx, tid, assignment_id or self._current_assignment(),
                           period=self.window.period(), parent=self.window)
        self.run_dialog(d)
        self._remember_ticket(d.undo_ticket)

    # --- management -----------------------------------------------------------------------------
    def manage_units(self) -> None:
        from taskboard.ui.admin.unit_manager import UnitManagerDialog

        self.run_dialog(UnitManagerDialog(self.ctx, parent=self.window))

    def manage_campaigns(self) -> None:
        from taskboard.ui.admin.campaign_manager import CampaignManagerDialog

        self.run_dialog(CampaignManagerDialog(self.ctx, parent=self.window))


def install(window) -> None:
    window.task_actions = TaskActions(window)
