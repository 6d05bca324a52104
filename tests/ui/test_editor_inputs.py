"""Issue 16, items 1 and 7: typed dates mean what they say; the editor leads back to a fault
and asks before throwing a filled form away."""
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from taskboard.core.models import Task
from taskboard.ui.common.date_field import parse_date
from taskboard.ui.tasks.task_editor import TaskEditorDialog
from tests.ui.typing_helpers import type_text

pytestmark = pytest.mark.sqlite_only


def _retype(qtbot, field, text):
    """Select all in the field and type over it, as a user does."""
    qtbot.mouseClick(field.line, Qt.LeftButton)
    qtbot.keyClick(field.line, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClicks(field.line, text)


def _editor(qtbot, ctx, **kw):
    d = TaskEditorDialog(ctx, **kw)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


@pytest.mark.parametrize("typed, stored", [("2027-03-31", dt.date(2027, 3, 31)),
                                           ("2028-01-15", dt.date(2028, 1, 15)),
                                           ("2027/6/5", dt.date(2027, 6, 5))])
def test_typed_deadline_keeps_the_typed_year(qtbot, ctx, warnings, typed, stored):
    d = _editor(qtbot, ctx, task_id=3)
    _retype(qtbot, d.deadline, typed)
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    assert warnings == []
    with ctx.db.session() as s:
        assert s.get(Task, 3).deadline == stored


def test_impossible_date_is_refused_with_a_message_and_focus_returns(qtbot, ctx, warnings):
    with ctx.db.session() as s:
        before = s.get(Task, 3).deadline
    d = _editor(qtbot, ctx, task_id=3)
    _retype(qtbot, d.deadline, "2027-02-30")
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    assert warnings == ["完成时限“2027-02-30”不是有效日期（2027 年 2 月没有 30 日）。"]
    assert d.isVisible()
    assert d.focusWidget() is d.deadline.line
    assert d.deadline.line.selectedText() == "2027-02-30"  # ready to be typed over
    with ctx.db.session() as s:
        assert s.get(Task, 3).deadline == before


def test_parse_date_names_the_fault():
    assert parse_date("20270331") == (dt.date(2027, 3, 31), "")
    assert parse_date("2027年3月31日") == (dt.date(2027, 3, 31), "")
    assert parse_date("") == (None, "")
    assert parse_date("2027-13-01")[1] == "“2027-13-01”不是有效日期（没有 13 月）"
    assert "格式" in parse_date("明年三月")[1]


def test_focus_returns_to_the_field_a_service_message_is_about(qtbot, ctx, warnings):
    d = _editor(qtbot, ctx, campaign_id=1)
    d.code.clear()
    type_text(d.title_edit, "只有名称")
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    assert warnings == ["请填写任务编号。"]
    assert d.focusWidget() is d.code
    type_text(d.code, "66.1")
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    assert warnings[-1] == "请至少选择一个责任单位。"
    assert d.focusWidget() is d.unit_filter


def test_escape_on_a_filled_form_asks_first(qtbot, ctx, monkeypatch):
    asked = []
    answer = {"value": QMessageBox.No}
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or answer["value"])
    d = _editor(qtbot, ctx, campaign_id=1)
    type_text(d.title_edit, "填了一半的任务")
    qtbot.keyClick(d.title_edit, Qt.Key_Escape)
    assert asked == ["表单中有尚未保存的内容，确定放弃并关闭吗？"]
    assert d.isVisible() and d.title_edit.text() == "填了一半的任务"
    answer["value"] = QMessageBox.Yes
    qtbot.keyClick(d.title_edit, Qt.Key_Escape)
    assert not d.isVisible()
    with ctx.db.session() as s:
        assert s.scalar(select(Task).where(Task.title == "填了一半的任务")) is None


def test_escape_on_an_untouched_form_closes_without_asking(qtbot, ctx, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or 0)
    d = _editor(qtbot, ctx, task_id=3)
    qtbot.keyClick(d.title_edit, Qt.Key_Escape)
    assert asked == [] and not d.isVisible()
