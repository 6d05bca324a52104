"""A banner for a lost database connection, and the poller that brings in others' edits."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget
from sqlalchemy.exc import DBAPIError

from taskboard.core.changes import ChangeWatcher
from taskboard.ui.common.context import AppContext

POLL_MS = 5000  # well inside the 10 s within which others' edits must show up
EVERYTHING = ("tasks", "reports", "units", "campaigns", "feedback", "urges", "remote")


class ConnectionBanner(QWidget):
    retryClicked = Signal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionBanner")
        self.setStyleSheet("#connectionBanner { background: #fdecea; }"
                           "QLabel { color: #8a1c12; font-weight: bold; padding: 6px; }")
        self.setAutoFillBackground(True)
        self.label = QLabel()
        self.label.setWordWrap(True)
        retry = QPushButton("立即重试")
        retry.clicked.connect(self.retryClicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(retry)
        self.hide()

    def show_lost(self, detail: str) -> None:
        self.label.setText("与数据库的连接已断开，正在自动重连……断开期间的修改不会保存，"
                           f"恢复后请重新提交。（{detail}）")
        self.show()


class ChangePoller(QObject):
    """Polls every few seconds; announces others' writes and shows or hides the banner."""

    connectionChanged = Signal(bool)

    def __init__(self, ctx: AppContext, banner: ConnectionBanner,
                 parent: Optional[QObject] = None, interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.banner = banner
        self.watcher = ChangeWatcher(ctx.db)
        self.connected = True
        self.announcing = False  # set while this poller itself broadcasts
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)
        banner.retryClicked.connect(self.poll)

    def start(self) -> None:
        self.poll()
        self.timer.start()

    def poll(self) -> None:
        try:
            changed = self.watcher.poll()
        except DBAPIError as exc:
            if self.connected:
                self.connected = False
                self.connectionChanged.emit(False)
            self.banner.show_lost(str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200])
            return
        if not self.connected:
            self.connected = True
            self.banner.hide()
            self.connectionChanged.emit(True)
            changed = True  # whatever happened meanwhile, load it afresh
        if changed:
            self.announcing = True
            try:
                self.ctx.changes.announce(*EVERYTHING)
            finally:
                self.announcing = False
