"""The import preview accounts for every column and row; the task editor sets a recurrence."""
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy import select

from taskboard.core.models import Task
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.common.context import AppContext
from taskboard.ui.excel.excel_actions import open_task_import
from taskboard.ui.excel.import_preview_model import COL_DEADLINE, COL_UNITS
from taskboard.ui.tasks.task_editor import TaskEditorDialog
from tests.conftest import TODAY
from tests.excel import shape_workbooks as S
from tests.ui.loading import settle

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def window(qtbot, demo_db, dispatcher, ui_state, monkeypatch):
    ensure_app()
    for name in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: QMessageBox.Ok)
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    qtbot.addWidget(w)
    return w


def _preview(qtbot, window, path):
    dialog = open_task_import(window)
    qtbot.addWidget(dialog)
    dialog.resize(1180, 720)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.path.setText(str(path))
    dialog.campaign.setEditText("新专项")
    qtbot.mouseClick(dialog.preview_button, Qt.LeftButton)
    return dialog


def test_preview_lists_columns_read_ignored_and_rows_not_taken(qtbot, window, tmp_path):
    dialog = _preview(qtbot, window, S.two_row_header(tmp_path / "b.xlsx"))
    lines = dialog.account.toPlainText().splitlines()
    assert lines[0] == "注意：第 J 列“督导组”有 1 行数据未导入：列名未对应任何字段。"
    assert lines[1].startswith("读入的列：A“序号”→编号；B“问题清单/反馈问题”→问题（记入任务描述）；")
    assert "H“责任单位”→责任单位；I“完成时限”→完成时限" in lines[1]
    assert lines[2] == "未读入的列：J“督导组”（列名未对应任何字段，1 行有数据）"
    assert "有数据未导入的列 1 列" in dialog.summary.text()
    assert dialog.import_button.isEnabled()  # a warning, never a block

    dialog.path.setText(str(S.category_rows(tmp_path / "f.xlsx")))
    qtbot.mouseClick(dialog.preview_button, Qt.LeftButton)
    text = dialog.account.toPlainText()
    assert "第 4 行作为类别“压减办理时限”：编号 1 下有 1.1 等子项且未填责任单位，作为子项的类别" in text
    assert "类别行 4 行" in dialog.summary.text()


def test_preview_shows_supporting_units_and_recurrences(qtbot, window, tmp_path):
    dialog = _preview(qtbot, window, S.several_unit_columns(tmp_path / "a.xlsx"))
    assert dialog.model.index(0, COL_UNITS).data() == "东胜区；配合：市财政局、市商务局、市司法局"
    dialog.path.setText(str(S.deadlines(tmp_path / "h.xlsx")))
    qtbot.mouseClick(dialog.preview_button, Qt.LeftButton)
    assert [dialog.model.index(r, COL_DEADLINE).data() for r in range(8)] == [
        "2026-11-23", "2026-12-31", "每学期（每期到期）", "每月（每期到期）", "每季度（每期到期）",
        "每半年（每期到期）", "每年（每期到期）", "每季度（至 2026-12-31）"]
    dialog.path.setText("~/下载/三个清单台账.xlsx")
    dialog.path.setText(str(S.two_row_header(tmp_path / "b.xlsx")))
    qtbot.mouseClick(dialog.preview_button, Qt.LeftButton)
    dialog.path.setText("~/下载/三个清单台账.xlsx")  # no machine path in the picture
    dialog.layout().activate()
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "task_import_account.png"))


def test_task_editor_sets_and_shows_a_recurrence(qtbot, demo_db, dispatcher, ui_state,
                                                 monkeypatch):
    ensure_app()
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: pytest.fail(a[2]))
    ctx = AppContext(db=demo_db, actor=dispatcher, ui_state=ui_state, today=lambda: TODAY)
    with demo_db.session() as s:
        task_id = s.scalar(select(Task.id).order_by(Task.id))
    d = TaskEditorDialog(ctx, task_id=task_id)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    assert d.recurrence.currentText() == "不重复" and d.cycle_due.text() == ""
    if not d.ongoing.isChecked():
        qtbot.mouseClick(d.ongoing, Qt.LeftButton)
    d.recurrence.setFocus()
    # 不重复 → 每月 → 每季度, chosen from the keyboard
    qtbot.keyClick(d.recurrence, Qt.Key_Down)
    qtbot.keyClick(d.recurrence, Qt.Key_Down)
    assert d.recurrence.currentText() == "每季度"
    assert d.cycle_due.text() == "本期 2026-12-31 前完成，此后每期到期"
    d.grab().save(str(SHOTS / "task_editor_recurrence.png"))
    qtbot.mouseClick(d.save_button, Qt.LeftButton)
    assert d.result() == QDialog.Accepted
    with demo_db.session() as s:
        task = s.get(Task, task_id)
        assert (task.recurrence, task.deadline) == ("quarterly", None)
    again = TaskEditorDialog(ctx, task_id=task_id)
    qtbot.addWidget(again)
    assert again.recurrence.currentText() == "每季度"
    assert again.cycle_due.text() == "本期 2026-12-31 前完成，此后每期到期"


def test_detail_marks_supporting_units_and_shows_the_cycle(qtbot, demo_db, dispatcher, ui_state,
                                                           qtmodeltester, monkeypatch, tmp_path):
    from taskboard.core.periods import Period
    from taskboard.excel.task_import import apply_import, preview_import
    from taskboard.ui.review.task_detail import ASSIGNMENT_COLUMNS, TaskDetailDialog

    ensure_app()
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    ctx = AppContext(db=demo_db, actor=dispatcher, ui_state=ui_state, today=lambda: TODAY)
    path = S.several_unit_columns(tmp_path / "a.xlsx")
    with demo_db.Session.begin() as s:
        p = preview_import(s, path, "新专项", today=TODAY)
        result = apply_import(s, dispatcher, p, today=TODAY)
        task = s.scalar(select(Task).where(Task.campaign_id == result.campaign_id,
                                           Task.code == "1"))
        task.recurrence = "monthly"
        task_id = task.id
    d = TaskDetailDialog(ctx, task_id, Period(2026, 11))
    qtbot.addWidget(d)
    d.resize(1000, 640)
    d.show()
    qtbot.waitExposed(d)
    settle(qtbot)  # the detail loads in a worker
    unit_col = next(i for i, c in enumerate(ASSIGNMENT_COLUMNS) if c.header == "责任单位")
    names = [d.assignments.index(r, unit_col).data() for r in range(d.assignments.rowCount())]
    assert names == ["市发展和改革委员会", "东胜区", "市财政局（配合）", "市商务局（配合）",
                     "市司法局（配合）"]
    assert "每月（本期 2026-11-30 前，至 2026-12-31）" in d.fields.text()
    assert "临期" in d.fields.text()
    qtmodeltester.check(d.assignments)
    d.grab().save(str(SHOTS / "task_detail_supporting.png"))


def test_a_collective_phrase_is_expanded_not_created_in_the_dialog(qtbot, window, demo_db,
                                                                   tmp_path):
    from PySide6.QtWidgets import QPushButton
    from sqlalchemy import func

    from taskboard.core.models import Assignment

    dialog = _preview(qtbot, window, S.separators(tmp_path / "e.xlsx"))
    group = dialog.unit_boxes["各盟行政公署、市人民政府"]
    assert group.itemText(1) == "展开为全部旗区（9 个）"
    assert all("新建" not in group.itemText(i) for i in range(group.count()))
    create_rest = next(b for b in dialog.findChildren(QPushButton) if b.text() == "其余全部新建")
    qtbot.mouseClick(create_rest, Qt.LeftButton)
    assert group.currentIndex() == 0 and not dialog.import_button.isEnabled()
    # 各旗县（市、区）教育局 matches no unit in the demo data either: both are groups to expand
    assert sorted(n for n, b in dialog.unit_boxes.items() if b.currentIndex() == 0) == [
        "各旗县（市、区）教育局", "各盟行政公署、市人民政府"]
    for box in (group, dialog.unit_boxes["各旗县（市、区）教育局"]):
        box.setFocus()
        qtbot.keyClick(box, Qt.Key_Down)
        assert box.currentText() == "展开为全部旗区（9 个）"
    assert dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    with demo_db.session() as s:
        n = s.scalar(select(func.count()).select_from(Assignment).join(Task).where(
            Task.campaign_id == dialog.result.campaign_id, Task.code == "4"))
    assert n == 1 + 9
