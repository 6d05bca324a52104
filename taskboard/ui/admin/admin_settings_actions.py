"""管理 → 系统设置… and 工作日日历…, for administrators only."""
from __future__ import annotations

from PySide6.QtGui import QAction

from taskboard.core.permissions import allowed
from taskboard.core.settings import load_settings
from taskboard.ui.common.ops import read


def install(window) -> None:
    ctx = window.ctx
    if not allowed(ctx.actor, "settings.edit"):
        return
    menu = window.menus["admin"]
    menu.addSeparator()
    settings = QAction("系统设置…", window)
    settings.setObjectName("open_settings")
    settings.triggered.connect(lambda: open_settings(window))
    menu.addAction(settings)
    calendar = QAction("工作日日历…", window)
    calendar.setObjectName("open_calendar")
    calendar.triggered.connect(lambda: open_calendar(window))
    menu.addAction(calendar)

    def follow(what: frozenset) -> None:
        # The idle lock was set up with the minutes in force at start-up.
        lock = getattr(window, "idle_lock", None)
        if "settings" in what and lock is not None:
            try:
                lock.minutes = read(ctx, load_settings).idle_lock_minutes
            except Exception:  # a lost connection is reported by the banner
                pass
    ctx.changes.changed.connect(follow)


def open_settings(window) -> None:
    from taskboard.ui.admin.settings_dialog import SettingsDialog

    SettingsDialog(window.ctx, window).exec()


def open_calendar(window) -> None:
    from taskboard.ui.admin.calendar_dialog import CalendarDialog

    CalendarDialog(window.ctx, window).exec()
