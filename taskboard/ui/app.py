"""Start the GUI: fonts, style, the main window."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from taskboard.core.actor import Actor
from taskboard.core.db import Database
from taskboard.fonts import PREFERRED_FAMILIES, bundled_font_path
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.platform_check import check_display_libraries
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


def app_icon() -> QIcon:
    """The program's icon at every size it ships (title bar, task bar, Alt+Tab)."""
    from importlib import resources

    icon = QIcon()
    folder = resources.files("taskboard.resources") / "icons"
    for size in (16, 24, 32, 48, 64, 128, 256):
        with resources.as_file(folder / f"taskboard-{size}.png") as path:
            icon.addFile(str(path))
    return icon


_family: Optional[str] = None


def _cjk_family() -> str:
    """A system CJK font Qt already knows, else the bundled one; asked of Qt itself, since
    matplotlib's font list would import matplotlib at start-up."""
    global _family
    if _family is None:
        known = set(QFontDatabase.families())
        _family = next((f for f in PREFERRED_FAMILIES if f in known), None)
        if _family is None:
            path = bundled_font_path()
            font_id = QFontDatabase.addApplicationFont(str(path)) if path else -1
            names = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            _family = names[0] if names else "sans-serif"
    return _family


def ensure_app(argv: Optional[list[str]] = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        problem = check_display_libraries()
        if problem is not None:  # Qt would abort naming the wrong package
            print(problem, file=sys.stderr)
            raise SystemExit(2)
        app = QApplication(argv or [sys.argv[0]])
        app.setApplicationName("taskboard")
        app.setOrganizationName("taskboard")
    if app.windowIcon().isNull():
        app.setWindowIcon(app_icon())
    _install_chinese_translation(app)
    font = QFont(_cjk_family())
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
