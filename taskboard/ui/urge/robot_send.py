"""Sending notices to the units' group robots from the window, off the UI thread: a robot that
says "too fast" is waited out for up to a minute, which must not freeze the window."""
from __future__ import annotations

import threading
import weakref
from typing import Optional, Sequence

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QMessageBox, QWidget

from taskboard.core.services import robot_channels as channels
from taskboard.core.db import Database
from taskboard.notify import robot_delivery, robots
from taskboard.ui.common.context import AppContext
from taskboard.ui.common.ops import read


def robot_checkbox(ctx: AppContext, unit_ids: Sequence[int]) -> QCheckBox:
    """"Also post to the groups", checked when any of the units has a robot."""
    rows = read(ctx, lambda s: channels.list_robots(s, list(unit_ids)))
    names = list(dict.fromkeys(r.unit_name for r in rows))
    box = QCheckBox(f"同时发到群机器人（{len(names)} 个单位已设置企业微信/钉钉群）" if names
                    else "同时发到群机器人（所选单位都未设置，可在“单位管理”中设置）")
    box.setObjectName("byRobot")
    box.setChecked(bool(names))
    box.setEnabled(bool(names))
    if names:
        box.setToolTip("、".join(names))
    return box


# One sender per open database and a lock around it: the 20-a-minute window of each robot then
# holds across every send of the session, and two sends never post at once.
_SENDERS: "weakref.WeakKeyDictionary[Database, tuple[robots.RobotSender, threading.Lock]]" = \
    weakref.WeakKeyDictionary()


def _sender(db: Database) -> tuple[robots.RobotSender, threading.Lock]:
    if db not in _SENDERS:
        _SENDERS[db] = (robots.default_sender(), threading.Lock())
    return _SENDERS[db]


class RobotSendJob(QObject):
    """Posts in a worker thread. ``finished`` is emitted there; being connected to a method of
    this object, which lives on the UI thread, it is delivered queued, so ``_done`` (and its
    message boxes) runs on the UI thread and then emits ``reported``."""

    finished = Signal(object)
    reported = Signal()

    def __init__(self, ctx: AppContext, notice_ids: Sequence[int], parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.widget = parent
        self.notice_ids = list(notice_ids)
        self.results: list[robot_delivery.RobotResult] = []
        self.error = ""
        self.done = False
        self.finished.connect(self._done)

    def start(self) -> "RobotSendJob":
        self._shared = _sender(self.ctx.db)  # taken on the UI thread: no race to create it
        threading.Thread(target=self._run, name="robot-send", daemon=True).start()
        return self

    def _run(self) -> None:
        sender, lock = self._shared
        try:
            with lock:
                self.results = robot_delivery.robot_notices(self.ctx.db, self.ctx.actor,
                                                            self.notice_ids, sender=sender)
        except Exception as exc:  # told to the user; each attempt was stored on its own
            self.error = f"群消息发送中断：{exc}"
        self.finished.emit(self.results)

    @Slot(object)
    def _done(self, _results) -> None:
        self.ctx.changes.announce("urges")
        parent = self.widget
        failed = [r for r in self.results if not r.ok]
        if self.error:
            QMessageBox.warning(parent, "群消息未发出", self.error)
        elif failed:
            lines = "\n".join(f"· {r.number_text} {r.unit_name} {r.robot_label}：{r.message}"
                              for r in failed)
            QMessageBox.warning(parent, "部分群消息发送失败",
                                f"{len(self.results) - len(failed)} 条已送达，{len(failed)} 条失败：\n"
                                f"{lines}\n\n可在“催办”菜单中点“重发失败群消息”。")
        elif self.results:
            QMessageBox.information(parent, "群消息已送达",
                                    f"{len(self.results)} 条通知已发到各单位的群里。")
        self.done = True
        self.reported.emit()


def send_to_robots(parent: QWidget, ctx: AppContext, notice_ids: Sequence[int]) -> RobotSendJob:
    """Start posting; when done, say which groups failed (those stay ready for a retry)."""
    return RobotSendJob(ctx, notice_ids, parent).start()


def retry_failed(parent: QWidget, ctx: AppContext) -> Optional[RobotSendJob]:
    ids = read(ctx, lambda s: channels.failed_notice_ids(s, ctx.actor))
    if not ids:
        QMessageBox.information(parent, "重发群消息", "没有发送失败待重发的群消息。")
        return None
    return send_to_robots(parent, ctx, ids)
