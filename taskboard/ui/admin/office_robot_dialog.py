"""The office's own group robots, which receive the 督办提醒 totals (remind --digest)."""
from __future__ import annotations

import uuid
from typing import Optional

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QMessageBox, QWidget

from taskboard.core.errors import ServiceError
from taskboard.core.services import robot_channels as channels
from taskboard.notify import robot_secrets
from taskboard.ui.admin.robot_fields import RobotFields
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import OpFailed, read, run_op


class OfficeRobotDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("办公室群机器人")
        self.fields = RobotFields(self)
        form = QFormLayout(self)
        note = QLabel("定时运行 taskboard remind --digest 时，各单位的督办提醒汇总发到这里设置的群。")
        note.setWordWrap(True)
        form.addRow(note)
        self.fields.add_to(form)
        self.fields.clear_wecom.clicked.connect(lambda: self._clear(channels.WECOM))
        self.fields.clear_dingtalk.clicked.connect(lambda: self._clear(channels.DINGTALK))
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Close)
        buttons.button(QDialogButtonBox.Save).setText("保存")
        buttons.button(QDialogButtonBox.Close).setText("关闭")
        self.save_button = buttons.button(QDialogButtonBox.Save)
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(720, 260)
        self.reload()

    def reload(self) -> None:
        self.fields.show_robots(read(self.ctx, lambda s: channels.list_robots(s, office=True)))

    def save(self) -> bool:
        try:
            planned = []
            for kind, endpoint, token, secret in self.fields.planned():
                ref = uuid.uuid4().hex
                robot_secrets.put(ref, token, secret)  # the keys first, then the row naming them
                planned.append((kind, endpoint, channels.token_hint(token), bool(secret), ref))
        except (ServiceError, robot_secrets.RobotKeyError) as exc:
            QMessageBox.warning(self, "保存失败", str(exc))
            return False
        if not planned:
            return True
        actor = self.ctx.actor

        def work(s):
            retired = []
            for kind, endpoint, hint, signed, ref in planned:
                retired.append(channels.active_ref(s, None, kind))
                channels.set_robot(s, actor, None, kind, endpoint=endpoint, hint=hint,
                                   signed=signed, ref=ref)
            return retired

        try:
            retired = run_op(self, self.ctx, work, ("units",), title="保存失败")
        except OpFailed:
            return False
        _forget(retired)
        self.reload()
        return True

    def _clear(self, kind: str) -> None:
        actor = self.ctx.actor

        def work(s):
            ref = channels.active_ref(s, None, kind)
            channels.remove_robot(s, actor, None, kind)
            return [ref]

        try:
            retired = run_op(self, self.ctx, work, ("units",), title="取消群机器人失败")
        except OpFailed:
            return
        _forget(retired)
        self.reload()


def _forget(refs) -> None:
    """Once the database no longer names them, the retired robots' keys go too."""
    try:
        for ref in filter(None, refs):
            robot_secrets.forget(ref)
    except robot_secrets.RobotKeyError:
        pass  # stale keys are harmless; the next change tidies them
