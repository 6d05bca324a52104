"""帮助 → 亮灯与时限规则: the rules the board applies, with the office's current numbers."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from taskboard.core.about import rules_html, rules_sections
from taskboard.core.settings import load_calendar, load_settings
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import read


class RulesDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("亮灯与时限规则")
        sections = read(ctx, lambda s: rules_sections(load_settings(s), load_calendar(s),
                                                      ctx.today()))
        self.text = QTextBrowser()
        self.text.setObjectName("rulesText")
        self.text.setHtml(rules_html(sections))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(660, 760)
