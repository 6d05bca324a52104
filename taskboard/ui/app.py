"""Start the GUI: fonts, style, the main window."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from taskboard.core.actor import Actor
from taskboard.core.db import Database
from taskboard.ui.common.application import app_icon, ensure_app  # noqa: F401 (kept here too)
from taskboard.ui.common.context import AppContext
from taskboard.ui.main_window import MainWindow


def make_window(db: Database, actor: Actor, ui_state: Optional[QSettings] = None,
                today=None) -> MainWindow:
    ctx = AppContext(db=db, actor=actor, ui_state=ui_state or QSettings())
    if today is not None:
        ctx.today = today
    return MainWindow(ctx)


def wait_loaded(timeout_s: float = 300.0) -> bool:
    """Serve events until every background load has landed (screenshots, benchmarks)."""
    import time

    from taskboard.ui.common.loader import all_idle

    app = QApplication.instance()
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        app.processEvents()
        if all_idle():
            app.processEvents()
            return True
        time.sleep(0.002)
    return False


def screenshot(window: MainWindow, path: Path) -> None:
    app = QApplication.instance()
    window.show()
    app.processEvents()
    wait_loaded()  # the picture shows the data, not the busy indicator
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from taskboard.core.atomic import write_bytes

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    window.grab().save(buffer, "PNG")
    buffer.close()
    write_bytes(path, bytes(data))


def run(db: Database, actor: Actor, screenshot_path: Optional[Path] = None) -> int:
    app = ensure_app()
    window = make_window(db, actor)
    if screenshot_path is not None:
        screenshot(window, screenshot_path)
        return 0
    window.show()
    return app.exec()
