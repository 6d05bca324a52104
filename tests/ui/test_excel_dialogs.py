"""The Excel dialogs driven like a dispatcher would: menus, preview, unit choices, export."""
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from sqlalchemy import func, select

from taskboard.core.models import Task, Unit
from taskboard.excel.task_import import CREATE
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.excel.excel_actions import open_ledger_export, open_task_import
from taskboard.ui.excel.import_preview_model import ImportPreviewTableModel
from tests.ui.loading import settle
from tests.conftest import TODAY
from tests.excel import workbooks as W

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def window(qtbot, demo_db, dispatcher, ui_state, monkeypatch):
    ensure_app()
    for name in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: QMessageBox.Ok)
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w)
    return w


def n_tasks(db):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Task))


def test_file_menu_has_the_excel_entries(window):
    names = [a.objectName() for a in window.menus["file"].actions()]
    assert {"exportLedger", "importTasks"} <= set(names)
    assert window.menus["file"].actions()[-1].text() == "退出"


def test_ledger_export_respects_the_filter(qtbot, window, tmp_path):
    window.tasks_view.search.keyword.setText("一网通办")
    qtbot.waitUntil(lambda: 0 < len(window.tasks_view.visible_rows()) < len(window.board.rows))
    shown = [r.code for r in window.tasks_view.visible_rows()]
    dialog = open_ledger_export(window)
    qtbot.addWidget(dialog)
    assert dialog.filtered.isChecked()
    out = tmp_path / "筛选台账"
    dialog.path.setText(str(out))
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    qtbot.waitUntil(lambda: dialog.exported is not None)  # written in the background
    ws = load_workbook(tmp_path / "筛选台账.xlsx")["台账"]
    assert [ws.cell(r, 2).value for r in range(4, ws.max_row + 1)] == shown
    assert dialog.exported.name == "筛选台账.xlsx"


def test_ledger_export_whole_campaign_and_bad_folder(qtbot, window, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    dialog = open_ledger_export(window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    SHOTS.mkdir(parents=True, exist_ok=True)
    default = dialog.path.text()
    dialog.path.setText("~/文档/" + Path(default).name)  # no machine path in the picture
    dialog.grab().save(str(SHOTS / "ledger_export_dialog.png"))
    dialog.whole.setChecked(True)
    dialog.path.setText(str(tmp_path / "没有这个文件夹" / "x.xlsx"))
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert warnings and "文件夹不存在" in warnings[0] and dialog.exported is None
    dialog.path.setText(str(tmp_path / "全部.xlsx"))
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    qtbot.waitUntil(lambda: dialog.exported is not None)  # written in the background
    ws = load_workbook(tmp_path / "全部.xlsx")["台账"]
    assert ws.max_row - 3 == len(window.board.rows)


def test_task_import_preview_units_and_confirm(qtbot, window, demo_db, tmp_path):
    path = W.problems_plan(tmp_path / "bad.xlsx")
    dialog = open_task_import(window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.path.setText(str(path))
    dialog.campaign.setEditText("新专项")
    qtbot.mouseClick(dialog.preview_button, Qt.LeftButton)
    assert dialog.model.rowCount() == 5 and dialog.preview.error_count == 3
    assert not dialog.import_button.isEnabled()
    assert "错误 3 处" in dialog.summary.text() and "将新建专项工作「新专项」" in dialog.summary.text()
    box = dialog.unit_boxes["市发改委"]
    assert "市发展和改革委员会（相近）" in box.itemText(2)

    good = W.standard_plan(tmp_path / "plan.xlsx")
    dialog.path.setText(str(good))
    qtbot.mouseClick(dialog.preview_button, Qt.LeftButton)
    assert dialog.preview.error_count == 0 and dialog.import_button.isEnabled()
    before = n_tasks(demo_db)
    qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    assert dialog.result.tasks == 8 and n_tasks(demo_db) == before + 8


def test_unknown_units_block_until_chosen(qtbot, window, demo_db, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["序号", "任务名称", "牵头单位", "责任单位", "完成时限"])
    wb.active.append([1, "新任务", "市发改委", "新设园区管委会", "2026年12月底前"])
    wb.save(tmp_path / "u.xlsx")
    dialog = open_task_import(window)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(tmp_path / "u.xlsx"))
    dialog.campaign.setEditText("单位测试")
    dialog.load_preview()
    assert not dialog.import_button.isEnabled()
    dialog.unit_boxes["市发改委"].setCurrentIndex(2)  # the close match
    assert not dialog.import_button.isEnabled()
    dialog._create_rest()
    assert dialog.mapping()["新设园区管委会"] == CREATE
    assert dialog.import_button.isEnabled()
    dialog.confirm()
    with demo_db.session() as s:
        t = s.scalars(select(Task).where(Task.title == "新任务")).one()
        assert t.lead_unit.name == "市发展和改革委员会"
        assert s.scalar(select(Unit.id).where(Unit.name == "新设园区管委会"))


def test_hostile_file_shows_a_message_and_writes_nothing(qtbot, window, demo_db, tmp_path,
                                                         monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    dialog = open_task_import(window)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(tmp_path / "old.xls"))
    before = n_tasks(demo_db)
    dialog.load_preview()
    assert warnings and "旧版" in warnings[0] and "无法读取" in dialog.summary.text()
    assert not dialog.import_button.isEnabled() and n_tasks(demo_db) == before


def test_preview_model_passes_the_model_tester(qtmodeltester, demo_db, tmp_path):
    from taskboard.excel.task_import import preview_import

    with demo_db.session() as s:
        p = preview_import(s, W.problems_plan(tmp_path / "bad.xlsx"), "x", today=TODAY)
    model = ImportPreviewTableModel()
    model.set_rows(p.rows)
    qtmodeltester.check(model)
    assert model.rowCount() == 5


def _preview(qtbot, window, path, campaign="新专项"):
    dialog = open_task_import(window)
    qtbot.addWidget(dialog)
    dialog.resize(1180, 720)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.path.setText(str(path))
    dialog.campaign.setEditText(campaign)
    qtbot.mouseClick(dialog.preview_button, Qt.LeftButton)
    return dialog


def test_preview_reads_the_task_code_and_marks_unreadable_and_past_deadlines(qtbot, window,
                                                                            tmp_path):
    from taskboard.ui.excel.import_preview_model import COL_CODE, COL_DEADLINE, COL_MESSAGES

    dialog = _preview(qtbot, window, W.numbered_plan(tmp_path / "n.xlsx"))
    m = dialog.model
    cell = {(m.index(r, COL_CODE).data(), c): m.index(r, c).data()
            for r in reversed(range(m.rowCount())) for c in (COL_DEADLINE, COL_MESSAGES)}
    assert [m.index(r, COL_CODE).data() for r in range(m.rowCount())] == [
        "1.1", "1.2", "1.3", "1.4", "1.2", "1.5"]
    assert cell["1.5", COL_DEADLINE] == "无法识别"
    assert "错误：无法识别的完成时限：2026年13月底前" in cell["1.5", COL_MESSAGES]
    assert cell["1.2", COL_DEADLINE] == "长期坚持"  # the first 1.2; read, not unreadable
    assert cell["1.3", COL_DEADLINE] == "2026-06-30"
    assert "提示：完成时限 2026-06-30 已过" in cell["1.3", COL_MESSAGES]


def test_messages_are_readable_without_scrolling_sideways(qtbot, window, tmp_path):
    from taskboard.ui.excel.import_preview_model import COL_CODE, COL_MESSAGES

    dialog = _preview(qtbot, window, W.numbered_plan(tmp_path / "n.xlsx"))
    table = dialog.table
    right = table.columnViewportPosition(COL_MESSAGES) + table.columnWidth(COL_MESSAGES)
    assert table.columnWidth(COL_MESSAGES) >= 280
    assert right <= table.viewport().width()
    assert table.horizontalScrollBar().maximum() == 0
    # The first row with an error is selected and its messages are spelled out in full below.
    assert dialog.detail.toPlainText().startswith("第 7 行 · 编号 1.2")
    assert "错误：编号 1.2 与第 4 行重复" in dialog.detail.toPlainText()
    row = next(r for r in range(dialog.model.rowCount())
               if dialog.model.index(r, COL_CODE).data() == "1.5")
    rect = table.visualRect(dialog.model.index(row, COL_CODE))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())
    text = dialog.detail.toPlainText()
    assert "错误：无法识别的完成时限：2026年13月底前（日期无效或格式不明）" in text
    assert dialog.model.index(row, COL_MESSAGES).data(Qt.ToolTipRole).count("无法识别") == 1
    dialog.path.setText("~/下载/任务清单.xlsx")  # no machine path in the picture
    dialog.layout().activate()
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "task_import_dialog.png"))


def test_a_sheet_that_is_gone_is_named_with_the_sheets_that_exist(qtbot, window, tmp_path,
                                                                  monkeypatch):
    from openpyxl import Workbook

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    path = W.numbered_plan(tmp_path / "n.xlsx")
    dialog = _preview(qtbot, window, path)
    assert [dialog.sheet.itemText(i) for i in range(dialog.sheet.count())][1:] == [
        "任务清单", "说明"]
    dialog.sheet.setCurrentIndex(dialog.sheet.findText("说明"))
    qtbot.mouseClick(dialog.preview_button, Qt.LeftButton)
    assert warnings and "工作表「说明」的前 20 行中找不到表头" in warnings[-1]
    wb = Workbook()
    wb.active.title = "改名后的清单"
    wb.save(path)  # someone saved the file again meanwhile, without that sheet
    dialog.sheet.setCurrentIndex(dialog.sheet.findText("任务清单"))
    qtbot.mouseClick(dialog.preview_button, Qt.LeftButton)
    assert warnings[-1] == "n.xlsx 中没有名为「任务清单」的工作表。现有工作表：「改名后的清单」。"
    assert dialog.preview is None and not dialog.import_button.isEnabled()
    assert "没有名为「任务清单」的工作表" in dialog.summary.text()


def test_unit_choices_follow_the_name_as_written(qtbot, window, demo_db, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["任务编号", "任务名称", "牵头单位", "责任单位", "完成时限"])
    wb.active.append(["9.1", "推进信用修复", "市信用办（虚构）", "东胜区", "2027年3月31日"])
    wb.save(tmp_path / "c.xlsx")
    dialog = _preview(qtbot, window, tmp_path / "c.xlsx", "信用")
    assert list(dialog.unit_boxes) == ["市信用办（虚构）"]
    dialog._create_rest()
    dialog.confirm()
    with demo_db.session() as s:
        assert s.scalar(select(Unit.name).where(Unit.name.like("市信用办%"))) == "市信用办（虚构）"
