"""The 挂图作战 tab, built on first show: matplotlib and the charts are imported only then.

Importing matplotlib and building four canvases costs more than the rest of the window at
start-up, and many sessions never open the battle map.
"""
from __future__ import annotations

from typing import Optional

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QVBoxLayout, QWidget

from taskboard.ui.battle_map import TAB_TITLE


class BattleMapTab(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.setObjectName("battleMapTab")
        self.window_ = window
        self._view = None
        self._board = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        window.boardLoaded.connect(self._board_arrived)

    def view(self):
        """The DashboardView, created (and matplotlib imported) on first use."""
        if self._view is None:
            from taskboard.ui.battle_map.dashboard_view import DashboardView, connect

            view = DashboardView(self.window_.ctx)
            view.setObjectName("dashboardView")
            self._layout.addWidget(view)
            view.show()
            connect(self.window_, view)
            self._view = view
            if self._board is not None:
                view.follow_board(self._board)
        return self._view

    def _board_arrived(self, board) -> None:
        self._board = board  # the view follows the window itself once it exists

    def showEvent(self, event) -> None:
        self.view()
        super().showEvent(event)

    @property
    def built(self) -> bool:
        return self._view is not None


def install(window) -> None:
    tab = BattleMapTab(window)
    index = window.tabs.indexOf(window.tasks_view)
    window.tabs.insertTab(index + 1, tab, TAB_TITLE)
    window.dashboard_tab = tab
    # 视图 → 挂图作战 (Ctrl+2) comes from the main window, which numbers every tab.
    export = QAction("导出挂图作战图表…", window)
    export.triggered.connect(lambda: tab.view().export_dialog())
    file_menu = window.menus["file"]
    first: Optional[QAction] = file_menu.actions()[0] if file_menu.actions() else None
    file_menu.insertAction(first, export)  # above 退出
