"""Start the GUI: fonts, style, the main window."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from taskboard.core.actor import Actor
from taskboard.core.db import Database
from taskboard.fonts import cjk_font
from taskboard.ui.common.context import AppContext
from taskboard.ui.main_window import MainWindow

STYLE = """
QTableView { gridline-color: #d9dde3; selection-background-color: #cfe3ff;
             selection-color: #111; }
QHeaderView::section { background: #eef1f5; padding: 4px 6px; border: 0;
                       border-right: 1px solid #d9dde3; border-bottom: 1px solid #c5cbd3; }
QLabel#paneTitle { font-weight: bold; padding: 2px 4px; }
QStatusBar QLabel { padding: 0 6px; }
"""


_translator: Optional[QTranslator] = None


def _install_chinese_translation(app: QApplication) -> None:
    """Qt's own buttons and dialogs (确定/取消, file dialogs) in Simplified Chinese.

    The UI is Chinese whatever the workstation's locale, so the translation is loaded
    explicitly rather than from the system language.
    """
    global _translator
    if _translator is not None:
        return
    QLocale.setDefault(QLocale(QLocale.Chinese, QLocale.China))
    folder = QLibraryInfo.path(QLibraryInfo.TranslationsPath)
    translator = QTranslator(app)
    if translator.load("qtbase_zh_CN", folder):
        app.installTranslator(translator)
        _translator = translator  # kept alive as long as the app


def ensure_app(argv: Optional[list[str]] = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or [sys.argv[0]])
        app.setApplicationName("taskboard")
        app.setOrganizationName("taskboard")
    _install_chinese_translation(app)
    family, path = cjk_font()
    if path is not None:
        QFontDatabase.addApplicationFont(str(path))
    font = QFont(family)
    font.setPointSize(10)
    app.setFont(font)
    app.setStyleSheet(STYLE)
    return app


def make_window(db: Database, actor: Actor, ui_state: Optional[QSettings] = None,
                today=None) -> MainWindow:
    ctx = AppContext(db=db, actor=actor, ui_state=ui_state or QSettings())
    if today is not None:
        ctx.today = today
    return MainWindow(ctx)


def screenshot(window: MainWindow, path: Path) -> None:
    app = QApplication.instance()
    window.show()
    app.processEvents()
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
