"""The task editor driven as a user does: type, tick units, save; then the database and table."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import select

from taskboard.core.models import Assignment, Task
from taskboard.core.services import tasks as task_service
from taskboard.ui.common import conflict_dialog
from taskboard.ui.tasks import task_editor
from taskboard.ui.tasks.task_editor import TaskEditorDialog
from tests.ui.typing_helpers import type_text

pytestmark = pytest.mark.sqlite_only


def _tick(qtbot, dialog, name):
    dialog.unit_filter.clear()
    type_text(dialog.unit_filter, name)
    visible = [dialog.unit_list.item(i) for i in range(dialog.unit_list.count())
               if not dialog.unit_list.item(i).isHidden()]
    assert len(visible) == 1, [v.text() for v in visible]
    visible[0].setCheckState(Qt.Checked)


def test_create_task_by_typing(qtbot, ctx, warnings):
    seen = []
    ctx.changes.changed.connect(seen.append)
    d = TaskEditorDialog(ctx, campaign_id=1)
    qtbot.addWidget(d)
    d.show()
    assert d.code.text() == read_next_code(ctx)
    d.code.clear()
    type_text(d.code, "88.1")
    type_text(d.title_edit, "推行“一业一证”改革")
    d.leader.setCurrentText("")
    type_text(d.leader.lineEdit(), "副市长（分管政务服务）")
    _tick(qtbot, d, "东胜")
    _tick(qtbot, d, "康巴什")
    assert "已选 2 个" in d.unit_count.text()
    qtbot.mouseClick(d.ongoing, Qt.LeftButton)
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    assert warnings == []
    assert d.result() == QDialog.Accepted and seen == [frozenset({"tasks"})]
    with ctx.db.session() as s:
        t = s.get(Task, d.saved_task_id)
        assert (t.code, t.title, t.leader, t.deadline, t.deadline_note) == (
            "88.1", "推行“一业一证”改革", "副市长（分管政务服务）", None, "长期坚持")
        assert sorted(s.scalars(select(Assignment.unit_id).where(
            Assignment.task_id == t.id))) == [1, 2]


def read_next_code(ctx):
    with ctx.db.session() as s:
        return task_service.next_code(s, 1)


def test_validation_message_and_nothing_stored(qtbot, ctx, warnings):
    d = TaskEditorDialog(ctx, campaign_id=1)
    qtbot.addWidget(d)
    d.show()
    type_text(d.title_edit, "没有责任单位的任务")
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    assert warnings == ["请至少选择一个责任单位。"]
    d.code.clear()
    type_text(d.code, "1.1")
    _tick(qtbot, d, "东胜")
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    assert "已存在" in warnings[-1]
    d.code.clear()
    type_text(d.code, "77.1")
    d.ongoing.setChecked(False)
    d.deadline.setDate(d.start.date().addDays(-1))
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    assert "不能早于开始日期" in warnings[-1]
    assert d.isVisible()
    with ctx.db.session() as s:
        assert s.scalar(select(Task).where(Task.title == "没有责任单位的任务")) is None


def test_edit_existing_task_and_undo(qtbot, ctx, warnings):
    d = TaskEditorDialog(ctx, task_id=3)
    qtbot.addWidget(d)
    d.show()
    old_title = d.title_edit.text()
    d.title_edit.clear()
    type_text(d.title_edit, "改过的名称")
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    with ctx.db.session() as s:
        assert (s.get(Task, 3).title, s.get(Task, 3).version) == ("改过的名称", 2)
    with ctx.db.Session.begin() as s:
        d.undo_entry.work(s)
    with ctx.db.session() as s:
        assert s.get(Task, 3).title == old_title


def test_stale_edit_shows_conflict_and_overwrite(qtbot, ctx, warnings, monkeypatch):
    d = TaskEditorDialog(ctx, task_id=3)
    qtbot.addWidget(d)
    d.show()
    with ctx.db.Session.begin() as s:  # another dispatcher saves first
        other = task_service.task_input_of(s, 3)
        task_service.update_task(s, ctx.actor, 3, other.__class__(
            **{**other.__dict__, "leader": "市委常委（分管）"}), 1)
    shown = []

    def fake(parent, err, names, exec_dialog=None):
        dialog = conflict_dialog.ConflictDialog(str(err), err.current, err.mine, names)
        shown.append([dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())])
        return conflict_dialog.OVERWRITE

    monkeypatch.setattr(conflict_dialog, "resolve_conflict", fake)
    d.title_edit.clear()
    type_text(d.title_edit, "我的名称")
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    assert shown == [["任务名称", "分管领导"]]
    with ctx.db.session() as s:
        t = s.get(Task, 3)
        assert (t.title, t.version) == ("我的名称", 3)


def test_stale_edit_reload_keeps_the_other_change(qtbot, ctx, warnings, monkeypatch):
    d = TaskEditorDialog(ctx, task_id=3)
    qtbot.addWidget(d)
    d.show()
    with ctx.db.Session.begin() as s:
        other = task_service.task_input_of(s, 3)
        task_service.update_task(s, ctx.actor, 3, other.__class__(
            **{**other.__dict__, "leader": "市委常委（分管）"}), 1)
    monkeypatch.setattr(conflict_dialog, "resolve_conflict",
                        lambda *a, **k: conflict_dialog.RELOAD)
    type_text(d.title_edit, "X")
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    assert d.isVisible() and d.leader.currentText() == "市委常委（分管）"
    assert d.version == 2 and not d.title_edit.text().endswith("X")


def test_copy_prefills_with_free_code(qtbot, ctx, warnings):
    d = TaskEditorDialog(ctx, copy_from=1)
    qtbot.addWidget(d)
    d.show()
    assert d.code.text() == "1.5" and d.unit_ids()
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    with ctx.db.session() as s:
        src, new = s.get(Task, 1), s.get(Task, d.saved_task_id)
        assert (new.code, new.title, new.leader) == ("1.5", src.title, src.leader)


def test_removing_reported_unit_asks_first(qtbot, ctx, warnings, monkeypatch):
    asked = []
    monkeypatch.setattr(task_editor, "ask", lambda p, t, q: asked.append(q) or False)
    with ctx.db.session() as s:
        aid = s.scalars(select(Assignment).where(Assignment.task_id == 3)).first()
        unit_id = aid.unit_id
    d = TaskEditorDialog(ctx, task_id=3)
    qtbot.addWidget(d)
    d.show()
    d.set_units([u for u in d.unit_ids() if u != unit_id])
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    assert asked and "归档保留" in asked[0]
    with ctx.db.session() as s:
        assert s.get(Task, 3).version == 1
