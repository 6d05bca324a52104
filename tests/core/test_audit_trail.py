import datetime as dt

import pytest
from openpyxl import load_workbook

from taskboard.core import audit
from taskboard.core.actor import load_actor
from taskboard.core.errors import PermissionDenied
from taskboard.core.services import audit_trail
from taskboard.core.services.audit_trail import AuditFilter
from taskboard.excel.audit_export import export_audit


@pytest.fixture
def trail(demo_db):
    with demo_db.session() as s:
        admin, disp = load_actor(s, "admin"), load_actor(s, "dispatcher")
    with demo_db.Session.begin() as s:
        for day, actor, action, task_id, summary in (
                (dt.datetime(2026, 11, 1, 9), disp, "report.approve", 1, "审核通过 1.1"),
                (dt.datetime(2026, 11, 10, 9), disp, "task.update", 2, "修改任务"),
                (dt.datetime(2026, 11, 20, 23, 59), admin, "user.create", None, "新建用户"),
                (dt.datetime(2026, 11, 21, 0, 0), disp, "report.return",
                 1, "=HYPERLINK(\"http://x\")")):
            ev = audit.record(s, actor, action, "x", 1, task_id=task_id, summary=summary,
                              after={"password": "Secret-1", "ok": 1})
            ev.at = day
    with demo_db.session() as s:
        from taskboard.core.models import Task
        code1 = s.get(Task, 1).code
    return demo_db, admin, disp, code1


def _q(db, actor, **kw):
    with db.session() as s:
        return audit_trail.query(s, actor, AuditFilter(**kw))


def test_filters(trail):
    db, admin, disp, code1 = trail
    assert [r.action for r in _q(db, admin, user_id=disp.user_id)] == [
        "report.return", "task.update", "report.approve"]
    assert [r.action for r in _q(db, admin, date_from=dt.date(2026, 11, 10),
                                 date_to=dt.date(2026, 11, 20))] == ["user.create",
                                                                     "task.update"]
    assert {r.action for r in _q(db, admin, task_code=code1)} == {"report.return",
                                                                   "report.approve"}
    assert [r.action for r in _q(db, admin, action="report.")] == ["report.return",
                                                                    "report.approve"]
    assert [r.action_word for r in _q(db, admin, action="user.create")] == ["新建用户"]
    assert [r.summary for r in _q(db, admin, text="HYPERLINK")] == ['=HYPERLINK("http://x")']
    rows = _q(db, admin)
    assert rows[0].user_name == "演示调度员" and rows[-1].action == "demo.generate"
    assert all("Secret-1" not in r.after for r in rows)


def test_only_admins_see_the_trail(trail):
    db, admin, disp, _ = trail
    with db.session() as s, pytest.raises(PermissionDenied, match="查看操作日志"):
        audit_trail.query(s, disp)


def test_export_keeps_text_as_text(trail, tmp_path):
    db, admin, _, _ = trail
    path = export_audit(_q(db, admin), tmp_path / "audit.xlsx")
    ws = load_workbook(path).active
    assert [c.value for c in ws[1]][:3] == ["时间", "用户", "操作"]
    assert ws.cell(2, 6).value == '=HYPERLINK("http://x")'
    assert ws.cell(2, 6).data_type == "s"
    assert ws.cell(2, 1).value == dt.datetime(2026, 11, 21, 0, 0)
    assert ws.max_row == len(_q(db, admin)) + 1
    text = "".join(str(c.value) for row in ws.iter_rows() for c in row)
    assert "Secret-1" not in text and "scrypt" not in text
