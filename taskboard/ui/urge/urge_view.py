"""催办 tab: screen this period's assignments by unit, urge some or all, follow the notices."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QMessageBox,
    QPushButton,
    QSplitter, QTableView, QTreeView, QVBoxLayout, QWidget,
)

from taskboard.core.board import Board
from taskboard.core.services import urge_inbox, urging
from taskboard.core.services.urge_inbox import EMAIL_WORDS, NoticeRow, delivery_words
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.loader import BusyIndicator, Loader
from taskboard.ui.common.ops import read
from taskboard.ui.common.row_table_model import Column, RowTableModel, current_row, fmt_dt, setup_table
from taskboard.ui.urge.urge_tree_model import WIDTHS, UrgeTreeModel

FILTER_BOXES = (("unreported", "未报送"), ("returned", "已退回"), ("reported", "已报送"),
                ("near_due", "临期"), ("overdue", "超期"), ("lagging", "滞后"))


def notice_columns() -> list[Column]:
    return [
        Column("文号", lambda n: n.number_text, width=130,
               color=lambda n: "#c62828" if n.kind == "supervise" else None),
        Column("单位", lambda n: n.unit_name, width=170),
        Column("任务数", lambda n: str(n.task_count), right=True, width=55),
        Column("发出时间", lambda n: fmt_dt(n.issued_at), width=125),
        Column("回复期限", lambda n: n.reply_by.isoformat() if n.reply_by else "", width=90),
        Column("邮件", lambda n: EMAIL_WORDS.get(n.email_status, n.email_status), width=60,
               tooltip=lambda n: n.email_error or None,
               color=lambda n: "#c62828" if n.email_status == "failed" else None),
        Column("送达", lambda n: " · ".join(delivery_words(n)[:-1]), width=290,
               tooltip=lambda n: "\n".join(delivery_words(n))),
        Column("状态", lambda n: n.state_word, width=60),
        Column("回复", lambda n: n.answer, width=260),
    ]


class UrgeView(QWidget):
    """Emits what the dispatcher asks for; urge_actions opens the dialogs."""

    urgeRequested = Signal(object)  # list[ScreenRow]
    phoneRequested = Signal(object)  # list[ScreenRow]
    noticeOpened = Signal(int)  # notice id
    retryRequested = Signal(object)  # list[int] notice ids
    printAllRequested = Signal(object)  # list[int] notice ids, in filing order
    exportAllRequested = Signal(object)  # list[int] notice ids, in filing order
    ledgerRequested = Signal()
    templateRequested = Signal()

    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._board: Optional[Board] = None
        # Screening runs in a worker; the old list stays on show meanwhile.
        self.loader = Loader(ctx.db, self, self._screen_work, self._screened)
        self.busy = BusyIndicator("正在筛查…").follow(self.loader)

        self.filters: dict[str, QCheckBox] = {}
        bar = QHBoxLayout()
        bar.addWidget(QLabel("报送："))
        for key, word in FILTER_BOXES:
            if key == "near_due":
                bar.addSpacing(12)
                bar.addWidget(QLabel("时限："))
            box = QCheckBox(word)
            box.setObjectName(f"filter_{key}")
            box.setChecked(key in ("unreported", "returned"))
            box.toggled.connect(self.refresh)
            self.filters[key] = box
            bar.addWidget(box)
        bar.addStretch(1)
        self.summary = QLabel()
        self.summary.setObjectName("urgeSummary")
        bar.addWidget(self.summary)
        self.early_note = QLabel()
        self.early_note.setObjectName("earlyNote")
        self.early_note.setWordWrap(True)
        self.early_note.setStyleSheet("background:#fff8e1; color:#7a4f00; padding:4px 8px;"
                                      "border:1px solid #f0d58c; border-radius:3px")
        self.early_note.setVisible(False)

        self.model = UrgeTreeModel(self)
        self.tree = QTreeView()
        self.tree.setObjectName("urgeTree")
        self.tree.setModel(self.model)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(QHeaderView.Interactive)
        for col, width in enumerate(WIDTHS):
            self.tree.setColumnWidth(col, width)

        self.check_all = QPushButton("全选")
        self.check_none = QPushButton("全不选")
        self.urge_button = QPushButton("生成催办通知单…")
        self.urge_button.setObjectName("urgeButton")
        self.urge_all_button = QPushButton("全部催办…")
        self.urge_all_button.setObjectName("urgeAllButton")
        self.urge_all_button.setToolTip("为上方列出的全部任务生成催办通知单（无需逐项勾选）")
        self.urge_all_button.clicked.connect(self._urge_all)
        self.phone_button = QPushButton("电话催办…")
        self.ledger_button = QPushButton("导出催办台账…")
        self.template_button = QPushButton("通知单模板…")
        self.template_button.setObjectName("templateButton")
        self.template_button.setToolTip("查看（管理员可修改）催办、督办通知单的文字")
        self.template_button.clicked.connect(self.templateRequested)
        self.checked_label = QLabel()
        actions = QHBoxLayout()
        for w in (self.check_all, self.check_none, self.checked_label):
            actions.addWidget(w)
        actions.addStretch(1)
        for w in (self.phone_button, self.urge_button, self.urge_all_button, self.template_button,
                  self.ledger_button):
            actions.addWidget(w)

        self.notice_model = RowTableModel(notice_columns(), self)
        self.notices = QTableView()
        self.notices.setObjectName("noticeTable")
        setup_table(self.notices, self.notice_model)
        # Many at once: Ctrl/Shift-click or Ctrl+A, then 打印所选 / 导出所选.
        self.notices.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.failed_only = QCheckBox("只看邮件发送失败的")
        self.open_button = QPushButton("查看 / 打印…")
        self.retry_button = QPushButton("重发失败邮件")
        self.print_all_button = QPushButton("打印全部…")
        self.print_all_button.setObjectName("printAllNotices")
        self.export_all_button = QPushButton("导出全部…")
        self.export_all_button.setObjectName("exportAllNotices")
        self.notice_title = QLabel("本期已发通知单")
        self.notice_title.setObjectName("paneTitle")
        nbar = QHBoxLayout()
        for w in (self.notice_title, self.failed_only):
            nbar.addWidget(w)
        nbar.addStretch(1)
        for w in (self.open_button, self.print_all_button, self.export_all_button,
                  self.retry_button):
            nbar.addWidget(w)

        upper, lower = QWidget(), QWidget()
        ul = QVBoxLayout(upper)
        ul.setContentsMargins(4, 4, 4, 0)
        bar.addWidget(self.busy)
        ul.addLayout(bar)
        ul.addWidget(self.early_note)
        ul.addWidget(self.tree)
        ul.addLayout(actions)
        ll = QVBoxLayout(lower)
        ll.setContentsMargins(4, 4, 4, 4)
        ll.addLayout(nbar)
        ll.addWidget(self.notices)
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.check_all.clicked.connect(lambda: self.model.set_all_checked(True))
        self.check_none.clicked.connect(lambda: self.model.set_all_checked(False))
        self.model.dataChanged.connect(self._show_checked)
        self.model.modelReset.connect(self._show_checked)
        self.urge_button.clicked.connect(self._urge)
        self.phone_button.clicked.connect(self._phone)
        self.ledger_button.clicked.connect(self.ledgerRequested)
        self.failed_only.toggled.connect(self._load_notices)
        self.open_button.clicked.connect(self._open_notice)
        self.notices.doubleClicked.connect(self._open_notice)
        self.retry_button.clicked.connect(self._retry)
        self.print_all_button.clicked.connect(
            lambda: self.printAllRequested.emit(self.batch_ids()))
        self.export_all_button.clicked.connect(
            lambda: self.exportAllRequested.emit(self.batch_ids()))
        self.notices.selectionModel().selectionChanged.connect(self._show_selected)
        self.notice_model.modelReset.connect(self._show_selected)

    # --- loading ----------------------------------------------------------------------------
    def show_board(self, board: Board) -> None:
        self._board = board
        self.loader.reload_when_shown()  # screened when the tab is shown

    def selected_filters(self) -> list[str]:
        return [k for k, box in self.filters.items() if box.isChecked()]

    def refresh(self) -> None:
        self.loader.request()

    def _screen_work(self):
        if self._board is None:
            return None
        board, filters, today, actor = (self._board, self.selected_filters(), self.ctx.today(),
                                        self.ctx.actor)

        def work(s):
            return (urging.rows_from_board(s, actor, board, today, filters),
                    urging.report_due(s, board.period), today)
        return work

    def _screened(self, result) -> None:
        rows, due, today = result
        note = urging.early_note(due, today)
        self.early_note.setText(f"{note}。仅因未报送而催办的任务，发出通知单前会请您确认。"
                                if note else "")
        self.early_note.setVisible(bool(note))
        collapsed = {g.unit_id for i, g in enumerate(self.model.groups())
                     if not self.tree.isExpanded(self.model.index(i, 0))}
        first = self.model.rowCount() == 0
        self.model.set_rows(rows)
        if len(rows) <= 500:  # a long list opens folded; the dispatcher unfolds a unit
            for i, group in enumerate(self.model.groups()):
                if first or group.unit_id not in collapsed:
                    self.tree.expand(self.model.index(i, 0))
        units = len(self.model.groups())
        over = sum(1 for r in rows if "overdue" in r.categories)
        unrep = sum(1 for r in rows if r.report_status is None)
        quiet = sum(1 for r in rows if r.quiet_until)
        self.summary.setText(f"{units} 个单位 · {len(rows)} 项（未报送 {unrep} · 超期 {over} · "
                             f"近期已催办 {quiet}）")
        self._load_notices()

    def _load_notices(self) -> None:
        period = str(self._board.period) if self._board else None
        failed = self.failed_only.isChecked()
        rows = read(self.ctx, lambda s: urge_inbox.list_notices(
            s, self.ctx.actor, period=None if failed else period, failed_only=failed))
        keep = current_row(self.notices)
        self.notice_model.set_rows(rows)
        label = "邮件发送失败的通知单" if failed else f"{self._board.period.label}已发通知单" \
            if self._board else "已发通知单"
        self.notice_title.setText(f"{label}（{len(rows)} 份）")
        if keep is not None:
            for i, n in enumerate(rows):
                if n.notice_id == keep.notice_id:
                    self.notices.selectRow(i)

    def selected_notices(self) -> list[NoticeRow]:
        rows = sorted({i.row() for i in self.notices.selectionModel().selectedRows()})
        return [self.notice_model.row_at(r) for r in rows]

    def batch_ids(self) -> list[int]:
        """The selected notices when several are selected, otherwise every listed one; in the
        order they were numbered, as they are filed."""
        chosen = self.selected_notices()
        if len(chosen) < 2:
            chosen = [self.notice_model.row_at(r) for r in range(self.notice_model.rowCount())]
        return [n.notice_id for n in sorted(chosen, key=lambda n: (n.issued_at, n.notice_id))]

    def _show_selected(self, *_args) -> None:
        n = len(self.selected_notices())
        if n > 1:
            self.print_all_button.setText(f"打印所选（{n} 份）…")
            self.export_all_button.setText(f"导出所选（{n} 份）…")
        else:
            self.print_all_button.setText("打印全部…")
            self.export_all_button.setText("导出全部…")
        has = self.notice_model.rowCount() > 0
        self.print_all_button.setEnabled(has)
        self.export_all_button.setEnabled(has)

    def _show_checked(self, *_args) -> None:
        rows = self.model.checked_rows()
        units = len({r.unit_id for r in rows})
        self.checked_label.setText(f"已勾选 {len(rows)} 项（{units} 个单位）")
        shown = sum(len(g.rows) for g in self.model.groups())
        # Urging everything listed is the month's usual step: one click, no ticking.
        self.urge_all_button.setText(f"全部催办（{shown} 项）…")
        self.urge_all_button.setEnabled(shown > 0)
        self.urge_button.setEnabled(bool(rows))
        self.phone_button.setEnabled(bool(rows))
        self.phone_button.setToolTip(
            "先在上方勾选要电话催办的任务" if not rows else
            "勾选了多个单位：点击后选择先致电哪个单位" if units > 1 else
            "记录对该单位的电话催办")

    # --- actions ------------------------------------------------------------------------------
    def _urge_all(self) -> None:
        rows = [r for g in self.model.groups() for r in g.rows]
        if rows:
            self.urgeRequested.emit(rows)

    def _urge(self) -> None:
        rows = self.model.checked_rows()
        if rows:
            self.urgeRequested.emit(rows)

    def _phone(self) -> None:
        rows = self.model.checked_rows()
        if not rows:
            QMessageBox.information(self, "电话催办", "请先在上方勾选要电话催办的任务。")
            return
        names = list(dict.fromkeys(r.unit_name for r in rows))
        if len(names) > 1:
            # One call reaches one unit: ask which, rather than refusing the ticked list.
            name, ok = QInputDialog.getItem(
                self, "电话催办", f"已勾选 {len(names)} 个单位的任务，一次电话针对一个单位。\n"
                "先致电哪个单位？", names, 0, False)
            if not ok:
                return
            rows = [r for r in rows if r.unit_name == name]
        self.phoneRequested.emit(rows)

    def _open_notice(self, *_args) -> None:
        row: Optional[NoticeRow] = current_row(self.notices)
        if row is None:
            QMessageBox.information(self, "查看通知单", "请先在下方列表中选择一份通知单。")
            return
        self.noticeOpened.emit(row.notice_id)

    def _retry(self) -> None:
        failed = read(self.ctx, lambda s: urge_inbox.list_notices(s, self.ctx.actor,
                                                                  failed_only=True))
        if not failed:
            QMessageBox.information(self, "重发邮件", "没有发送失败待重发的通知单。")
            return
        self.retryRequested.emit([n.notice_id for n in failed])
