"""The 催办 tab, notice preview, phone dialog, unit inbox and SMTP settings, driven as users do."""
import os
import stat

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from taskboard.core.actor import load_actor
from taskboard.core.models import UrgeNotice, UrgeRecord
from taskboard.core.settings import load_settings, save_setting
from taskboard.notify import email
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.common.context import AppContext
from taskboard.ui.urge.smtp_settings_dialog import SmtpSettingsDialog
from taskboard.ui.urge.urge_tree_model import UrgeTreeModel
from tests.ui.loading import settle
from tests.conftest import TODAY
from tests.ui.typing_helpers import type_text

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def messages(monkeypatch):
    seen = []
    for name in ("warning", "information"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: seen.append(a[2]))
    return seen


@pytest.fixture
def confirm(monkeypatch):
    """Answers 是 to confirmations and keeps their texts."""
    asked = []

    def question(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


@pytest.fixture
def window(qtbot, demo_db, dispatcher, ui_state):
    ensure_app()
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w)
    w.show()
    w.tabs.setCurrentWidget(w.urge_actions.view)
    settle(qtbot)  # screened in the background once shown
    return w


def notices(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(UrgeNotice))


def check_unit(view, row=0):
    model = view.model
    model.setData(model.index(row, 0), Qt.Checked, Qt.CheckStateRole)
    return model.groups()[row]


def test_models_pass_the_model_tester(window, qtmodeltester):
    view = window.urge_actions.view
    assert view.model.rowCount() > 0
    check_unit(view)
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.notice_model)
    empty = UrgeTreeModel()
    qtmodeltester.check(empty)


def test_filters_group_and_check_state(qtbot, window):
    view = window.urge_actions.view
    qtbot.mouseClick(view.filters["overdue"], Qt.LeftButton)
    settle(qtbot)
    rows = [r for g in view.model.groups() for r in g.rows]
    assert rows and all("overdue" in r.categories and r.report_status in (None, "returned")
                        for r in rows)
    assert f"{len(rows)} 项" in view.summary.text()
    group = view.model.groups()[0]
    parent = view.model.index(0, 0)
    view.model.setData(view.model.index(0, 0, parent), Qt.Checked, Qt.CheckStateRole)
    expected = Qt.Checked if len(group.rows) == 1 else Qt.PartiallyChecked
    assert view.model.data(parent, Qt.CheckStateRole) == expected
    qtbot.mouseClick(view.check_all, Qt.LeftButton)
    assert len(view.model.checked_rows()) == len(rows)
    assert f"已勾选 {len(rows)} 项" in view.checked_label.text()
    qtbot.mouseClick(view.check_none, Qt.LeftButton)
    assert not view.urge_button.isEnabled()


def test_urge_from_preview_then_restraint_needs_a_reason(qtbot, window, demo_db, messages,
                                                        confirm):
    view = window.urge_actions.view
    fresh = next(i for i, g in enumerate(view.model.groups())
                 if all(r.urge_count == 0 for r in g.rows))
    group = check_unit(view, fresh)
    qtbot.mouseClick(view.urge_button, Qt.LeftButton)
    dialog = window.urge_actions.dialog
    assert dialog.isVisible() and dialog.units.count() == 1
    assert group.unit_name in dialog.preview.toPlainText()
    assert all(r.code in dialog.preview.toPlainText() for r in group.rows)
    assert not dialog.by_email.isEnabled()  # no SMTP server configured
    qtbot.mouseClick(dialog.send_button, Qt.LeftButton)
    assert not dialog.isVisible() and notices(demo_db) == 1
    assert dialog.issued[0].number_text == "催办〔2026〕1号"
    qtbot.waitUntil(lambda: view.notice_model.rowCount() == 1)
    assert view.notice_model.row_at(0).unit_name == group.unit_name
    settle(qtbot)  # screened again after the change news

    # Urged today: the same unit again needs a reason.
    row = next(i for i, g in enumerate(view.model.groups()) if g.unit_id == group.unit_id)
    check_unit(view, row)
    assert all(r.quiet_until for r in view.model.checked_rows())
    qtbot.mouseClick(view.urge_button, Qt.LeftButton)
    dialog = window.urge_actions.dialog
    assert dialog.reason.isVisible()
    qtbot.mouseClick(dialog.send_button, Qt.LeftButton)
    assert messages and "减轻基层负担" in messages[-1]
    assert dialog.isVisible() and notices(demo_db) == 1
    type_text(dialog.reason, "市政府常务会议前须报齐")
    qtbot.mouseClick(dialog.send_button, Qt.LeftButton)
    assert notices(demo_db) == 2


def test_phone_urge_dialog_logs_the_call(qtbot, window, demo_db):
    view = window.urge_actions.view
    group = check_unit(view)
    qtbot.mouseClick(view.phone_button, Qt.LeftButton)
    dialog = window.urge_actions.dialog
    assert "综合科" in dialog.called.text()
    type_text(dialog.answered_by, "综合科科长")
    type_text(dialog.said, "周五前补报")
    if dialog.reason.isVisible():
        type_text(dialog.reason, "再次提醒")
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert not dialog.isVisible()
    with demo_db.session() as s:
        recs = s.scalars(select(UrgeRecord).where(UrgeRecord.method == "phone",
                                                  UrgeRecord.reply == "周五前补报")).all()
    assert {r.assignment_id for r in recs} == {r.assignment_id for r in group.rows}
    assert {r.contact for r in recs} == {"综合科科长"}


def test_unit_reads_and_answers_in_its_inbox(qtbot, window, demo_db, ui_state, confirm):
    view = window.urge_actions.view
    group = check_unit(view)
    window.urge_actions.urge_rows(view.model.checked_rows())
    dialog = window.urge_actions.dialog
    if dialog.reason.isVisible():
        type_text(dialog.reason, "补发")
    assert dialog.send()
    with demo_db.session() as s:
        reporter = load_actor(s, f"unit{group.unit_id:03d}")
    w = make_window(demo_db, reporter, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w)
    inbox = w.urge_actions.inbox
    assert w.urge_actions.view is None and inbox is not None
    assert inbox.model.rowCount() == 1 and "未读 1" in inbox.title.text()
    inbox.table.selectRow(0)
    qtbot.waitUntil(lambda: "未读 0" in inbox.title.text())
    assert group.unit_name in inbox.preview.toPlainText()
    inbox.answer.clear()
    type_text(inbox.answer, "已补报，请审核")
    qtbot.mouseClick(inbox.answer_button, Qt.LeftButton)
    with demo_db.session() as s:
        notice = s.scalars(select(UrgeNotice)).one()
        assert (notice.answer, notice.read_at is not None) == ("已补报，请审核", True)


def test_smtp_settings_dialog_keeps_the_password_out_of_the_database(
        qtbot, demo_db, ui_state, tmp_path, monkeypatch, messages):
    monkeypatch.delenv(email.ENV_PASSWORD, raising=False)
    monkeypatch.setattr(email.platformdirs, "user_config_dir",
                        lambda *a, **k: str(tmp_path / "cfg"))
    ensure_app()
    with demo_db.session() as s:
        admin = load_actor(s, "admin")
    ctx = AppContext(db=demo_db, actor=admin, ui_state=ui_state, today=lambda: TODAY)
    dialog = SmtpSettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.host, "smtp.example .cn")
    dialog.security.setCurrentIndex(dialog.security.findData("starttls"))
    assert dialog.port.value() == 587
    type_text(dialog.sender, "ducha@example.gov.cn")
    type_text(dialog.password, "pa55")
    assert not dialog.save() and "空格" in messages[-1]
    dialog.host.clear()
    type_text(dialog.host, "smtp.example.gov.cn")
    assert dialog.save()
    with demo_db.session() as s:
        st = load_settings(s)
        from taskboard.core.models import Setting
        stored = " ".join(s.scalars(select(Setting.value)).all())
    assert (st.smtp_host, st.smtp_port, st.smtp_security) == ("smtp.example.gov.cn", 587,
                                                              "starttls")
    assert "pa55" not in stored
    assert email.load_password() == "pa55"
    if os.name == "posix":
        assert stat.S_IMODE(email.password_file().stat().st_mode) == 0o600


EARLY = "本期报送截止日为 11月25日，尚未到期：未报送的单位仍在报送期内"


def test_screening_notes_that_the_report_day_has_not_come(qtbot, window, demo_db, dispatcher,
                                                          ui_state):
    view = window.urge_actions.view
    assert view.early_note.isVisible() and EARLY in view.early_note.text()
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY.replace(day=25))
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w)
    w.show()
    w.tabs.setCurrentWidget(w.urge_actions.view)
    settle(qtbot)
    assert w.urge_actions.view.model.rowCount() > 0
    assert not w.urge_actions.view.early_note.isVisible()


def _open_preview(view, window, pick):
    model = view.model
    for g, group in enumerate(model.groups()):
        parent = model.index(g, 0)
        for r, row in enumerate(group.rows):
            if pick(row):
                model.setData(model.index(r, 0, parent), Qt.Checked, Qt.CheckStateRole)
    rows = model.checked_rows()
    assert rows
    return window.urge_actions.urge_rows(rows), rows


def test_unreported_before_the_report_day_is_confirmed_first(qtbot, window, demo_db,
                                                            monkeypatch, messages):
    view = window.urge_actions.view
    dialog, rows = _open_preview(view, window, lambda r: r.early and r.urge_count == 0)
    assert dialog.early_label.isVisible() and EARLY in dialog.early_label.text()
    answers = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: answers.append(a[2]) or QMessageBox.No)
    qtbot.mouseClick(dialog.send_button, Qt.LeftButton)
    assert answers and EARLY in answers[0] and f"有 {len(rows)} 项" in answers[0]
    assert dialog.isVisible() and notices(demo_db) == 0
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    qtbot.mouseClick(dialog.send_button, Qt.LeftButton)
    assert not dialog.isVisible() and notices(demo_db) > 0


def test_overdue_urging_is_not_asked_about_the_report_day(qtbot, window, demo_db, monkeypatch):
    view = window.urge_actions.view
    qtbot.mouseClick(view.filters["overdue"], Qt.LeftButton)
    settle(qtbot)
    dialog, rows = _open_preview(view, window, lambda r: True)
    assert all(r.report_status is None or r.report_status == "returned" for r in rows)
    assert not dialog.early_label.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail("asked"))
    if dialog.reason.isVisible():
        type_text(dialog.reason, "补发")
    assert dialog.send() and notices(demo_db) > 0


def test_preview_warns_when_the_office_contact_is_unset(qtbot, window, demo_db):
    view = window.urge_actions.view
    dialog, _ = _open_preview(view, window, lambda r: r.urge_count == 0)
    assert dialog.contact_warning.isVisible()
    assert dialog.contact_warning.text() == (
        "办公室联系人、联系电话未设置，通知单将显示“—”；"
        "请管理员在“管理 → 系统设置…”的“办公室信息”页中设置")
    assert "联系人：—" in dialog.preview.toPlainText()
    dialog.reject()
    with demo_db.Session.begin() as s:
        save_setting(s, "office_contact", "综合科")
        save_setting(s, "office_phone", "0477-8300001")
    dialog, _ = _open_preview(view, window, lambda r: r.urge_count == 0)
    assert not dialog.contact_warning.isVisible()
    assert "联系人：综合科" in dialog.preview.toPlainText()
