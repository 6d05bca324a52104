"""文件 → 生成通报…, for the office (dispatchers and administrators)."""
from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from taskboard.core.models import Campaign
from taskboard.core.periods import Period
from taskboard.core.permissions import allowed
from taskboard.ui.common.ops import read


def open_bulletin(window):
    from taskboard.ui.bulletin.bulletin_dialog import BulletinDialog

    cid = window.campaign_id()
    if cid is None:
        QMessageBox.warning(window, "没有专项工作", "请先新建或导入一个专项工作。")
        return None
    name, start = read(window.ctx, lambda s: (s.get(Campaign, cid).name,
                                              s.get(Campaign, cid).start_date))
    return BulletinDialog(window.ctx, cid, name, Period.of(start), window.period(), window)


def install(window) -> None:
    if not allowed(window.ctx.actor, "bulletin.issue"):
        return
    menu = window.menus["file"]
    quit_action = menu.actions()[-1] if menu.actions() else None
    action = QAction("生成通报(&B)…", window)
    action.setObjectName("makeBulletin")

    def run() -> None:
        dialog = open_bulletin(window)
        if dialog is not None:
            dialog.exec()

    action.triggered.connect(run)
    menu.insertAction(quit_action, action)
    window.bulletin_action = action
