"""The window's start: the sign-in dialog is on screen while the database opens behind it."""
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from taskboard.cli.failures import CliError
from taskboard.cli.main import window_args
from taskboard.cli.window_start import cmd_gui
from taskboard.core import auth
from taskboard.core.db import Database, describe_database
from taskboard.core.models import User
from taskboard.ui.app import ensure_app
from taskboard.ui.session.first_admin_dialog import FirstAdminDialog
from taskboard.ui.session.login_dialog import (
    OPENING_TEXT, LoginDialog, ask_sign_in_while_opening,
)
from taskboard.ui.session.opening import Opening

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = pytest.mark.usefixtures("fast_hash")  # tests/conftest.py


@pytest.fixture
def office_db(demo_db):
    with demo_db.Session.begin() as s:
        s.get(User, 1).password_hash = auth.hash_password("Admin-2026!")
        s.get(User, 2).password_hash = auth.hash_password("Dispatch-2026")
    return demo_db


def _gated(db):
    """An opening that finishes only when the test says so (no sleeping, no clocks)."""
    gate = threading.Event()

    def open_database():
        gate.wait()
        return db

    return gate, Opening(open_database).start()


def test_sign_in_typed_while_the_database_opens_goes_ahead_once_open(qtbot, office_db):
    ensure_app()
    gate, opening = _gated(office_db)
    d = LoginDialog(None, opening=opening)
    qtbot.addWidget(d)
    d.show()
    ticks = [0]
    timer = QTimer(d)
    timer.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    timer.start(5)
    assert d.where.text() == OPENING_TEXT and not opening.done
    qtbot.keyClicks(d.username, "dispatcher")
    qtbot.keyClicks(d.password, "Dispatch-2026")
    qtbot.keyClick(d.password, Qt.Key_Return)
    assert d.error.text() == "正在打开数据库，打开后立即登录……"
    assert not d.ok_button.isEnabled() and d.isVisible() and d.actor is None
    QApplication.processEvents()
    shot = SHOTS / "login_opening.png"
    assert d.grab().save(str(shot)) and shot.stat().st_size > 5000
    qtbot.waitUntil(lambda: ticks[0] >= 5)  # the event loop runs while the file opens
    with qtbot.waitSignal(d.accepted, timeout=10000):
        gate.set()
    assert (d.actor.username, d.actor.role) == ("dispatcher", "dispatcher")
    assert d.db is office_db and d.where.text() == describe_database(office_db.url)


def test_a_wrong_password_is_answered_once_the_database_is_open(qtbot, office_db):
    ensure_app()
    gate, opening = _gated(office_db)
    d = LoginDialog(None, opening=opening, username="dispatcher")
    qtbot.addWidget(d)
    d.show()
    qtbot.keyClicks(d.password, "wrong-one")
    qtbot.keyClick(d.password, Qt.Key_Return)
    gate.set()
    qtbot.waitUntil(lambda: d.ok_button.isEnabled())
    assert d.isVisible() and d.actor is None
    assert d.error.text().startswith("用户名或密码错误。") and d.password.text() == ""


def _answer_modal(qtbot, seen, answer):
    def look():
        widget = QApplication.activeModalWidget()
        if isinstance(widget, (FirstAdminDialog, LoginDialog)):
            seen.append(type(widget).__name__)
            answer(widget)
        else:
            QTimer.singleShot(5, look)
    QTimer.singleShot(0, look)


def test_a_database_without_administrator_turns_to_the_first_start_dialog(qtbot, tmp_path):
    ensure_app()
    db = Database(f"sqlite:///{tmp_path / 'new.sqlite'}")
    gate, opening = _gated(db)
    seen = []

    def answer(widget):
        if isinstance(widget, LoginDialog):
            QTimer.singleShot(0, gate.set)  # the database opens: it has no administrator
            _answer_modal(qtbot, seen, answer_first)
        else:
            widget.reject()

    def answer_first(widget):
        if isinstance(widget, FirstAdminDialog):
            widget.reject()
        else:
            _answer_modal(qtbot, seen, answer_first)

    _answer_modal(qtbot, seen, answer)
    assert ask_sign_in_while_opening(opening) is None
    assert seen[0] == "LoginDialog" and seen[-1] == "FirstAdminDialog"
    db.dispose()


def test_a_database_that_cannot_be_opened_closes_the_dialog_and_says_why(qtbot):
    ensure_app()

    def refuse():
        raise CliError("数据库完整性检查未通过，为防止数据进一步损坏，程序不会打开它。")

    opening = Opening(refuse).start()
    with pytest.raises(CliError, match="完整性检查未通过"):
        ask_sign_in_while_opening(opening)


def test_cancelling_while_the_database_opens_ends_without_a_window(qtbot, office_db):
    ensure_app()
    gate, opening = _gated(office_db)

    def cancel(widget):
        widget.reject()
        gate.set()

    _answer_modal(qtbot, [], cancel)
    assert ask_sign_in_while_opening(opening) is None
    opening.wait()
    assert opening.db is office_db


def test_only_a_plain_window_start_skips_the_full_parser():
    args = window_args(["--db", "x.sqlite", "--user", "dispatcher"])
    assert (args.db, args.user, args.func, args.command) == ("x.sqlite", "dispatcher",
                                                              cmd_gui, None)
    for argv in (["--db", "x.sqlite", "stats"], ["stats"], ["-h"], ["--version"], ["--db"],
                 ["--nonsense"], ["--db", "x.sqlite", "users", "list"]):
        assert window_args(argv) is None, argv


_FIRST_PAINT = r"""
import os, sys, threading
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Paint and obj.isWidgetType() and obj.isWindow():
            data = sorted(m for m in sys.modules if m.split(".")[0] == "sqlalchemy"
                          or m in ("taskboard.core.models", "taskboard.ui.main_window"))
            print("FIRST", type(obj).__name__, ",".join(data) or "-", flush=True)
            os._exit(0)
        return False
watcher = FirstPaint()
app.installEventFilter(watcher)
import taskboard.cli.window_start as start
start._open_checked = lambda args: threading.Event().wait()  # the file never opens
from taskboard.cli.main import main
main(["--db", sys.argv[1]])
os._exit(3)
"""


def test_the_sign_in_dialog_is_painted_before_the_data_layer_is_imported(tmp_path):
    """A fresh process, as a user starts it: nothing of SQLAlchemy, the models or the main
    window is imported by the time the first window is painted."""
    path = tmp_path / "office.sqlite"
    path.write_bytes(b"")  # only needs to exist: it is never opened here
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", _FIRST_PAINT, str(path)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["FIRST", "LoginDialog", "-"]
