"""帮助 menu: 亮灯与时限规则 and 关于 taskboard, for every role."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence


def install(window) -> None:
    from taskboard.ui.help.about_dialog import AboutDialog
    from taskboard.ui.help.rules_dialog import RulesDialog

    menu = window.menus["help"]
    # Kept on the window so tests (and a second click) reach the open dialog.
    window.help_dialog = None

    def show(make) -> None:
        dialog = make(window.ctx, window)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        window.help_dialog = dialog
        dialog.show()

    rules = QAction("亮灯与时限规则", window, shortcut=QKeySequence.HelpContents)
    rules.triggered.connect(lambda *_: show(RulesDialog))
    about = QAction("关于 taskboard", window)
    about.triggered.connect(lambda *_: show(AboutDialog))
    menu.addAction(rules)
    menu.addSeparator()
    menu.addAction(about)
    window.help_actions = (rules, about)
