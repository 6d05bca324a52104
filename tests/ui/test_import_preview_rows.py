"""Issue 16, item 8: re-preview keeps the unknown-unit rows whole and the choices made;
具体举措 and 备注 of the selected row are shown."""
import pytest
from openpyxl import Workbook
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from taskboard.excel.task_import import CREATE
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.excel.excel_actions import open_task_import
from tests.conftest import TODAY

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def dialog(qtbot, demo_db, dispatcher, ui_state, monkeypatch, tmp_path):
    ensure_app()
    for name in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: QMessageBox.Ok)
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    qtbot.addWidget(w)
    d = open_task_import(w)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def _plan(path, title="第一项"):
    wb = Workbook()
    wb.active.append(["任务编号", "任务名称", "具体举措", "牵头单位", "责任单位", "完成时限", "备注"])
    wb.active.append(["1.1", title, "建立清单、逐项销号", "新设园区管委会", "东胜区",
                      "2026年12月底前", "与上级文件衔接"])
    wb.active.append(["1.2", "第二项", "", "市发改委", "另一新单位", "2026年12月底前", ""])
    wb.save(path)
    return path


def _fully_visible(d, box):
    viewport = d.units_scroll.viewport()
    top_left = box.mapTo(viewport, QPoint(0, 0))
    return (box.height() >= box.sizeHint().height()
            and top_left.y() >= 0 and top_left.y() + box.height() <= viewport.height())


def test_re_preview_keeps_rows_whole_and_choices(qtbot, dialog, tmp_path):
    path = _plan(tmp_path / "plan.xlsx")
    dialog.path.setText(str(path))
    dialog.campaign.setEditText("新专项")
    qtbot.mouseClick(dialog.preview_button, Qt.LeftButton)
    assert list(dialog.unit_boxes) == ["新设园区管委会", "市发改委", "另一新单位"]
    box = dialog.unit_boxes["新设园区管委会"]
    box.setCurrentIndex(box.findData(CREATE))  # as picked from the list
    close = dialog.unit_boxes["市发改委"]
    close.setCurrentIndex(2)
    picked = close.currentData()
    _plan(path, title="第一项（改过）")  # the workbook corrected, then 预览 again
    qtbot.mouseClick(dialog.preview_button, Qt.LeftButton)
    assert dialog.model.index(0, 3).data() == "第一项（改过）"
    assert dialog.unit_boxes["新设园区管委会"].currentData() == CREATE
    assert dialog.unit_boxes["市发改委"].currentData() == picked
    assert dialog.unit_boxes["另一新单位"].currentData() is None
    qtbot.waitUntil(lambda: all(_fully_visible(dialog, b) for b in dialog.unit_boxes.values()))


def test_measures_and_remarks_are_shown(qtbot, dialog, tmp_path):
    dialog.path.setText(str(_plan(tmp_path / "plan.xlsx")))
    dialog.campaign.setEditText("新专项")
    qtbot.mouseClick(dialog.preview_button, Qt.LeftButton)
    rect = dialog.table.visualRect(dialog.model.index(0, 3))
    qtbot.mouseClick(dialog.table.viewport(), Qt.LeftButton, pos=rect.center())
    text = dialog.detail.toPlainText()
    assert "具体举措：建立清单、逐项销号" in text
    assert "备注：与上级文件衔接" in text
    rect = dialog.table.visualRect(dialog.model.index(1, 3))
    qtbot.mouseClick(dialog.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert "具体举措：（无）" in dialog.detail.toPlainText()
    assert "备注：（无）" in dialog.detail.toPlainText()
