"""An edit made while the database is unreachable is not lost silently.

The connection really goes away: on PostgreSQL the test database stops accepting connections
and its server processes are terminated (the window's pooled connections die with them); on
SQLite the database's engine is pointed at a file that cannot be opened. The user is told,
the dialog stays open with what they typed, the banner appears, and once the connection is
back the same click saves it.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from taskboard.core.actor import load_actor
from taskboard.core.models import Assignment, Report, Task
from taskboard.core.periods import Period
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.session.connection_actions import RESTORED
from taskboard.ui.common.ops import UNSAVED
from taskboard.ui.review.report_dialog import ReportDialog
from taskboard.ui.tasks.task_editor import TaskEditorDialog
from tests.ui.loading import settle
from tests.conftest import TODAY
from tests.ui.typing_helpers import type_text


class Outage:
    def __init__(self, db, request, tmp_path) -> None:
        self.db = db
        self.request = request
        self.tmp_path = tmp_path
        self.saved = None

    def cut(self) -> None:
        if self.db.is_sqlite:
            self.saved = (self.db.engine, self.db.Session)
            gone = create_engine(f"sqlite:///{self.tmp_path / 'gone' / 'x.sqlite'}")
            self.db.engine, self.db.Session = gone, sessionmaker(gone, expire_on_commit=False)
            return
        conn = self.request.getfixturevalue("pg_server")._admin_conn()
        name = make_url(self.db.url).database
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", [name])
        self.saved = name

    def restore(self) -> None:
        if self.saved is None:
            return
        if self.db.is_sqlite:
            self.db.engine.dispose()
            self.db.engine, self.db.Session = self.saved
        else:
            conn = self.request.getfixturevalue("pg_server")._admin_conn()
            conn.execute(f'ALTER DATABASE "{self.saved}" ALLOW_CONNECTIONS true')
        self.saved = None


@pytest.fixture
def outage(demo_db, request, tmp_path):
    o = Outage(demo_db, request, tmp_path)
    yield o
    o.restore()


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: seen.append(a[2]))
    return seen


def _window(qtbot, db, ui_state, username):
    ensure_app()
    with db.session() as s:
        actor = load_actor(s, username)
    w = make_window(db, actor, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w)
    w.show()
    return w


def _fail_then_come_back(qtbot, w, outage, warnings, button, dialog):
    outage.cut()
    qtbot.mouseClick(button, Qt.LeftButton)
    assert len(warnings) == 1 and warnings[0].startswith(UNSAVED)
    assert dialog.isVisible() and dialog.result() == 0
    # The failure itself brings up the banner, without waiting for the next poll.
    qtbot.waitUntil(w.connection_banner.isVisible, timeout=5000)
    assert "连接已断开" in w.connection_banner.label.text()
    outage.restore()
    w.change_poller.poll()
    assert not w.connection_banner.isVisible()
    assert w.statusBar().currentMessage() == RESTORED
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(button, Qt.LeftButton)
    assert len(warnings) == 1


def test_task_edit_survives_a_lost_connection(qtbot, demo_db, ui_state, outage, warnings):
    w = _window(qtbot, demo_db, ui_state, "dispatcher")
    task_id = w.board.rows[0].task_id
    d = TaskEditorDialog(w.ctx, task_id=task_id, parent=w)
    qtbot.addWidget(d)
    d.show()
    d.title_edit.clear()
    type_text(d.title_edit, "断线期间改写的任务名称")
    _fail_then_come_back(qtbot, w, outage, warnings, d.save_button, d)
    assert d.title_edit.text() == "断线期间改写的任务名称"
    with demo_db.session() as s:
        task = s.get(Task, task_id)
        assert (task.title, task.version) == ("断线期间改写的任务名称", 2)


def test_report_survives_a_lost_connection(qtbot, demo_db, ui_state, outage, warnings):
    w = _window(qtbot, demo_db, ui_state, "unit003")
    with demo_db.session() as s:
        aid = next(a.id for a in s.scalars(
            select(Assignment).join(Task).where(Assignment.unit_id == 3,
                                                Assignment.closed_on.is_(None),
                                                Task.closed_on.is_(None))
            .order_by(Assignment.id))
            if not s.scalar(select(Report.id).where(Report.assignment_id == a.id,
                                                    Report.period == "2026-11")))
    d = ReportDialog(w.ctx, "任务", [(aid, "单位", 10)], Period(2026, 11), aid, parent=w)
    qtbot.addWidget(d)
    d.show()
    type_text(d.text, "断线期间填写的进展")
    d.progress.setValue(55)
    _fail_then_come_back(qtbot, w, outage, warnings, d.submit_button, d)
    with demo_db.session() as s:
        reports = s.scalars(select(Report).where(Report.assignment_id == aid,
                                                 Report.period == "2026-11")).all()
        assert [(r.text, r.progress) for r in reports] == [("断线期间填写的进展", 55)]


def test_a_failed_read_raises_the_banner_too(qtbot, demo_db, ui_state, outage):
    from sqlalchemy.exc import OperationalError

    from taskboard.ui.common.ops import read

    w = _window(qtbot, demo_db, ui_state, "dispatcher")
    outage.cut()
    with qtbot.waitSignal(w.ctx.changes.trouble, timeout=5000):
        with pytest.raises(OperationalError):
            read(w.ctx, lambda s: s.get(Task, 1))
    qtbot.waitUntil(w.connection_banner.isVisible, timeout=5000)
