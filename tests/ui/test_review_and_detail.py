"""Review queue and detail view driven by keyboard and mouse; then the database and lights."""
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from taskboard.core.models import Assignment, Report
from taskboard.core.periods import Period
from taskboard.core.rules import Light
from taskboard.core.services import feedback as feedback_service
from taskboard.core.services import tasks as task_service
from taskboard.core.services.reports import submit_report
from taskboard.core.services.review import pending_reports
from taskboard.ui.app import ensure_app
from taskboard.ui.common.context import AppContext
from taskboard.ui.review.review_queue import ReviewQueueDialog
from taskboard.ui.common.row_table_model import RowTableModel
from taskboard.ui.review.task_detail import (
    ASSIGNMENT_COLUMNS, AUDIT_COLUMNS, FEEDBACK_COLUMNS, REPORT_COLUMNS, URGE_COLUMNS,
    TaskDetailDialog,
)
from tests.conftest import TODAY
from tests.ui.loading import settle
from tests.ui.typing_helpers import type_text

pytestmark = pytest.mark.sqlite_only
NOV = Period(2026, 11)


@pytest.fixture
def ctx(demo_db, dispatcher, ui_state, monkeypatch):
    ensure_app()
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    return AppContext(db=demo_db, actor=dispatcher, ui_state=ui_state, today=lambda: TODAY)


def _status(db, rid):
    with db.session() as s:
        r = s.get(Report, rid)
        return r.status, r.review_comment


def test_queue_keyboard_approve_return_and_next(qtbot, ctx):
    d = ReviewQueueDialog(ctx, 1, NOV)
    qtbot.addWidget(d)
    d.show()
    with ctx.db.session() as s:
        total = len(pending_reports(s, 1, up_to=NOV))
    assert d.model.rowCount() == total > 3
    first = d.current()
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow)
    d.table.setFocus()
    qtbot.keyClick(d.table, Qt.Key_A)
    assert _status(ctx.db, first.report_id) == ("approved", "")
    assert d.model.rowCount() == total - 1 and d.reviewed == 1
    second = d.current()
    qtbot.keyClick(d.table, Qt.Key_J)
    third = d.current()
    assert third.report_id != second.report_id
    qtbot.keyClick(d.table, Qt.Key_K)
    assert d.current().report_id == second.report_id
    # R without a comment only asks for one
    qtbot.keyClick(d.table, Qt.Key_R)
    assert _status(ctx.db, second.report_id)[0] == "pending"
    assert "审核意见" in d.position.text()
    type_text(d.comment, "佐证材料不全，请补充")
    assert d.current().report_id == second.report_id  # typing letters did not trigger keys
    qtbot.mouseClick(d.return_button, Qt.LeftButton)
    assert _status(ctx.db, second.report_id) == ("returned", "佐证材料不全，请补充")
    assert d.model.rowCount() == total - 2
    assert d.comment.toPlainText() == ""


def test_queue_models_pass_model_tester(qtbot, qtmodeltester, ctx):
    d = ReviewQueueDialog(ctx, 1, NOV)
    qtbot.addWidget(d)
    qtmodeltester.check(d.model)


def test_detail_shows_everything_and_approves(qtbot, qtmodeltester, ctx, tmp_path,
                                              monkeypatch):
    f = tmp_path / "纪要.pdf"
    f.write_bytes(b"%PDF minutes")
    with ctx.db.Session.begin() as s:
        tid = task_service.create_task(s, ctx.actor, task_service.TaskInput(
            campaign_id=1, code="99.1", title="测试任务", start_date=dt.date(2026, 1, 1),
            deadline=dt.date(2026, 12, 31), unit_ids=(1, 2)))
        a1 = s.scalar(select(Assignment.id).where(Assignment.task_id == tid,
                                                  Assignment.unit_id == 1))
        rid = submit_report(s, ctx.actor, a1, NOV, text="完成对接", progress=45,
                            evidence=[f], today=TODAY)
        feedback_service.write_feedback(s, ctx.actor, a1, "请补充数据")
    d = TaskDetailDialog(ctx, tid, NOV)
    qtbot.addWidget(d)
    d.show()
    settle(qtbot)  # the detail loads in the background
    assert d.heading.text() == "99.1  测试任务"
    assert "蓝灯" not in d.fields.text() or "红灯" in d.fields.text()  # unit 2 is red
    assert [a.unit_name for a in d.assignments.rows()] == ["东胜区", "康巴什区"]
    assert d.assignments.index(0, 0).data() == "蓝灯"
    assert d.reports.rowCount() == 1 and d.files.count() == 1
    assert "1 待回复" in d.tabs.tabText(1)
    for model in (d.assignments, d.reports, d.feedback, d.urges, d.audit):
        qtmodeltester.check(model)
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    d.files.itemActivated.emit(d.files.item(0))
    assert opened and opened[0].toLocalFile().endswith("纪要.pdf")
    # return without comment is refused, the report stays pending
    qtbot.mouseClick(d.return_button, Qt.LeftButton)
    assert _status(ctx.db, rid)[0] == "pending"
    qtbot.mouseClick(d.approve_button, Qt.LeftButton)
    assert _status(ctx.db, rid)[0] == "approved"
    settle(qtbot)
    assert d.assignments.index(0, 0).data() == "绿灯"  # reloaded from the change news
    assert not d.approve_button.isEnabled()
    assert [e.action for e in d.audit.rows()][:2] == ["report.approve", "feedback.write"]


def test_detail_columns_render_for_demo_task(qtbot, ctx):
    d = TaskDetailDialog(ctx, 2, NOV)
    qtbot.addWidget(d)
    settle(qtbot)  # the detail loads in the background
    assert d.assignments.rowCount() > 0
    for model in (d.assignments, d.reports, d.feedback, d.urges, d.audit):
        for r in range(model.rowCount()):
            for c in range(model.columnCount()):
                model.index(r, c).data()
    assert len(ASSIGNMENT_COLUMNS) == d.assignments.columnCount()
    assert all(isinstance(m, RowTableModel) for m in (d.reports, d.feedback))
    assert {len(REPORT_COLUMNS), len(FEEDBACK_COLUMNS), len(URGE_COLUMNS), len(AUDIT_COLUMNS)}
    assert d.assignments.index(0, 0).data() in {"绿灯", "蓝灯", "红灯"}
    assert Light.GREEN.word == "绿灯"
