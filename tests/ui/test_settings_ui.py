import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QSpinBox
from sqlalchemy import select

from taskboard.core.actor import load_actor
from taskboard.core.models import AuditEvent, CalendarOverride
from taskboard.core.settings import load_settings
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.admin.calendar_dialog import CalendarDialog
from taskboard.ui.common.context import AppContext
from taskboard.ui.admin.settings_dialog import SettingsDialog
from tests.ui.loading import settle
from tests.conftest import TODAY
from tests.ui.typing_helpers import type_text

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _shot(widget, name):
    if os.environ.get("TASKBOARD_SHOTS"):
        widget.grab().save(str(SHOTS / name))


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: seen.append(a[2]))
    return seen


@pytest.fixture
def admin(demo_db):
    with demo_db.session() as s:
        return load_actor(s, "admin")


@pytest.fixture
def admin_window(qtbot, demo_db, admin, ui_state):
    ensure_app()
    w = make_window(demo_db, admin, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w)
    return w


def _ctx(db, actor, ui_state):
    ensure_app()
    return AppContext(db, actor, ui_state, today=lambda: TODAY)


def _type(qtbot, widget, text):
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key_Backspace)
    type_text(widget, text)


def _action_names(window):
    return {a.objectName() for a in window.menus["admin"].actions()}


def test_menu_entries_for_admins_only(admin_window, qtbot, demo_db, ui_state, monkeypatch):
    assert {"open_settings", "open_calendar"} <= _action_names(admin_window)
    texts = [a.text() for a in admin_window.menus["admin"].actions()]
    assert "系统设置…" in texts and "工作日日历…" in texts
    opened = []
    monkeypatch.setattr(SettingsDialog, "exec", lambda self: opened.append(type(self)))
    monkeypatch.setattr(CalendarDialog, "exec", lambda self: opened.append(type(self)))
    for action in admin_window.menus["admin"].actions():
        if action.objectName() in ("open_settings", "open_calendar"):
            action.trigger()
    assert opened == [SettingsDialog, CalendarDialog]
    for username in ("dispatcher", "leader", "unit001"):
        with demo_db.session() as s:
            actor = load_actor(s, username)
        w = make_window(demo_db, actor, ui_state, today=lambda: TODAY)
        settle(qtbot)  # the board loads in the background
        qtbot.addWidget(w)
        assert not {"open_settings", "open_calendar"} & _action_names(w)


def test_settings_dialog_saves_and_the_board_follows(admin_window, qtbot, demo_db, warnings):
    w = admin_window
    before = w.board.counts()["near_due"]
    d = SettingsDialog(w.ctx, w)
    qtbot.addWidget(d)
    d.show()
    assert [d.tabs.tabText(i) for i in range(d.tabs.count())] == \
        ["报送与时限", "催办", "办公室信息", "安全与备份", "考评与通报"]
    near = d.findChild(QSpinBox, "near_due_workdays")
    assert near.value() == 5
    _shot(d, "settings_dialog.png")
    _type(qtbot, near, "0")
    _type(qtbot, d.findChild(QSpinBox, "report_day"), "20")
    d.tabs.setCurrentIndex(2)
    _type(qtbot, d.findChild(QLineEdit, "office_contact"), "综合科")
    with qtbot.waitSignal(w.boardLoaded, timeout=5000):
        assert d.save() is True
    assert warnings == []
    with demo_db.session() as s:
        st = load_settings(s)
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "settings.update")).all()
    assert (st.near_due_workdays, st.report_day, st.office_contact) == (0, 20, "综合科")
    assert len(events) == 1
    after = w.board.counts()["near_due"]
    assert after < before
    assert w.statusBar().findChild(QLabel, "count_near_due").text() == f"临期 {after}"


def test_settings_dialog_refuses_an_empty_office_name(qtbot, demo_db, admin, ui_state,
                                                      warnings):
    d = SettingsDialog(_ctx(demo_db, admin, ui_state))
    qtbot.addWidget(d)
    d.show()
    d.tabs.setCurrentIndex(3)
    _type(qtbot, d.findChild(QLineEdit, "office_name"), " ")
    _type(qtbot, d.findChild(QSpinBox, "idle_lock_minutes"), "0")
    idle = d.findChild(QSpinBox, "idle_lock_minutes")
    assert (idle.value(), idle.specialValueText()) == (0, "不锁定")
    assert d.save() is False
    assert warnings == ["办公室名称不能为空。"]
    assert d.tabs.currentWidget() is d.page("办公室信息")
    assert d.isVisible()
    with demo_db.session() as s:
        st = load_settings(s)
    assert (st.office_name, st.idle_lock_minutes) == ("营商环境工作任务调度办公室", 30)


def test_settings_dialog_shows_the_service_error_for_a_non_admin(qtbot, demo_db, dispatcher,
                                                                 ui_state, warnings):
    d = SettingsDialog(_ctx(demo_db, dispatcher, ui_state))
    qtbot.addWidget(d)
    d.show()
    _type(qtbot, d.findChild(QSpinBox, "report_day"), "10")
    assert d.save() is False
    assert "没有“修改设置”的权限" in warnings[0]
    with demo_db.session() as s:
        assert load_settings(s).report_day == 25


def test_calendar_dialog_sets_and_removes_an_override(qtbot, demo_db, admin, ui_state,
                                                      warnings):
    ctx = _ctx(demo_db, admin, ui_state)
    d = CalendarDialog(ctx)
    qtbot.addWidget(d)
    d.show()
    assert "2026 年 11 月 23 日 星期一" in d.day_info.text()
    assert "官方日历：工作日" in d.day_info.text()
    assert "按国务院公布的放假安排" in d.year_note.text()
    d.select(dt.date(2026, 10, 1))
    assert "法定节假日（国庆节）" in d.day_info.text()
    assert d.calendar.badges[QDate(2026, 10, 1)] == "休"
    assert d.calendar.badges[QDate(2026, 9, 20)] == "班"
    _shot(d, "calendar_dialog.png")

    d.select(dt.date(2027, 1, 1))
    assert "尚未收录" in d.year_note.text() and "周一至周五" in d.year_note.text()
    assert "按周一至周五计为工作日" in d.day_info.text()
    assert d.as_holiday.isChecked() and not d.remove_button.isEnabled()
    type_text(d.note, "2027年元旦")
    with qtbot.waitSignal(ctx.changes.changed, timeout=2000) as news:
        qtbot.mouseClick(d.set_button, Qt.LeftButton)
    assert "settings" in news.args[0]
    assert warnings == []
    with demo_db.session() as s:
        row = s.get(CalendarOverride, dt.date(2027, 1, 1))
        assert (row.is_workday, row.note) == (False, "2027年元旦")
    assert d.calendar.badges[QDate(2027, 1, 1)] == "改休"
    assert "自定义调整：休息日（2027年元旦）" in d.day_info.text()
    assert [d.overrides.item(i).text() for i in range(d.overrides.count())] == \
        ["2027-01-01  调整为休息日  2027年元旦"]
    assert d.remove_button.isEnabled()
    d.select(dt.date(2027, 1, 4))  # the selection's own colour would hide 1 January's
    _shot(d, "calendar_dialog_2027.png")

    d.select(dt.date(2026, 11, 23))
    d.select(dt.date(2027, 1, 1))
    qtbot.mouseClick(d.remove_button, Qt.LeftButton)
    with demo_db.session() as s:
        assert s.get(CalendarOverride, dt.date(2027, 1, 1)) is None
    assert QDate(2027, 1, 1) not in d.calendar.badges
    assert d.overrides.count() == 0


def test_calendar_dialog_refuses_a_too_long_note(qtbot, demo_db, admin, ui_state, warnings):
    d = CalendarDialog(_ctx(demo_db, admin, ui_state))
    qtbot.addWidget(d)
    d.show()
    assert d.note.maxLength() == 200
    d.note.setMaxLength(300)  # as if the field let more through: the service still refuses
    d.note.setText("长" * 201)
    assert d.set_override() is False
    assert "不能超过 200 个字" in warnings[0]
    with demo_db.session() as s:
        assert s.scalars(select(CalendarOverride)).all() == []


def test_calendar_list_jumps_to_an_override(qtbot, demo_db, admin, ui_state):
    with demo_db.Session.begin() as s:
        s.add(CalendarOverride(day=dt.date(2026, 12, 26), is_workday=True, note="年终加班"))
    d = CalendarDialog(_ctx(demo_db, admin, ui_state))
    qtbot.addWidget(d)
    d.show()
    item = d.overrides.item(0)
    assert item.text() == "2026-12-26  调整为工作日  年终加班"
    d.overrides.itemClicked.emit(item)
    assert d.selected_day() == dt.date(2026, 12, 26)
    assert d.calendar.monthShown() == 12
    assert d.note.text() == "年终加班"


def test_idle_lock_follows_the_saved_minutes(qtbot, demo_db, ui_state, monkeypatch, warnings):
    from taskboard.core import auth
    from taskboard.core.models import User

    monkeypatch.setattr(auth, "SCRYPT_N", 2 ** 10)
    with demo_db.Session.begin() as s:
        s.get(User, 1).password_hash = auth.hash_password("Admin-2026")
        admin = load_actor(s, "admin")
    ensure_app()
    w = make_window(demo_db, admin, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w)
    assert w.idle_lock.minutes == 30
    d = SettingsDialog(w.ctx, w)
    qtbot.addWidget(d)
    d.findChild(QSpinBox, "idle_lock_minutes").setValue(0)
    assert d.save() is True
    assert w.idle_lock.minutes == 0
