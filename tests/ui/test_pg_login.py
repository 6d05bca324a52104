"""The window on PostgreSQL with each account as its own login role: signing in through the
login dialog, the one-time password changed first, the administrator's offer to create the
missing roles, and a reporter's and a dispatcher's work through the dialogs."""
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from sqlalchemy import create_engine, select, text, update

from taskboard.core import auth, server_login
from taskboard.core.db import Database
from taskboard.core.models import Report, Unit, User
from taskboard.core.periods import Period
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.common.context import AppContext
from taskboard.ui.review.report_dialog import ReportDialog
from taskboard.ui.review.review_queue import ReviewQueueDialog
from taskboard.ui.session import login_dialog, login_roles_dialog
from taskboard.ui.session.change_password_dialog import ChangePasswordDialog
from taskboard.ui.session.login_dialog import LoginDialog, ask_sign_in
from tests.conftest import TEST_PASSWORD, TODAY
from tests.pg_accounts import PASSWORD, close_office, logins_with, make_office
from tests.ui.loading import settle
from tests.ui.typing_helpers import type_text

pytestmark = pytest.mark.postgresql
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NEW_PW = "Neues-Kennwort-77"


@pytest.fixture
def office(pg_server):
    ensure_app()
    o = make_office(pg_server)
    yield o
    close_office(pg_server, o)


def _shot(widget, name):
    widget.show()
    for _ in range(3):
        QApplication.processEvents()
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / name))


def _sign_in(qtbot, office, who, password=PASSWORD):
    d = LoginDialog(None, server_url=office.url)
    qtbot.addWidget(d)
    d.show()
    type_text(d.username, office.pre + who)
    type_text(d.password, password)
    qtbot.mouseClick(d.ok_button, Qt.LeftButton)
    return d


def test_a_reporter_signs_in_and_the_window_shows_their_unit(qtbot, office, ui_state):
    d = _sign_in(qtbot, office, "unit003")
    assert d.result() == LoginDialog.Accepted and d.db is not None
    db = d.db
    try:
        actor = d.actor
        assert (actor.username, actor.role, actor.unit_id) == (office.pre + "unit003",
                                                              "reporter", 3)
        with db.session() as s:
            assert s.scalar(text("SELECT session_user")) == office.pre + "unit003"
            unit = s.get(Unit, 3).name
        assert ask_sign_in(db) == actor  # the server signed in already: no second dialog
        w = make_window(db, actor, ui_state, today=lambda: TODAY)
        qtbot.addWidget(w)
        w.show()
        settle(qtbot)
        assert w.tasks_view.search.unit.currentText() == unit
        # Everything the window loads, the reporter's role may read.
        assert not w.connection_banner.isVisible() and len(w.board.rows) > 10
        assert actor.display_name in w.statusBar().currentMessage()
        # File → 修改密码 and the idle lock are there: the server holds the password.
        texts = [a.text() for a in w.menus["file"].actions()]
        assert "修改密码…" in texts and "锁定窗口" in texts
        w.close()
    finally:
        db.dispose()


def test_wrong_password_and_unknown_user_look_the_same(qtbot, office):
    wrong = _sign_in(qtbot, office, "unit003", "falsch-123")
    _shot(wrong, "login_dialog_server_wrong.png")
    unknown = _sign_in(qtbot, office, "niemand", PASSWORD)
    for d in (wrong, unknown):
        assert d.isVisible() and d.db is None and d.actor is None
        assert d.error.text() == "用户名或密码错误。"
        assert d.password.text() == ""


def test_unlocking_checks_the_password_on_the_server(qtbot, office):
    d = _sign_in(qtbot, office, "dispatcher")
    db = d.db
    try:
        lock = LoginDialog(db, locked_user=d.actor)
        qtbot.addWidget(lock)
        lock.show()
        type_text(lock.password, "falsch-123")
        qtbot.mouseClick(lock.ok_button, Qt.LeftButton)
        assert lock.error.text() == "用户名或密码错误。" and lock.actor is None
        type_text(lock.password, PASSWORD)
        qtbot.mouseClick(lock.ok_button, Qt.LeftButton)
        assert lock.actor == d.actor
    finally:
        db.dispose()


def _must_change(office, who):
    engine = create_engine(office.owner)
    with engine.begin() as conn:
        conn.execute(update(User).where(User.username == office.pre + who)
                     .values(must_change_password=True))
    engine.dispose()


def test_first_sign_in_with_a_one_time_password_asks_for_a_new_one(qtbot, office):
    _must_change(office, "unit004")
    d = _sign_in(qtbot, office, "unit004")
    db = d.db
    seen = []

    def fill():
        dialog = QApplication.activeModalWidget()
        seen.append(dialog)
        assert isinstance(dialog, ChangePasswordDialog) and dialog.one_time
        assert not dialog.old.isVisible()
        _shot(dialog, "one_time_password_change.png")
        type_text(dialog.new, "kurz")
        type_text(dialog.confirm, "kurz")
        qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
        assert "至少" in dialog.error.text() and dialog.isVisible()
        for edit in (dialog.new, dialog.confirm):
            edit.clear()
            type_text(edit, NEW_PW)
        qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    try:
        QTimer.singleShot(0, fill)
        actor = ask_sign_in(db)
        assert seen and actor is not None and actor.username == office.pre + "unit004"
        with db.session() as s:  # the window goes on with the new password
            assert s.scalar(select(User.must_change_password)
                            .where(User.username == actor.username)) is False
    finally:
        db.dispose()
    again = server_login.open_as_account(office.url, office.pre + "unit004", NEW_PW)
    assert again.account.must_change_password is False
    again.dispose()
    with pytest.raises(server_login.SignInRefused, match="用户名或密码错误"):
        server_login.open_as_account(office.url, office.pre + "unit004", PASSWORD)


def test_cancelling_the_one_time_change_opens_no_window(qtbot, office, monkeypatch):
    _must_change(office, "unit004")
    d = _sign_in(qtbot, office, "unit004")
    asked = []
    monkeypatch.setattr(login_dialog, "change_one_time_password",
                        lambda db, parent=None: asked.append(db) or False)
    try:
        assert ask_sign_in(d.db) is None and asked == [d.db]
    finally:
        d.db.dispose()


def test_the_reporter_submits_and_the_dispatcher_approves(qtbot, office, ui_state,
                                                         monkeypatch):
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: pytest.fail(a[2]))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    reporter = server_login.open_as_account(office.url, office.pre + "unit003", PASSWORD)
    try:
        ctx = AppContext(db=reporter, actor=reporter.account.actor, ui_state=ui_state,
                         today=lambda: TODAY)
        with reporter.session() as s:
            aid, name, campaign = s.execute(text(
                "SELECT a.id, u.name, t.campaign_id FROM assignment a JOIN task t ON t.id = a.task_id "
                "JOIN unit u ON u.id = a.unit_id WHERE a.unit_id = 3 AND a.closed_on IS NULL "
                "AND t.closed_on IS NULL AND NOT t.deleted AND NOT EXISTS (SELECT 1 FROM report "
                "r WHERE r.assignment_id = a.id AND r.period = '2026-11') ORDER BY a.id")).first()
        d = ReportDialog(ctx, "任务", [(aid, name, 10)], Period(2026, 11), aid)
        qtbot.addWidget(d)
        d.show()
        d.progress.clear()
        type_text(d.progress, "70")
        type_text(d.text, "窗口改造完成七成")
        qtbot.mouseClick(d.submit_button, Qt.LeftButton)
        report_id = d.report_id
        assert report_id is not None
    finally:
        reporter.dispose()
    dispatcher = server_login.open_as_account(office.url, office.pre + "dispatcher", PASSWORD)
    try:
        ctx = AppContext(db=dispatcher, actor=dispatcher.account.actor, ui_state=ui_state,
                         today=lambda: TODAY)
        q = ReviewQueueDialog(ctx, campaign, Period(2026, 11))
        qtbot.addWidget(q)
        q.show()
        row = next(i for i, r in enumerate(q.model.rows()) if r.report_id == report_id)
        q.table.setCurrentIndex(q.model.index(row, 0))
        assert q.current().report_id == report_id
        q.activateWindow()
        qtbot.waitUntil(q.isActiveWindow)
        q.table.setFocus()
        qtbot.keyClick(q.table, Qt.Key_A)
    finally:
        dispatcher.dispose()
    owner = Database(office.owner)
    with owner.session() as s:
        r = s.get(Report, report_id)
        assert (r.progress, r.text, r.status) == (70, "窗口改造完成七成", "approved")
        by = s.execute(text("SELECT action, db_user FROM audit_event WHERE entity_id = :r "
                            "AND entity = 'report' ORDER BY id"), {"r": report_id}).all()
    owner.dispose()
    assert [u for _a, u in by] == [office.pre + "unit003", office.pre + "dispatcher"]


def test_the_administrator_is_offered_roles_for_old_accounts(qtbot, pg_server, monkeypatch,
                                                             test_password_hash):
    ensure_app()
    o = make_office(pg_server, before="0007_i12", logins=())
    try:
        db = Database(o.owner)  # the first start after the upgrade, as the schema owner
        with db.engine.begin() as conn:
            conn.execute(update(User).values(password_hash=test_password_hash))
        admin = auth.sign_in(db.Session, o.pre + "admin", TEST_PASSWORD)
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
        shown = []

        def keep(dialog):
            shown.append(dialog)
            _shot(dialog, "one_time_passwords.png")
            dialog.copy()
            return 1
        monkeypatch.setattr(login_roles_dialog.OneTimePasswordsDialog, "exec", keep)
        made = login_roles_dialog.offer_login_roles(db, admin)
        assert made == len(logins_with(pg_server, o.pre)) > 10
        rows = shown[0].rows
        warning = shown[0].findChild(QLabel, "oneTimeWarning")
        assert warning.text() == login_roles_dialog.WARNING and "只显示这一次" in warning.text()
        assert len(rows) == made and all(len(pw) >= 12 for *_r, pw in rows)
        assert QApplication.clipboard().text() == shown[0].plain_text()
        assert all(pw in shown[0].html() for *_r, pw in rows)
        # A second start offers nothing: every account has its role now.
        assert login_roles_dialog.offer_login_roles(db, admin) == 0
        db.dispose()
        name, *_rest, one_time = next(r for r in rows if r[0] == o.pre + "unit003")
        signed = server_login.open_as_account(o.url, name, one_time)
        assert signed.account.must_change_password is True
        signed.dispose()
    finally:
        close_office(pg_server, o)


def test_server_form_without_user_and_the_login_dialog_pictures(qtbot, office, tmp_path):
    from taskboard.core.connections import ServerEntry
    from taskboard.ui.session.server_edit_dialog import ServerEditDialog

    e = ServerEditDialog(ServerEntry("市政务服务局服务器", "10.10.1.20"))
    qtbot.addWidget(e)
    _shot(e, "server_edit_dialog_own_roles.png")
    qtbot.mouseClick(e.ok_button, Qt.LeftButton)
    assert e.entry is not None and e.entry.user == ""
    from taskboard.core import connections
    from taskboard.ui.session.connection_dialog import OWN_ROLE_NOTE, ConnectionDialog

    store = tmp_path / "servers.json"
    connections.save_store(connections.ServerStore([e.entry], {"kind": "server",
                                                               "name": e.entry.name}), store)
    c = ConnectionDialog(None, store_path=store)
    qtbot.addWidget(c)
    c.show()
    assert not c.password_edit.isEnabled()
    assert c.test_connection().message == OWN_ROLE_NOTE
    c.path.setText("office.sqlite")  # the picture shows no folder of this computer
    _shot(c, "connection_dialog_own_roles.png")
    c.connect_database()  # nothing is opened yet: the sign-in that follows does that
    assert c.result() == ConnectionDialog.Accepted and c.database is None
    assert c.url == "postgresql+psycopg://10.10.1.20:5432/taskboard?connect_timeout=10&sslmode=prefer"
    d = LoginDialog(None, server_url=office.url, username="unit003")
    qtbot.addWidget(d)
    _shot(d, "login_dialog_server.png")
    assert d.findChild(QLabel, "serverSignInNote").text().startswith("请用本人的用户名和密码")
    assert any("服务器：127.0.0.1" in label.text() for label in d.findChildren(QLabel))


def test_the_first_administrator_on_a_new_server_is_offered_a_login(qtbot, pg_server,
                                                                   monkeypatch):
    from tests.pg import TEMPLATE

    ensure_app()
    o = make_office(pg_server, template=TEMPLATE, logins=())
    try:
        db = Database(o.owner)  # the first start, as the schema owner
        with db.Session.begin() as s:
            admin = auth.create_first_admin(s, o.pre + "admin", "系统管理员", TEST_PASSWORD)
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
        shown = []
        monkeypatch.setattr(login_roles_dialog.OneTimePasswordsDialog, "exec",
                            lambda d: shown.append(d) or 1)
        assert login_roles_dialog.offer_login_roles(db, admin) == 1
        db.dispose()
        [(name, display, role, one_time)] = shown[0].rows
        assert (name, display, role) == (o.pre + "admin", "系统管理员", "管理员")
        signed = server_login.open_as_account(o.url, name, one_time)
        assert signed.account.actor.role == "admin" and signed.account.must_change_password
        signed.dispose()
    finally:
        close_office(pg_server, o)


def test_the_window_started_on_an_address_without_user_signs_in_there(qtbot, office,
                                                                      monkeypatch):
    from taskboard.cli.main import main
    from taskboard.ui import app

    for name in ("TASKBOARD_USER", "TASKBOARD_PASSWORD", "TASKBOARD_DB_PASSWORD", "TASKBOARD_DB"):
        monkeypatch.delenv(name, raising=False)
    started = []
    monkeypatch.setattr(app, "run", lambda db, actor, shot=None: started.append((db, actor)) or 0)

    def fill():
        d = QApplication.activeModalWidget()
        assert isinstance(d, LoginDialog) and d.username.text() == office.pre + "leader"
        type_text(d.password, PASSWORD)
        qtbot.mouseClick(d.ok_button, Qt.LeftButton)
    QTimer.singleShot(0, fill)
    assert main(["--db", office.url, "--user", office.pre + "leader"]) == 0
    [(db, actor)] = started
    try:
        assert (actor.username, actor.role) == (office.pre + "leader", "leader")
        assert db.account is not None and db.account.actor == actor
    finally:
        db.dispose()


@pytest.mark.parametrize("who", ["admin", "dispatcher", "leader", "unit004"])
def test_the_window_opens_for_every_role_on_its_own_login(qtbot, office, ui_state, who):
    db = server_login.open_as_account(office.url, office.pre + who, PASSWORD)
    try:
        w = make_window(db, db.account.actor, ui_state, today=lambda: TODAY)
        qtbot.addWidget(w)
        w.show()
        settle(qtbot)
        assert not w.connection_banner.isVisible() and len(w.board.rows) > 10
        w.close()
    finally:
        db.dispose()
