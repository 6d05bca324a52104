"""The group-robot part of the unit manager: a WeCom webhook, a DingTalk robot and its
signing secret. What is set is shown only by kind and the token's last characters; a typed
address or secret is never read back into the fields."""
from __future__ import annotations

from typing import Optional, Sequence

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton

from taskboard.core.errors import ValidationError
from taskboard.core.services import robot_channels as channels
from taskboard.notify import robot_secrets

WECOM_HINT = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
DINGTALK_HINT = "https://oapi.dingtalk.com/robot/send?access_token=…"


def robots_word(rows: Sequence[channels.RobotRow]) -> str:
    return "、".join(channels.KIND_WORDS[r.kind] + ("（加签）" if r.signed else "") for r in rows)


class RobotFields(QObject):
    """Inputs for one unit's robots, added as rows of the dialog's form (so their labels line
    up with the others); ``planned()`` parses them, the dialog stores them."""

    def __init__(self, parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.wecom = QLineEdit()
        self.wecom.setObjectName("wecomUrl")
        self.dingtalk = QLineEdit()
        self.dingtalk.setObjectName("dingtalkUrl")
        self.secret = QLineEdit()
        self.secret.setObjectName("dingtalkSecret")
        self.secret.setEchoMode(QLineEdit.Password)
        self.secret.setPlaceholderText("SEC…（机器人安全设置中的“加签”，不加签可留空）")
        self.clear_wecom = QPushButton("取消")
        self.clear_wecom.setObjectName("clearWecom")
        self.clear_dingtalk = QPushButton("取消")
        self.clear_dingtalk.setObjectName("clearDingtalk")
        self.where = QLabel("机器人的 key、access_token 和加签密钥只保存在本机当前用户的密钥文件中，"
                            "不写入数据库，保存后不再显示。")
        self.where.setToolTip(str(robot_secrets.key_file()))
        self.where.setWordWrap(True)
        self.where.setStyleSheet("color:#666")
        self.show_robots([])

    def add_to(self, form: QFormLayout) -> None:
        for label, edit, clear in (("企业微信群机器人", self.wecom, self.clear_wecom),
                                   ("钉钉群机器人", self.dingtalk, self.clear_dingtalk)):
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(clear)
            form.addRow(label, row)
        form.addRow("钉钉加签密钥", self.secret)
        form.addRow(self.where)

    def show_robots(self, rows: Sequence[channels.RobotRow]) -> None:
        """Empty inputs whose placeholders say what is set (typing replaces it)."""
        by_kind = {r.kind: r for r in rows}
        for kind, edit, clear, hint in ((channels.WECOM, self.wecom, self.clear_wecom, WECOM_HINT),
                                        (channels.DINGTALK, self.dingtalk, self.clear_dingtalk,
                                         DINGTALK_HINT)):
            edit.clear()
            r = by_kind.get(kind)
            held = "" if r is None or robot_secrets.get(r.ref) else "，本机没有其密钥"
            edit.setPlaceholderText(f"已设置{r.label}{held}；填写新地址可替换" if r else
                                    f"未设置。粘贴地址，如 {hint}")
            clear.setEnabled(r is not None)
        self.secret.clear()

    def planned(self) -> list[tuple[str, str, str, str]]:
        """(kind, endpoint, token, secret) for each robot typed in; ValidationError if bad."""
        out = []
        if self.secret.text().strip() and not self.dingtalk.text().strip():
            raise ValidationError("填写钉钉加签密钥时，请同时填写钉钉机器人地址。")
        for kind, edit in ((channels.WECOM, self.wecom), (channels.DINGTALK, self.dingtalk)):
            if edit.text().strip():
                endpoint, token = channels.parse_webhook(kind, edit.text())
                secret = self.secret.text().strip() if kind == channels.DINGTALK else ""
                out.append((kind, endpoint, token, secret))
        return out
