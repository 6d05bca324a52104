"""Someone else changed the record meanwhile: show what differs, let the user choose.

Nothing is silently lost: "重新加载" takes the stored values (the user's edits are dropped
only after they have seen them), "覆盖保存" writes the user's values over the new version.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Mapping, Optional

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from taskboard.core.services.tasks import FIELD_WORDS

RELOAD, OVERWRITE, CANCEL = "reload", "overwrite", "cancel"


def _fmt(value: Any, names: Mapping[int, str], key: str) -> str:
    if value is None:
        return "（空）" if key != "deadline" else "长期"
    if isinstance(value, dt.date):
        return value.isoformat()
    if key == "unit_ids":
        return "、".join(names.get(v, str(v)) for v in value) or "（无）"
    if key == "lead_unit_id":
        return names.get(value, str(value))
    return str(value)


class ConflictDialog(QDialog):
    def __init__(self, message: str, current: Mapping[str, Any], mine: Mapping[str, Any],
                 unit_names: Optional[Mapping[int, str]] = None,
                 field_words: Optional[Mapping[str, str]] = None,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("修改冲突")
        self.choice = CANCEL
        words = field_words or FIELD_WORDS
        names = unit_names or {}
        keys = [k for k in words if k in current and k in mine
                and _norm(current[k]) != _norm(mine[k])]
        self.changed_keys = keys

        intro = QLabel(f"{message}\n\n下表列出他人修改后的当前内容与您的修改不同之处：")
        intro.setWordWrap(True)
        self.table = QTableWidget(len(keys), 3)
        self.table.setObjectName("conflictTable")
        self.table.setHorizontalHeaderLabels(["字段", "当前内容（他人已保存）", "我的修改"])
        self.table.verticalHeader().setVisible(False)
        for r, k in enumerate(keys):
            for c, text in enumerate((words[k], _fmt(current[k], names, k),
                                      _fmt(mine[k], names, k))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.table.setColumnWidth(0, 90)
        self.table.setColumnWidth(1, 260)
        self.table.horizontalHeader().setStretchLastSection(True)

        buttons = QDialogButtonBox()
        self.reload_button = QPushButton("重新加载（放弃我的修改）")
        self.overwrite_button = QPushButton("覆盖保存（以我的修改为准）")
        cancel = buttons.addButton(QDialogButtonBox.Cancel)
        cancel.setText("返回继续编辑")
        buttons.addButton(self.reload_button, QDialogButtonBox.ResetRole)
        buttons.addButton(self.overwrite_button, QDialogButtonBox.AcceptRole)
        self.reload_button.clicked.connect(lambda: self._choose(RELOAD))
        self.overwrite_button.clicked.connect(lambda: self._choose(OVERWRITE))
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(720, 160 + 28 * max(1, len(keys)))

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


def _norm(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(sorted(value))
    return value


def resolve_conflict(parent: QWidget, err, unit_names: Mapping[int, str],
                     exec_dialog: Callable[[ConflictDialog], Any] = ConflictDialog.exec) -> str:
    """Show the dialog for a ConflictError; returns RELOAD, OVERWRITE or CANCEL."""
    dialog = ConflictDialog(str(err), err.current, err.mine, unit_names, parent=parent)
    exec_dialog(dialog)
    return dialog.choice
