"""审核队列: step through every pending report up to the period with the keyboard, earlier
periods' leftovers first (each row says its period).

A = 通过, R = 退回 (needs the comment), J/↓ = next, K/↑ = previous. Letter keys do not fire
while the comment box has focus, so typing a comment is safe; from the comment box
Ctrl+Enter (or Alt+A) approves and Ctrl+Shift+Enter (or Alt+R) returns. Ctrl+Z takes the
last verdict back.
"""
from __future__ import annotations

import html
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton,
    QSplitter, QTableView, QTextBrowser, QVBoxLayout, QWidget,
)

from taskboard.core import evidence
from taskboard.core.periods import Period
from taskboard.core.services import undo
from taskboard.core.services.review import PendingReport, pending_reports
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op, tell_done
from taskboard.ui.common.row_table_model import Column, RowTableModel, fmt_dt, setup_table
from taskboard.ui.review.task_detail import open_evidence

EARLIER_COLOR = "#b45309"


def columns(period: Period) -> list[Column]:
    p = str(period)

    def period_text(r: PendingReport) -> str:
        return Period.parse(r.period).label + ("（往期）" if r.period < p else "")

    return [
        Column("期次", period_text, color=lambda r: EARLIER_COLOR if r.period < p else None,
               tooltip=lambda r: "往期报送，至今未审核" if r.period < p else None, width=140),
        Column("任务编号", lambda r: r.code, width=64),
        Column("责任单位", lambda r: r.unit_name, width=150),
        Column("进度", lambda r: f"{r.progress}%", right=True, width=50),
        Column("标记", lambda r: "、".join(
            w for w, on in (("代报", r.on_behalf), ("补报", r.late),
                            (f"附件{r.evidence_count}", r.evidence_count)) if on), width=90),
    ]



def _report_html(r: PendingReport) -> str:
    def block(title: str, text: str) -> str:
        body = html.escape(text).replace("\n", "<br>") if text else "<span style='color:#888'>（无）</span>"
        return f"<p><b>{title}</b><br>{body}</p>"

    flags = [w for w, on in (("调度人员代报", r.on_behalf), ("逾期补报", r.late)) if on]
    return (f"<h3>{html.escape(r.code)} {html.escape(r.title)}</h3>"
            f"<p>{html.escape(r.unit_name)} · {Period.parse(r.period).label} · 完成进度 "
            f"<b>{r.progress}%</b><br>报送人：{html.escape(r.submitted_by or '—')} · "
            f"{fmt_dt(r.submitted_at)}{'（' + '，'.join(flags) + '）' if flags else ''}</p>"
            + block("本月进展", r.text) + block("存在问题", r.problems)
            + block("下步计划", r.next_steps))


class ReviewQueueDialog(QDialog):
    def __init__(self, ctx: AppContext, campaign_id: int, period: Period,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.campaign_id = campaign_id
        self.period = period
        self.reviewed = 0
        self.undo_ticket: Optional[undo.UndoTicket] = None
        self.setWindowTitle(f"审核队列 · 截至{period.label}")

        self.model = RowTableModel(columns(period), self)
        self.table = QTableView()
        self.table.setObjectName("queueTable")
        setup_table(self.table, self.model)
        # Ctrl+A or Shift+↓ then A approves the lot; 退回 always takes the current one.
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.position = QLabel()
        self.position.setObjectName("position")
        self.view = QTextBrowser()
        self.view.setObjectName("reportView")
        self.files = QListWidget()
        self.files.setObjectName("evidence")
        self.files.setFixedHeight(64)
        self.files.itemActivated.connect(lambda item: open_evidence(self, ctx, item.data(Qt.UserRole)))
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("comment")
        self.comment.setPlaceholderText("审核意见（退回时必填，告诉单位需要补充或修改什么）")
        self.comment.setFixedHeight(64)
        self.comment.setTabChangesFocus(True)
        self.approve_button = QPushButton("通过 (A)")
        self.approve_button.setObjectName("approve")
        self.approve_button.setToolTip("A，或在审核意见中按 Ctrl+Enter / Alt+A")
        self.return_button = QPushButton("退回 (R)")
        self.return_button.setObjectName("return")
        self.return_button.setToolTip("R，或在审核意见中按 Ctrl+Shift+Enter / Alt+R")
        self.undo_button = QPushButton("撤销上一条 (Ctrl+Z)")
        self.undo_button.setObjectName("undo")
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self.undo_last)
        self.done_label = QLabel()
        self.done_label.setObjectName("doneLabel")
        prev_button = QPushButton("上一条 (K)")
        next_button = QPushButton("下一条 (J)")
        self.approve_button.clicked.connect(lambda: self.review(True))
        self.return_button.clicked.connect(lambda: self.review(False))
        prev_button.clicked.connect(lambda: self.step(-1))
        next_button.clicked.connect(lambda: self.step(1))
        buttons = QHBoxLayout()
        for b in (self.approve_button, self.return_button, self.undo_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(prev_button)
        buttons.addWidget(next_button)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.position)
        rl.addWidget(self.view, 1)
        rl.addWidget(QLabel("佐证材料（双击打开）"))
        rl.addWidget(self.files)
        rl.addWidget(self.comment)
        rl.addLayout(buttons)
        rl.addWidget(self.done_label)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setSizes([530, 510])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        for keys, slot in ((("A",), lambda: self.review(True)), (("R",), lambda: self.review(False)),
                           (("J", "Down"), lambda: self.step(1)),
                           (("K", "Up"), lambda: self.step(-1))):
            for key in keys:
                sc = QShortcut(QKeySequence(key), self)
                sc.setContext(Qt.WidgetWithChildrenShortcut)
                sc.activated.connect(slot)
        # These work from inside the comment box too: the text box does not claim them.
        for key, slot in (("Ctrl+Return", lambda: self.review(True)),
                          ("Ctrl+Enter", lambda: self.review(True)),
                          ("Alt+A", lambda: self.review(True)),
                          ("Ctrl+Shift+Return", lambda: self.review(False)),
                          ("Ctrl+Shift+Enter", lambda: self.review(False)),
                          ("Alt+R", lambda: self.review(False)),
                          ("Ctrl+Z", self.undo_last)):
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show())
        ctx.changes.changed.connect(self._on_changed)
        self.resize(1060, 640)
        self.reload()

    # --- data -------------------------------------------------------------------------------
    def reload(self, keep_row: Optional[int] = None) -> None:
        current = self.current()
        rows = read(self.ctx, lambda s: pending_reports(s, self.campaign_id, up_to=self.period))
        self.model.set_rows(rows)
        row = 0
        if keep_row is not None:
            row = min(keep_row, len(rows) - 1)
        elif current is not None:
            row = next((i for i, r in enumerate(rows) if r.report_id == current.report_id), 0)
        if rows:
            self.table.setCurrentIndex(self.model.index(max(0, row), 0))
        self._show()

    def _on_changed(self, what) -> None:
        if what & {"reports", "tasks"}:
            self.reload()

    def current(self) -> Optional[PendingReport]:
        idx = self.table.currentIndex()
        return self.model.row_at(idx.row()) if idx.isValid() else None

    def _show(self) -> None:
        r = self.current()
        n = self.model.rowCount()
        has = r is not None
        self.approve_button.setEnabled(has)
        self.return_button.setEnabled(has)
        self.files.clear()
        if not has:
            self.position.setText(f"截至{self.period.label}没有待审核的报送。"
                                  f"本次已审核 {self.reviewed} 条。")
            self.view.setHtml("<p style='color:#666'>全部审核完毕。</p>")
            return
        p = str(self.period)
        earlier = sum(1 for row in self.model.rows() if row.period < p)
        split = f"（本期 {n - earlier} 条，往期 {earlier} 条）" if earlier else ""
        self.position.setText(f"第 {self.table.currentIndex().row() + 1} / {n} 条待审核{split}"
                              f" · 本条为{Period.parse(r.period).label}报送 · "
                              f"本次已审核 {self.reviewed} 条")
        self.view.setHtml(_report_html(r))
        files = read(self.ctx, lambda s: evidence.list_for_reports(s, [r.report_id]))
        for f in files.get(r.report_id, []):
            item = QListWidgetItem(f"{f.filename}（{f.size_text}）")
            item.setData(Qt.UserRole, f.evidence_id)
            self.files.addItem(item)

    # --- actions ------------------------------------------------------------------------------
    def step(self, delta: int) -> None:
        n = self.model.rowCount()
        if n:
            row = max(0, min(n - 1, self.table.currentIndex().row() + delta))
            self.table.setCurrentIndex(self.model.index(row, 0))

    def review(self, approve: bool) -> None:
        r = self.current()
        if r is None:
            return
        comment = self.comment.toPlainText()
        if not approve and not comment.strip():
            self.comment.setFocus()
            self.position.setText("退回需要填写审核意见：请在下方输入后再按“退回”。")
            return
        actor, row = self.ctx.actor, self.table.currentIndex().row()
        chosen = [self.model.row_at(i.row()) for i in self.table.selectionModel().selectedRows()]
        many = approve and len(chosen) > 1
        ids = [c.report_id for c in chosen]
        self._busy(True)
        try:
            self.ctx.changes.changed.disconnect(self._on_changed)
            ticket = run_op(
                self, self.ctx,
                (lambda s: undo.approve_many(s, actor, ids)) if many else
                (lambda s: undo.review(s, actor, r.report_id, approve, comment)),
                ("reports",), title="审核失败")
        except OpFailed:
            self.reload()
            return
        finally:
            self.ctx.changes.changed.connect(self._on_changed)
            self._busy(False)
        self.reviewed += len(ids) if many else 1
        self._remember(ticket, f"已通过 {len(ids)} 条报送" if many else
                       f"已{'通过' if approve else '退回'}：{r.code} {ticket.label[5:]}")
        self.comment.clear()
        self.reload(keep_row=row)
        self.table.setFocus()

    def _busy(self, on: bool) -> None:
        """No second verdict while the first is being stored."""
        for b in (self.approve_button, self.return_button, self.undo_button):
            b.setEnabled(not on)
        if not on:
            self.undo_button.setEnabled(self.undo_ticket is not None)

    def _remember(self, ticket: Optional[undo.UndoTicket], text: str) -> None:
        self.undo_ticket = ticket
        self.undo_button.setEnabled(ticket is not None)
        hint = "（Ctrl+Z 撤销）" if ticket is not None else ""
        self.done_label.setText(text + hint)
        tell_done(self.parentWidget(), text)

    def undo_last(self) -> None:
        ticket = self.undo_ticket
        if ticket is None:
            return
        actor = self.ctx.actor
        self._busy(True)
        try:
            self.ctx.changes.changed.disconnect(self._on_changed)
            summary = run_op(self, self.ctx, lambda s: undo.undo(s, actor, ticket),
                             ("reports",), title="撤销失败")
        except OpFailed:
            self._remember(None, "未能撤销。")
            return
        finally:
            self.ctx.changes.changed.connect(self._on_changed)
            self._busy(False)
        self.reviewed -= max(1, len(ticket.parts))
        self._remember(None, f"已{summary}")
        self.reload()
        # Back on the report just taken back, so it can be judged again at once.
        target = ticket.parts[0].target_id if ticket.parts else ticket.target_id
        for i, row in enumerate(self.model.rows()):
            if row.report_id == target:
                self.table.setCurrentIndex(self.model.index(i, 0))
        self.table.setFocus()
