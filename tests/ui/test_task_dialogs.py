"""Report, feedback, close-out, bulk-edit, unit and campaign dialogs driven as a user does."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from taskboard.core.actor import load_actor
from taskboard.core.models import (
    Assignment, Campaign, Evidence, Feedback, Report, Task, Unit,
)
from taskboard.ui.app import ensure_app
from taskboard.ui.tasks.bulk_edit import BulkEditDialog
from taskboard.ui.admin.campaign_manager import CampaignManagerDialog
from taskboard.ui.review.close_out_dialog import CloseOutDialog
from taskboard.ui.common.context import AppContext
from taskboard.ui.review.feedback_dialog import FeedbackDialog
from taskboard.ui.review.report_dialog import ReportDialog
from taskboard.ui.admin.unit_manager import UnitManagerDialog
from taskboard.core.periods import Period
from tests.conftest import TODAY
from tests.ui.typing_helpers import type_text

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: seen.append(a[2]))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    return seen


def _ctx(db, ui_state, username="dispatcher"):
    ensure_app()
    with db.session() as s:
        actor = load_actor(s, username)
    return AppContext(db=db, actor=actor, ui_state=ui_state, today=lambda: TODAY)


def _open_assignment(db, unit_id=None):
    """An open assignment of an open task (optionally of one unit) with no report this month."""
    with db.session() as s:
        q = (select(Assignment).join(Task).where(
            Task.closed_on.is_(None), Assignment.closed_on.is_(None), Task.deleted.is_(False)))
        if unit_id:
            q = q.where(Assignment.unit_id == unit_id)
        for a in s.scalars(q.order_by(Assignment.id)):
            if not s.scalar(select(Report.id).where(Report.assignment_id == a.id,
                                                    Report.period == "2026-11")):
                return a.id, a.task_id, a.unit.name
    raise AssertionError("no open assignment")


def test_reporter_submits_report_with_evidence(qtbot, demo_db, ui_state, warnings, tmp_path):
    ctx = _ctx(demo_db, ui_state, "unit003")
    aid, tid, name = _open_assignment(demo_db, 3)
    f = tmp_path / "佐证.docx"
    f.write_bytes(b"PK docx")
    d = ReportDialog(ctx, "任务", [(aid, name, 10)], Period(2026, 11), aid)
    qtbot.addWidget(d)
    d.show()
    assert d.progress.value() == 10
    d.progress.clear()
    type_text(d.progress, "65")
    type_text(d.text, "完成窗口改造")
    type_text(d.problems, "人员不足")
    d.add_files([str(f)])
    qtbot.mouseClick(d.submit_button, Qt.LeftButton)
    assert warnings == []
    with demo_db.session() as s:
        r = s.get(Report, d.report_id)
        assert (r.progress, r.text, r.problems, r.on_behalf, r.status) == (
            65, "完成窗口改造", "人员不足", False, "pending")
        assert s.scalars(select(Evidence.filename).where(Evidence.report_id == r.id)).all() == [
            "佐证.docx"]


def test_report_without_text_or_with_bad_file_is_refused(qtbot, demo_db, ui_state, warnings,
                                                         tmp_path):
    ctx = _ctx(demo_db, ui_state)
    aid, tid, name = _open_assignment(demo_db)
    d = ReportDialog(ctx, "任务", [(aid, name, 0)], Period(2026, 11), aid)
    qtbot.addWidget(d)
    d.show()
    qtbot.mouseClick(d.submit_button, Qt.LeftButton)
    assert warnings == ["请填写本月进展。"]
    bad = tmp_path / "run.bat"
    bad.write_text("echo")
    type_text(d.text, "进展")
    d.add_files([str(bad)])
    qtbot.mouseClick(d.submit_button, Qt.LeftButton)
    assert "不支持的佐证材料类型" in warnings[-1] and d.isVisible()
    with demo_db.session() as s:
        assert s.scalar(select(Report.id).where(Report.assignment_id == aid,
                                                Report.period == "2026-11")) is None


def test_feedback_written_by_office_and_answered_by_unit(qtbot, demo_db, ui_state, warnings):
    aid, tid, name = _open_assignment(demo_db, 4)
    d = FeedbackDialog(_ctx(demo_db, ui_state), [(aid, name, 0)], aid)
    qtbot.addWidget(d)
    d.show()
    before = d.model.rowCount()
    type_text(d.body, "进度滞后，请说明原因")
    qtbot.mouseClick(d.send_button, Qt.LeftButton)
    assert d.model.rowCount() == before + 1
    assert d.model.index(0, 2).data() == "待回复"
    unit_side = FeedbackDialog(_ctx(demo_db, ui_state, "unit004"), [(aid, name, 0)], aid)
    qtbot.addWidget(unit_side)
    unit_side.show()
    assert not unit_side.send_button.isVisibleTo(unit_side)
    type_text(unit_side.reply, "已制定整改措施")
    qtbot.mouseClick(unit_side.reply_button, Qt.LeftButton)
    assert unit_side.model.index(0, 2).data() == "已回复"
    with demo_db.session() as s:
        fb = s.scalars(select(Feedback).where(Feedback.assignment_id == aid)
                       .order_by(Feedback.id.desc())).first()
        assert (fb.body, fb.reply) == ("进度滞后，请说明原因", "已制定整改措施")
    assert warnings == []


def test_close_out_unit_then_reopen(qtbot, demo_db, ui_state, warnings):
    aid, tid, name = _open_assignment(demo_db)
    ctx = _ctx(demo_db, ui_state)
    d = CloseOutDialog(ctx, tid, aid)
    qtbot.addWidget(d)
    d.show()
    assert d.one.isChecked() and d.unit.currentText() == name
    d.outcome.setCurrentText("协调解决")
    type_text(d.note, "经协调已解决")
    qtbot.mouseClick(d.close_button, Qt.LeftButton)
    with demo_db.session() as s:
        a = s.get(Assignment, aid)
        assert (a.closed_on, a.close_outcome, a.close_note) == (TODAY, "协调解决", "经协调已解决")
    d2 = CloseOutDialog(ctx, tid, aid)
    qtbot.addWidget(d2)
    d2.show()
    assert "已于" in d2.state.text() and d2.reopen_button.isEnabled()
    qtbot.mouseClick(d2.reopen_button, Qt.LeftButton)
    assert "原因" in warnings[-1]
    type_text(d2.reason, "复核未完成")
    qtbot.mouseClick(d2.reopen_button, Qt.LeftButton)
    with demo_db.session() as s:
        assert s.get(Assignment, aid).closed_on is None


def test_bulk_edit_sets_leader_for_selected(qtbot, demo_db, ui_state, warnings):
    d = BulkEditDialog(_ctx(demo_db, ui_state), [3, 4])
    qtbot.addWidget(d)
    d.show()
    d.leader.setCurrentText("")
    type_text(d.leader.lineEdit(), "副市长（分管政务服务）")
    assert d.set_leader.isChecked() and not d.set_lead.isChecked()
    qtbot.mouseClick(d.apply_button, Qt.LeftButton)
    with demo_db.session() as s:
        assert {s.get(Task, 3).leader, s.get(Task, 4).leader} == {"副市长（分管政务服务）"}


def test_unit_manager_add_rename_and_merge(qtbot, qtmodeltester, demo_db, ui_state, warnings):
    d = UnitManagerDialog(_ctx(demo_db, ui_state))
    qtbot.addWidget(d)
    d.show()
    qtmodeltester.check(d.model)
    d.name.clear()
    type_text(d.name, "市数据局")
    d.contact.clear()
    type_text(d.contact, "综合科")
    d.email.clear()
    type_text(d.email, "bad")
    qtbot.mouseClick(d.add_button, Qt.LeftButton)
    assert "邮箱格式" in warnings[-1]
    d.email.clear()
    type_text(d.email, "data@example.com")
    qtbot.mouseClick(d.add_button, Qt.LeftButton)
    new = d.table.currentIndex().data()
    assert new == "市数据局"
    d.name.clear()
    type_text(d.name, "市大数据中心")
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    with demo_db.session() as s:
        assert s.scalar(select(Unit.id).where(Unit.name == "市大数据中心")) is not None
    # merge unit 10 into the new unit
    row = next(i for i, u in enumerate(d.model.rows()) if u.unit_id == 10)
    d.table.setCurrentIndex(d.model.index(row, 0))
    d.choose_target = lambda u: "市大数据中心"
    qtbot.mouseClick(d.retire_button, Qt.LeftButton)
    with demo_db.session() as s:
        u = s.get(Unit, 10)
        assert not u.active and s.get(Unit, u.merged_into_id).name == "市大数据中心"


def test_campaign_manager_add_and_archive(qtbot, qtmodeltester, demo_db, ui_state, warnings):
    d = CampaignManagerDialog(_ctx(demo_db, ui_state))
    qtbot.addWidget(d)
    d.show()
    qtmodeltester.check(d.model)
    d.name.clear()
    type_text(d.name, "“双减”工作专项")
    d.open_ended.setChecked(True)
    qtbot.mouseClick(d.add_button, Qt.LeftButton)
    assert d.table.currentIndex().data() == "“双减”工作专项"
    qtbot.mouseClick(d.archive_button, Qt.LeftButton)
    with demo_db.session() as s:
        c = s.scalar(select(Campaign).where(Campaign.name == "“双减”工作专项"))
        assert c.archived and c.end_date is None
    qtbot.mouseClick(d.add_button, Qt.LeftButton)  # same name again
    assert "已存在" in warnings[-1]
