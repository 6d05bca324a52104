"""The QApplication as the program sets it up: Chinese font, translation, icon and style.

Kept apart from the main window so that the first window (the sign-in dialog) can be painted
before the data layer and the window's features are imported.
"""
from __future__ import annotations

import sys
from typing import Optional

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from taskboard.fonts import PREFERRED_FAMILIES, bundled_font_path
from taskboard.ui.common.platform_check import check_display_libraries

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
    # Once per application: setting a font or a style sheet again re-polishes every live
    # widget, and a test session calls this before each test with earlier widgets still
    # being torn down (a crash in setStyleSheet was seen there).
    if app.property("taskboard_styled") is not True:
        font = QFont(_cjk_family())
        font.setPointSize(10)
        app.setFont(font)
        app.setStyleSheet(STYLE)
        app.setProperty("taskboard_styled", True)
    return app
