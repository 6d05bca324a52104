"""The main window: a shell that hosts feature views and the campaign/period selectors."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QLabel, QMainWindow, QTabWidget, QToolBar, QWidget,
)
from sqlalchemy import select

from taskboard.core.board import Board, load_board
from taskboard.core.models import Campaign, Unit
from taskboard.core.permissions import REPORTER
from taskboard.core.services.users import ROLE_WORDS
from taskboard.core.periods import Period, period_range
from taskboard.core.settings import load_calendar, load_settings
from taskboard.core.rules import Light
from taskboard.ui.common.context import AppContext
from taskboard.ui.features import install_all
from taskboard.ui.common.lights import light_icon
from taskboard.ui.common.loader import BusyIndicator, KeyedLoads, Loader
from taskboard.ui.tasks.task_list_view import TaskListView


def _has_visible_actions(menu) -> bool:
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        sub = action.menu()
        if sub is None or _has_visible_actions(sub):
            return True
    return False


class MainWindow(QMainWindow):
    # Every freshly loaded board, for feature views that follow the period and campaign.
    boardLoaded = Signal(object)

    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.board: Optional[Board] = None
        # Figures too slow for the UI thread at province scale (scores, the bulletin's
        # preview) are computed here.
        self.background = KeyedLoads(ctx, self)
        self._select_after: Optional[int] = None  # a task just saved, selected once listed
        self.setWindowTitle("挂图作战 · 任务调度平台")
        self.resize(1400, 860)

        self.campaign_combo = QComboBox()
        self.campaign_combo.setMinimumWidth(300)
        self.period_combo = QComboBox()
        self.period_combo.setMinimumWidth(110)
        self.period_combo.setToolTip("期次：切换月份，重新计算亮灯")
        toolbar = QToolBar("主工具栏")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(QLabel(" 专项工作 "))
        toolbar.addWidget(self.campaign_combo)
        toolbar.addWidget(QLabel("  期次 "))
        toolbar.addWidget(self.period_combo)
        toolbar.addSeparator()
        self.refresh_action = QAction("刷新", self, shortcut=QKeySequence.Refresh)
        self.refresh_action.triggered.connect(self.reload)
        toolbar.addAction(self.refresh_action)
        self.search_action = QAction("高级搜索", self, checkable=True, checked=True,
                                     shortcut=QKeySequence("Ctrl+Shift+F"))
        toolbar.addAction(self.search_action)
        focus_search = QAction("搜索", self, shortcut=QKeySequence.Find)
        self.addAction(focus_search)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

        self.tasks_view = TaskListView()
        self.search_action.toggled.connect(self.tasks_view.set_search_visible)
        self.tasks_view.search.set_today(ctx.today)
        focus_search.triggered.connect(self._focus_search)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.tasks_view, "任务清单")
        self.setCentralWidget(self.tabs)

        self._count_labels: dict[str, QLabel] = {}
        bar = self.statusBar()
        for key, text, light in (("green", "绿灯", Light.GREEN), ("blue", "蓝灯", Light.BLUE),
                                 ("red", "红灯", Light.RED), ("near_due", "临期", None),
                                 ("overdue", "超期", None), ("lagging", "滞后", None)):
            icon = QLabel()
            if light is not None:
                icon.setPixmap(light_icon(light).pixmap(14, 14))
                bar.addPermanentWidget(icon)
            label = QLabel(f"{text} 0")
            label.setObjectName(f"count_{key}")
            self._count_labels[key] = label
            bar.addPermanentWidget(label)
        # The board loads in a worker; the old one stays on show meanwhile.
        # It feeds every tab (each decides for itself whether hidden means later), so it
        # follows the news even before the window is first shown.
        self.board_loader = Loader(ctx.db, self, self._board_work, self._board_loaded,
                                   only_when_shown=False)
        self.board_loader.failed.connect(self._board_failed)
        self.busy = BusyIndicator("正在更新任务数据…").follow(self.board_loader)
        bar.insertPermanentWidget(0, self.busy)
        actor = ctx.actor
        bar.showMessage(f"{actor.display_name}（{ROLE_WORDS.get(actor.role, actor.role)}）")

        self.menus = {}
        for key, title in (("file", "文件(&F)"), ("task", "任务(&T)"), ("urge", "催办(&U)"),
                           ("view", "视图(&V)"), ("admin", "管理(&M)"), ("help", "帮助(&H)")):
            self.menus[key] = self.menuBar().addMenu(title)
        self.menus["view"].addAction(self.refresh_action)
        self.menus["view"].addAction(self.search_action)
        quit_action = QAction("退出", self, shortcut=QKeySequence.Quit)
        quit_action.triggered.connect(self.close)
        self.menus["file"].addAction(quit_action)
        install_all(self)
        self._add_tab_shortcuts()
        self._hide_empty_menus()

        self._fill_campaigns()
        self.campaign_combo.currentIndexChanged.connect(self._campaign_changed)
        self.period_combo.currentIndexChanged.connect(self.reload)
        ctx.changes.changed.connect(self._on_changed)
        self._restore_state()
        self._fill_search_choices()
        if actor.role == REPORTER and actor.unit_id is not None:
            # A unit's staff work on their own tasks; clearing the filter shows the rest.
            self.tasks_view.search.set_unit(actor.unit_id)
        self._campaign_changed()

    # --- menus and tabs, once every feature is installed ------------------------------------
    def _add_tab_shortcuts(self) -> None:
        """Ctrl+1…Ctrl+9 for the tabs in their order: assigned here only, so none clash."""
        menu = self.menus["view"]
        menu.addSeparator()
        self.tab_actions: list[QAction] = []
        for i in range(self.tabs.count()):
            widget = self.tabs.widget(i)
            action = QAction(self.tabs.tabText(i), self)
            if i < 9:
                action.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            action.triggered.connect(lambda *_, w=widget: self.tabs.setCurrentWidget(w))
            menu.addAction(action)
            self.tab_actions.append(action)

    def _hide_empty_menus(self) -> None:
        for menu in self.menus.values():
            menu.menuAction().setVisible(_has_visible_actions(menu))

    # --- selectors ----------------------------------------------------------------------
    def _fill_campaigns(self) -> None:
        with self.ctx.db.session() as s:
            campaigns = s.execute(
                select(Campaign.id, Campaign.name).where(Campaign.archived.is_(False))
                .order_by(Campaign.start_date.desc())).all()
        self.campaign_combo.blockSignals(True)
        self.campaign_combo.clear()
        for cid, name in campaigns:
            self.campaign_combo.addItem(name, cid)
        self.campaign_combo.blockSignals(False)

    def campaign_id(self) -> Optional[int]:
        return self.campaign_combo.currentData()

    def period(self) -> Period:
        data = self.period_combo.currentData()
        return Period.parse(data) if data else Period.of(self.ctx.today())

    def set_period(self, period: Period) -> None:
        i = self.period_combo.findData(str(period))
        if i >= 0:
            self.period_combo.setCurrentIndex(i)

    def _campaign_changed(self) -> None:
        cid = self.campaign_id()
        today = self.ctx.today()
        current = Period.of(today)
        first = current
        if cid is not None:
            with self.ctx.db.session() as s:
                c = s.get(Campaign, cid)
                first = min(Period.of(c.start_date), current)
        self.period_combo.blockSignals(True)
        self.period_combo.clear()
        for p in reversed(period_range(first, current.next())):
            self.period_combo.addItem(p.label, str(p))
        self.period_combo.setCurrentIndex(max(0, self.period_combo.findData(str(current))))
        self.period_combo.blockSignals(False)
        self._fill_search_choices()
        self.reload()

    def _fill_search_choices(self) -> None:
        with self.ctx.db.session() as s:
            units = s.execute(select(Unit.id, Unit.name).where(Unit.active.is_(True))
                              .order_by(Unit.sort_order, Unit.id)).all()
        self.tasks_view.search.set_choices(units=[(u.id, u.name) for u in units])

    # --- loading --------------------------------------------------------------------------
    def reload(self) -> None:
        """Load the board for the chosen campaign and period in the background."""
        self.board_loader.request()

    def _board_work(self):
        cid = self.campaign_id()
        if cid is None:
            return None
        period, today = self.period(), self.ctx.today()

        def work(s):
            settings = load_settings(s)
            # 亮牌 graded in the board's own pass over the rows, here in the worker too.
            return load_board(s, cid, period, today, load_calendar(s), settings, cards=True)
        return work

    def select_task_when_loaded(self, task_id: int) -> None:
        """Select a task now if listed, and again once the board that follows a change lands."""
        self._select_after = task_id
        self.tasks_view.select_task(task_id)

    def _board_failed(self, message: str) -> None:
        # A lost connection must not take the window down; the banner explains it too.
        self.ctx.changes.trouble.emit(message)
        self.statusBar().showMessage(f"读取任务数据失败：{message}", 10_000)

    def _board_loaded(self, board: Board) -> None:
        self.board = board
        leaders = sorted({r.leader for r in board.rows if r.leader})
        categories = list(dict.fromkeys(r.category for r in board.rows if r.category))
        self.tasks_view.search.set_choices(leaders=leaders, categories=categories)
        self.tasks_view.show_board(board)
        if self._select_after is not None and self.tasks_view.select_task(self._select_after):
            self._select_after = None
        self._show_counts(board)
        self.boardLoaded.emit(board)

    def _show_counts(self, board: Board) -> None:
        counts = board.counts()
        words = {"green": "绿灯", "blue": "蓝灯", "red": "红灯", "near_due": "临期",
                 "overdue": "超期", "lagging": "滞后"}
        for key, label in self._count_labels.items():
            label.setText(f"{words[key]} {counts[key]}")

    def _on_changed(self, what: frozenset) -> None:
        if what & {"campaigns"}:
            self._fill_campaigns()
        if what & {"units"}:
            self._fill_search_choices()
        self.board_loader.news(what)  # a burst of news makes one reload

    def _focus_search(self) -> None:
        self.search_action.setChecked(True)
        self.tasks_view.search.keyword.setFocus(Qt.ShortcutFocusReason)
        self.tasks_view.search.keyword.selectAll()

    # --- persisted layout -------------------------------------------------------------------
    def _restore_state(self) -> None:
        st = self.ctx.ui_state
        geometry = st.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.tasks_view.restore_state(st)

    def save_state(self) -> None:
        st = self.ctx.ui_state
        st.setValue("main/geometry", self.saveGeometry())
        self.tasks_view.save_state(st)
        st.sync()

    def closeEvent(self, event) -> None:
        self.save_state()
        super().closeEvent(event)
