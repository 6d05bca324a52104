"""帮助 → 关于 taskboard: version, where the data lives and who is signed in."""
from __future__ import annotations

import html
import platform
from typing import Optional

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from taskboard import __version__
from taskboard.core.about import database_location
from taskboard.core.models import Unit
from taskboard.core.services.users import ROLE_WORDS
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import read


class AboutDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("关于 taskboard")
        actor = ctx.actor
        unit = ""
        if actor.unit_id is not None:
            unit = read(ctx, lambda s: (s.get(Unit, actor.unit_id) or Unit(name="")).name)
        user = f"{actor.display_name}（{actor.username}，{ROLE_WORDS.get(actor.role, actor.role)}"
        user += f"，{unit}）" if unit else "）"
        rows = [("版本", __version__), ("数据库", database_location(ctx.db.url)),
                ("当前用户", user),
                ("运行环境", f"Python {platform.python_version()} · PySide6 {pyside_version}")]
        body = "".join(f"<tr><td style='color:#555;padding-right:12px'>{k}</td>"
                       f"<td>{html.escape(v)}</td></tr>" for k, v in rows)
        self.info = QLabel(
            "<h3>挂图作战 · 任务调度平台（taskboard）</h3>"
            "<p>专项工作任务分解、按月报送、审核、亮灯、催办、办结销号与台账。</p>"
            f"<table>{body}</table>")
        self.info.setObjectName("aboutText")
        self.info.setTextFormat(Qt.RichText)
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(buttons)
        self.resize(560, 260)
