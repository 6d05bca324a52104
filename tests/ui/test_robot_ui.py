"""Group robots in the window: set in 单位管理, posted from the notice preview off the UI thread,
attempts shown on the notice, failed ones retried from the 催办 menu."""
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox
from sqlalchemy import select

from taskboard.core.models import RobotDelivery, UnitRobot, UrgeNotice
from taskboard.core.services import robot_channels as channels
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.admin.unit_manager import UnitManagerDialog
from tests.ui.loading import settle
from tests.conftest import TODAY
from tests.notify.conftest import fake_sender, robot_keys, robot_server  # noqa: F401
from tests.ui.typing_helpers import type_text

pytestmark = pytest.mark.sqlite_only
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
KEY = "5d1e0c3a-77aa-4bc4-97a0-0ec2b1fa9e21"
TOKEN = "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f"
SECRET = "SEC9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a"


def _shot(widget, name):
    if os.environ.get("TASKBOARD_SHOTS"):
        widget.grab().save(str(SHOTS / name))


@pytest.fixture
def messages(monkeypatch):
    seen = []
    for name in ("warning", "information"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: seen.append(a[2]))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    return seen


@pytest.fixture
def window(qtbot, demo_db, dispatcher, ui_state):
    ensure_app()
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    qtbot.addWidget(w)
    w.show()
    settle(qtbot)  # the board loads in the background
    return w


def select_unit(d, unit_id):
    row = next(i for i, u in enumerate(d.model.rows()) if u.unit_id == unit_id)
    d.table.setCurrentIndex(d.model.index(row, 0))


def set_in_manager(qtbot, window, robot_server, wecom_unit, ding_unit):
    d = UnitManagerDialog(window.ctx, window)
    qtbot.addWidget(d)
    d.show()
    f = d.robot_fields
    select_unit(d, wecom_unit)
    type_text(f.wecom, robot_server.wecom_url(KEY))
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    select_unit(d, ding_unit)
    robot_server.dingtalk[TOKEN] = SECRET
    type_text(f.dingtalk, f"{robot_server.base}/robot/send?access_token={TOKEN}")
    type_text(f.secret, SECRET)
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    return d


def test_unit_manager_sets_robots_without_ever_showing_the_keys(
        qtbot, qtmodeltester, window, demo_db, robot_server, robot_keys, messages):
    d = set_in_manager(qtbot, window, robot_server, 3, 4)
    qtmodeltester.check(d.model)
    f = d.robot_fields
    assert f.secret.echoMode() == QLineEdit.Password
    assert f.dingtalk.text() == "" and f.secret.text() == ""  # never read back
    assert "已设置钉钉群机器人（…1e0f，已加签）" in f.dingtalk.placeholderText()
    col = d.model.header_labels().index("群机器人")
    words = {u.unit_id: d.model.index(i, col).data() for i, u in enumerate(d.model.rows())}
    assert words[3] == "企业微信" and words[4] == "钉钉（加签）"
    shown = " ".join(w.text() + w.placeholderText() for w in (f.wecom, f.dingtalk, f.secret))
    assert KEY not in shown and TOKEN not in shown and SECRET not in shown
    with demo_db.session() as s:
        rows = s.scalars(select(UnitRobot)).all()
        assert {(r.unit_id, r.kind, r.signed) for r in rows} == {(3, "wecom", False),
                                                                 (4, "dingtalk", True)}
    keys = robot_keys.read_text(encoding="utf-8")
    assert KEY in keys and TOKEN in keys and SECRET in keys
    _shot(d, "unit_manager_robots.png")
    # A bad address is refused in Chinese and stores nothing; 取消 removes a robot.
    select_unit(d, 5)
    type_text(f.wecom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send")
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    assert "缺少 key=" in messages[-1]
    select_unit(d, 3)
    assert f.clear_wecom.isEnabled()
    qtbot.mouseClick(f.clear_wecom, Qt.LeftButton)
    with demo_db.session() as s:
        assert [r.unit_id for r in channels.list_robots(s)] == [4]
    assert KEY not in robot_keys.read_text(encoding="utf-8")  # a retired robot's key goes too
    assert TOKEN in robot_keys.read_text(encoding="utf-8")


def test_notices_are_posted_off_the_ui_thread_and_failures_retried(
        qtbot, qtmodeltester, window, demo_db, robot_server, fake_sender, messages):
    set_in_manager(qtbot, window, robot_server, 3, 4)
    robot_server.dingtalk[TOKEN] = "SECother"  # the group's robot was re-keyed meanwhile
    robot_server.busy[KEY] = 1
    actions = window.urge_actions
    window.tabs.setCurrentWidget(actions.view)
    settle(qtbot)  # screened in the background once shown
    view = actions.view
    rows = [r for g in view.model.groups() if g.unit_id in (3, 4) for r in g.rows]
    dialog = actions.urge_rows(rows)
    assert dialog.by_robot.isEnabled() and dialog.by_robot.isChecked()
    assert "2 个单位已设置" in dialog.by_robot.text()
    _shot(dialog, "urge_notice_preview.png")
    qtbot.mouseClick(dialog.send_button, Qt.LeftButton)
    job = dialog.robot_job
    assert not dialog.isVisible()  # the dialog closed while the posts go on
    qtbot.waitUntil(lambda: job.done, timeout=10000)
    assert "签名不匹配" in messages[-1] and "重发失败群消息" in messages[-1]
    numbers = {n.unit_id: n.number_text for n in dialog.issued}
    assert numbers[3] in robot_server.of(KEY)[-1].body["markdown"]["content"]
    assert [r.errcode for r in robot_server.of(KEY)] == [45009, 0]

    robot_server.dingtalk[TOKEN] = SECRET
    first = job
    job = actions.retry_robots()
    assert job._shared is first._shared  # one rate window per robot for the whole session
    with qtbot.waitSignal(job.reported, timeout=10000):
        pass
    assert "已发到各单位的群里" in messages[-1]
    assert numbers[4] in robot_server.of(TOKEN)[-1].body["markdown"]["text"]
    with demo_db.session() as s:
        assert channels.failed_notice_ids(s, window.ctx.actor) == []
        notice_id = s.scalar(select(UrgeNotice.id).where(UrgeNotice.unit_id == 3))
        assert len(s.scalars(select(RobotDelivery).where(
            RobotDelivery.notice_id == notice_id)).all()) == 2
    shown = actions.open_notice(notice_id)
    qtmodeltester.check(shown.attempts_view.model)
    model = shown.attempts_view.model
    results = [model.index(i, 4).data() for i in range(model.rowCount())]
    assert results == ["失败", "已送达"]
    assert "发送太频繁" in model.index(0, 5).data()
    _shot(shown, "urge_notice_robot_attempts.png")
    assert actions.retry_robots() is None and "没有发送失败" in messages[-1]


def test_office_robot_is_set_from_the_unit_manager(qtbot, window, demo_db, robot_server,
                                                  robot_keys, messages):
    d = UnitManagerDialog(window.ctx, window)
    qtbot.addWidget(d)
    d.show()
    qtbot.mouseClick(d.office_button, Qt.LeftButton)
    o = d.office_dialog
    assert o.isVisible() and not o.fields.clear_wecom.isEnabled()
    type_text(o.fields.dingtalk, "https://oapi.dingtalk.com/robot/send")
    qtbot.mouseClick(o.save_button, Qt.LeftButton)
    assert "缺少 access_token=" in messages[-1]
    o.fields.dingtalk.clear()
    type_text(o.fields.wecom, robot_server.wecom_url("office-key-42"))
    qtbot.mouseClick(o.save_button, Qt.LeftButton)
    with demo_db.session() as s:
        rows = channels.list_robots(s, office=True)
        assert [(r.unit_id, r.kind, r.token_hint) for r in rows] == [(None, "wecom", "y-42")]
        assert channels.list_robots(s) == []  # not a unit's robot
    assert "已设置企业微信群机器人（…y-42）" in o.fields.wecom.placeholderText()
    assert "office-key-42" in robot_keys.read_text(encoding="utf-8")
    _shot(o, "office_robot_dialog.png")
    qtbot.mouseClick(o.fields.clear_wecom, Qt.LeftButton)
    with demo_db.session() as s:
        assert channels.list_robots(s, office=True) == []
    assert "office-key-42" not in robot_keys.read_text(encoding="utf-8")
