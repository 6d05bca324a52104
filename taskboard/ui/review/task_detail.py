"""查看详情: one task's fields, per-unit lights and progress, report timeline with evidence,
feedback, urge history and audit trail; approve or return the selected unit's report here.

The dialog is modeless and reloads itself from the change news; the buttons that open other
dialogs only emit signals, which task_actions connects.
"""
from __future__ import annotations

import html
import tempfile
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QUrl, Qt, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog, QGridLayout, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMessageBox,
    QPlainTextEdit, QPushButton, QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from taskboard.core import evidence, permissions
from taskboard.core.board import AWAITING_CLOSE_HINT, due_text
from taskboard.core.detail import TaskDetail, load_detail
from taskboard.core.errors import ServiceError
from taskboard.core.periods import Period
from taskboard.core.rules import LIGHT_COLORS
from taskboard.core.services.review import STATUS_WORDS, review_report
from taskboard.core.settings import load_calendar, load_settings
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.lights import DUE_COLORS
from taskboard.ui.common.loader import BusyIndicator, Loader
from taskboard.ui.common.ops import OpFailed, read, run_op
from taskboard.ui.common.row_table_model import Column, RowTableModel, current_row, fmt_dt, setup_table

REPORT_WORDS = {None: "未报送", **STATUS_WORDS}


def _pct(v) -> str:
    return "—" if v is None else f"{v:.0f}%"


ASSIGNMENT_COLUMNS = [
    Column("亮灯", lambda a: a.light.word, light=lambda a: a.light, width=64),
    Column("责任单位", lambda a: a.unit_name + ("（配合）" if a.supporting else "")
           + ("（已移除）" if a.archived else ""), width=140),
    Column("完成进度", lambda a: f"{a.progress}%", right=True, width=70),
    Column("时序进度", lambda a: _pct(a.time_progress), right=True, width=70),
    Column("滞后", lambda a: "滞后" if a.lagging else "", color=lambda a: "#c62828", width=44),
    Column("时限状态", lambda a: due_text(a.due_state, a.awaiting_close),
           color=lambda a: DUE_COLORS[a.due_state], width=90,
           tooltip=lambda a: AWAITING_CLOSE_HINT if a.awaiting_close else None),
    # Like the main window's lower pane: a closed-out unit owes no report.
    Column("本期报送", lambda a: "已办结" if a.closed else
           REPORT_WORDS.get(a.report_status, a.report_status), width=70),
    Column("待回复反馈", lambda a: str(a.open_feedback or ""), right=True, width=80),
    Column("催办", lambda a: str(a.urge_count), right=True, width=44),
    Column("办结", lambda a: f"{a.closed_on:%Y-%m-%d} {a.close_outcome}" if a.closed_on else "",
           width=200),
]
REPORT_COLUMNS = [
    Column("期次", lambda r: Period.parse(r.period).label, width=80),
    Column("状态", lambda r: STATUS_WORDS.get(r.status, r.status),
           color=lambda r: {"approved": LIGHT_COLORS[0], "pending": LIGHT_COLORS[1],
                            "returned": LIGHT_COLORS[2]}.get(r.status), width=60),
    Column("进度", lambda r: f"{r.progress}%", right=True, width=48),
    Column("报送时间", lambda r: fmt_dt(r.submitted_at), width=120),
    Column("报送人", lambda r: r.submitted_by + ("（代报）" if r.on_behalf else "")
           + ("（补报）" if r.late else ""), width=130),
    Column("附件", lambda r: str(len(r.evidence) or ""), right=True, width=40),
    Column("审核意见", lambda r: r.review_comment, width=160),
    Column("本月进展", lambda r: r.text, width=300),
]
FEEDBACK_COLUMNS = [
    Column("时间", lambda f: fmt_dt(f.created_at), width=120),
    Column("责任单位", lambda f: f.unit_name, width=130),
    Column("反馈内容", lambda f: f.body, width=300),
    Column("状态", lambda f: "已办结" if f.resolved else ("已回复" if f.reply else "待回复"),
           color=lambda f: "#c62828" if f.is_open else None, width=60),
    Column("回复", lambda f: f.reply, width=260),
]
URGE_COLUMNS = [
    Column("时间", lambda u: fmt_dt(u.urged_at), width=120),
    Column("责任单位", lambda u: u.unit_name, width=130),
    Column("方式", lambda u: u.method_word, width=70),
    Column("通知单", lambda u: u.notice, width=120),
    Column("催办人", lambda u: u.urged_by, width=90),
    Column("联系人", lambda u: u.contact, width=80),
    Column("内容", lambda u: u.note, width=200),
    Column("回复", lambda u: u.reply, width=200),
]
AUDIT_COLUMNS = [
    Column("时间", lambda e: fmt_dt(e.at), width=120),
    Column("操作人", lambda e: e.user, width=90),
    Column("操作", lambda e: e.summary, width=360),
    Column("修改前", lambda e: e.before, width=200),
    Column("修改后", lambda e: e.after, width=200),
]


def open_evidence(parent: QWidget, ctx: AppContext, evidence_id: int) -> Optional[Path]:
    """Write the file to a private temporary folder and open it with the system viewer."""
    folder = Path(tempfile.gettempdir()) / "taskboard-evidence"
    try:
        path = read(ctx, lambda s: evidence.export_copy(s, evidence_id, folder))
    except (ServiceError, OSError) as exc:
        QMessageBox.warning(parent, "无法打开佐证材料", str(exc))
        return None
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        QMessageBox.information(parent, "佐证材料", f"已保存到：{path}\n系统没有可以打开此类文件的程序。")
    return path


def _table(model: RowTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    setup_table(view, model)
    return view


class TaskDetailDialog(QDialog):
    editRequested = Signal(int)
    reportRequested = Signal(int, object)  # task id, assignment id or None
    feedbackRequested = Signal(int, object)
    closeRequested = Signal(int, object)

    def __init__(self, ctx: AppContext, task_id: int, period: Period,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WA_DeleteOnClose, False)
        self.ctx = ctx
        self.task_id = task_id
        self.period = period
        self.detail: Optional[TaskDetail] = None

        self.heading = QLabel()
        self.heading.setObjectName("heading")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.fields = QLabel()
        self.fields.setObjectName("fields")
        self.fields.setWordWrap(True)
        self.fields.setTextFormat(Qt.RichText)

        self.assignments = RowTableModel(ASSIGNMENT_COLUMNS, self)
        self.assignment_view = _table(self.assignments, "assignments")
        self.reports = RowTableModel(REPORT_COLUMNS, self)
        self.report_view = _table(self.reports, "reports")
        self.report_text = QLabel()
        self.report_text.setObjectName("reportText")
        self.report_text.setWordWrap(True)
        self.report_text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.report_text.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.files = QListWidget()
        self.files.setObjectName("evidence")
        self.files.setFixedHeight(72)
        self.files.itemActivated.connect(
            lambda item: open_evidence(self, ctx, item.data(Qt.UserRole)))
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("comment")
        self.comment.setPlaceholderText("审核意见（退回时必填）")
        self.comment.setFixedHeight(48)
        self.approve_button = QPushButton("通过")
        self.approve_button.setObjectName("approve")
        self.return_button = QPushButton("退回")
        self.return_button.setObjectName("return")
        self.approve_button.clicked.connect(lambda: self.review(True))
        self.return_button.clicked.connect(lambda: self.review(False))
        review_row = QHBoxLayout()
        review_row.addWidget(self.comment, 1)
        review_row.addWidget(self.approve_button)
        review_row.addWidget(self.return_button)

        side = QWidget()
        sl = QVBoxLayout(side)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.report_text)
        sl.addStretch(1)
        sl.addWidget(QLabel("佐证材料（双击打开）"))
        sl.addWidget(self.files)
        report_split = QSplitter(Qt.Horizontal)
        report_split.addWidget(self.report_view)
        report_split.addWidget(side)
        report_split.setSizes([640, 420])
        timeline = QWidget()
        tl = QVBoxLayout(timeline)
        tl.setContentsMargins(0, 0, 0, 0)
        self.timeline_title = QLabel("报送记录")
        self.timeline_title.setObjectName("paneTitle")
        tl.addWidget(self.timeline_title)
        tl.addWidget(report_split, 1)
        tl.addLayout(review_row)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.assignment_view)
        split.addWidget(timeline)
        split.setSizes([200, 330])

        self.feedback = RowTableModel(FEEDBACK_COLUMNS, self)
        self.urges = RowTableModel(URGE_COLUMNS, self)
        self.audit = RowTableModel(AUDIT_COLUMNS, self)
        self.tabs = QTabWidget()
        self.tabs.addTab(split, "责任单位与报送")
        self.tabs.addTab(_table(self.feedback, "feedback"), "任务反馈")
        self.tabs.addTab(_table(self.urges, "urges"), "催办记录")
        self.audit_view = _table(self.audit, "audit")
        self.tabs.addTab(self.audit_view, "操作日志")

        actor = ctx.actor
        buttons = QHBoxLayout()
        self.edit_button = self._button(buttons, "编辑任务", "task.edit",
                                        lambda: self.editRequested.emit(self.task_id))
        self.report_button = self._button(buttons, "报送进展", "report.submit",
                                          lambda: self.reportRequested.emit(
                                              self.task_id, self._assignment_id()))
        self.feedback_button = self._button(buttons, "任务反馈", "feedback.answer",
                                            lambda: self.feedbackRequested.emit(
                                                self.task_id, self._assignment_id()))
        self.close_button = self._button(buttons, "办结/销号", "task.close",
                                         lambda: self.closeRequested.emit(
                                             self.task_id, self._assignment_id()))
        buttons.addStretch(1)
        done = QPushButton("关闭")
        done.clicked.connect(self.close)
        buttons.addWidget(done)
        can_review = permissions.allowed(actor, "report.review")
        for w in (self.comment, self.approve_button, self.return_button):
            w.setVisible(can_review)

        # Loads in a worker; the dialog keeps what it shows until the new data arrives.
        self.loader = Loader(ctx.db, self, self._detail_work, self._detail_loaded)
        self.loader.failed.connect(lambda msg: self.heading.setText(f"读取失败：{msg}"))
        top = QGridLayout()
        top.addWidget(BusyIndicator("正在读取…").follow(self.loader), 0, 1, Qt.AlignRight)
        top.addWidget(self.heading, 0, 0)
        top.addWidget(self.fields, 1, 0)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

        self.assignment_view.selectionModel().currentRowChanged.connect(
            lambda *_: self._show_timeline())
        self.report_view.selectionModel().currentRowChanged.connect(
            lambda *_: self._show_report())
        ctx.changes.changed.connect(self._on_changed)
        self.resize(1100, 760)
        self.reload()

    def _button(self, row: QHBoxLayout, text: str, operation: str, slot) -> QPushButton:
        b = QPushButton(text)
        b.clicked.connect(slot)
        b.setVisible(permissions.allowed(self.ctx.actor, operation, self.ctx.actor.unit_id))
        row.addWidget(b)
        return b

    # --- data ---------------------------------------------------------------------------------
    def _on_changed(self, what) -> None:
        self.loader.news(what)  # one reload per burst, and none while hidden

    def reload(self) -> None:
        self.loader.request()

    def _detail_work(self):
        task_id, period, today = self.task_id, self.period, self.ctx.today()

        def work(s):
            try:
                return load_detail(s, task_id, period, today, load_calendar(s),
                                   load_settings(s).near_due_workdays)
            except ServiceError as exc:  # deleted meanwhile
                return exc
        return work

    def _detail_loaded(self, d) -> None:
        if isinstance(d, ServiceError):
            self.heading.setText(str(d))
            self.tabs.setEnabled(False)
            return
        keep_aid, keep_rid = self._assignment_id(), self._report_id()
        self.detail = d
        self.setWindowTitle(f"查看详情 · {d.code} {d.title}")
        self.heading.setText(f"{d.code}  {d.title}")
        self.fields.setText(self._fields_html(d))
        self.assignments.set_rows(d.assignments)
        self.feedback.set_rows(d.feedback)
        self.urges.set_rows(d.urges)
        self.audit.set_rows(d.audit)
        self.tabs.setTabText(1, f"任务反馈（{sum(f.is_open for f in d.feedback)} 待回复）")
        self.tabs.setTabText(2, f"催办记录（{len(d.urges)}）")
        actor = self.ctx.actor
        self.report_button.setEnabled(any(
            not a.closed and not a.archived
            and (actor.role != permissions.REPORTER or a.unit_id == actor.unit_id)
            for a in d.assignments))
        self.report_button.setToolTip("" if self.report_button.isEnabled()
                                      else "已办结，无需报送")
        self.fields.setToolTip(AWAITING_CLOSE_HINT if d.awaiting_close else "")
        row = next((i for i, a in enumerate(d.assignments) if a.assignment_id == keep_aid), 0)
        if d.assignments:
            self.assignment_view.setCurrentIndex(self.assignments.index(row, 0))
        self._show_timeline(keep_rid)

    def _fields_html(self, d: TaskDetail) -> str:
        def cell(k, v):
            return f"<td style='color:#555;padding-right:4px'>{k}</td><td style='padding-right:18px'>{v}</td>"
        e = html.escape
        light = (f"<span style='color:{LIGHT_COLORS[d.light]}'>●</span> {d.light.word}"
                 f"（{d.light.meaning}）")
        closed = (f"{d.closed_on:%Y-%m-%d} {e(d.close_outcome)} {e(d.close_note)}"
                  if d.closed_on else "未办结")
        rows = [
            [("专项工作", e(d.campaign)), ("牵头单位", e(d.lead_unit or "—")),
             ("分管领导", e(d.leader or "—"))],
            [("类别/指标", e(d.category or "—")), ("开始日期", f"{d.start_date:%Y-%m-%d}"),
             ("完成时限", e(d.deadline_text))],
            [(f"{d.period.label}亮灯", light),
             ("时限状态", f"<span style='color:{DUE_COLORS[d.due_state]}'>"
              f"{due_text(d.due_state, d.awaiting_close)}</span>"),
             ("完成进度", f"{d.progress:.0f}% / 时序 {_pct(d.time_progress)}"
              + ("<span style='color:#c62828'>（滞后）</span>" if d.lagging else ""))],
            [("办结销号", closed), ("任务描述", e(d.description or "—")),
             ("工作目标", e(d.target or "—"))],
        ]
        body = "".join("<tr>" + "".join(cell(k, v) for k, v in r) + "</tr>" for r in rows)
        return f"<table>{body}</table>"

    def _assignment_id(self) -> Optional[int]:
        a = current_row(self.assignment_view)
        return a.assignment_id if a else None

    def _report_id(self) -> Optional[int]:
        r = current_row(self.report_view)
        return r.report_id if r else None

    def _show_timeline(self, keep_rid: Optional[int] = None) -> None:
        a = current_row(self.assignment_view)
        rows = self.detail.reports_of(a.assignment_id) if (a and self.detail) else []
        self.timeline_title.setText(f"{a.unit_name} · 报送记录（{len(rows)} 次）" if a else "报送记录")
        self.reports.set_rows(rows)
        if rows:
            i = next((k for k, r in enumerate(rows) if r.report_id == keep_rid), 0)
            self.report_view.setCurrentIndex(self.reports.index(i, 0))
        self._show_report()

    def _show_report(self) -> None:
        r = current_row(self.report_view)
        self.files.clear()
        pending = r is not None and r.status == "pending"
        self.approve_button.setEnabled(pending)
        self.return_button.setEnabled(pending)
        if r is None:
            self.report_text.setText("该单位还没有报送记录。")
            return
        self.report_text.setText(
            f"本月进展：{r.text}\n存在问题：{r.problems or '—'}\n下步计划：{r.next_steps or '—'}"
            + (f"\n审核：{r.reviewer} {fmt_dt(r.reviewed_at)} {r.review_comment}"
               if r.reviewed_at else ""))
        for f in r.evidence:
            item = QListWidgetItem(f"{f.filename}（{f.size_text}）")
            item.setData(Qt.UserRole, f.evidence_id)
            self.files.addItem(item)

    # --- review ------------------------------------------------------------------------------
    def review(self, approve: bool) -> None:
        rid = self._report_id()
        if rid is None:
            return
        actor, comment = self.ctx.actor, self.comment.toPlainText()
        try:
            run_op(self, self.ctx, lambda s: review_report(s, actor, rid, approve, comment),
                   ("reports",), title="审核失败")
        except OpFailed:
            return
        self.comment.clear()
