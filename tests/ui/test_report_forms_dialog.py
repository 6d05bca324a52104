"""The 单位报送表 dialog driven like a dispatcher and a reporter would."""
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from taskboard.core.actor import load_actor
from taskboard.core.models import Report
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.excel.report_form_preview_model import FormPreviewTableModel
from taskboard.ui.excel.report_forms_dialog import ReportFormsDialog, open_report_forms
from taskboard.excel.report_forms import FIRST_ROW
from tests.ui.loading import settle
from tests.conftest import TODAY
from tests.excel.test_report_forms import GOOD, export, fill, preview
from tests.ui.typing_helpers import type_text

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def messages(monkeypatch):
    seen = []
    for name in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, name,
                            lambda *a, _n=name, **k: seen.append((_n, a[2])) or QMessageBox.Ok)
    return seen


def window_for(qtbot, db, username, ui_state):
    ensure_app()
    with db.session() as s:
        actor = load_actor(s, username)
    w = make_window(db, actor, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w)
    return w


def reports(db):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Report))


def open_dialog(qtbot, window) -> ReportFormsDialog:
    [action] = [a for a in window.menus["file"].actions() if a.objectName() == "reportForms"]
    assert action.text() == "单位报送表(&R)…"
    dialog = open_report_forms(window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_export_chosen_units_then_import_with_a_refusal(qtbot, demo_db, ui_state, tmp_path,
                                                        messages):
    window = window_for(qtbot, demo_db, "dispatcher", ui_state)
    dialog = open_dialog(qtbot, window)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == ["导出报送表", "导入报送表"]
    assert dialog.units.count() == 24 and dialog.units.item(0).text() == "东胜区（20 项）"
    dialog._check_all(False)
    assert not dialog.export_button.isEnabled() and dialog.unit_count.text() == "已选 0 / 24 个单位"
    for i in (0, 1):
        dialog.units.item(i).setCheckState(Qt.Checked)
    folder = tmp_path / "报送表"
    dialog.folder.clear()
    type_text(dialog.folder, str(folder))
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert sorted(p.name for p in folder.iterdir()) == ["东胜区_2026-11.xlsx", "康巴什区_2026-11.xlsx"]
    assert messages[-1][0] == "information" and "报送表 2 份" in messages[-1][1]

    fill(folder / "东胜区_2026-11.xlsx", {FIRST_ROW: GOOD, FIRST_ROW + 1: dict(GOOD, J=80)})
    fill(folder / "康巴什区_2026-11.xlsx", {FIRST_ROW: dict(GOOD, J=120)})
    dialog.tabs.setCurrentIndex(1)
    dialog.add_paths([folder])
    qtbot.mouseClick(dialog.preview_button, Qt.LeftButton)
    assert dialog.model.rowCount() == 2 and dialog.import_button.isEnabled()
    assert dialog.model.index(1, 4).data() == "80%"
    refusals = [dialog.refusals.item(i).text() for i in range(dialog.refusals.count())]
    assert refusals == [f"拒绝：康巴什区_2026-11.xlsx · 报送表 · 第{FIRST_ROW}行 · J列："
                        "完成进度应为 0–100，收到 120"]
    assert dialog.summary.text().startswith("共 2 个文件，可导入 1 个（报送 2 条），拒绝 1 个。")

    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.files.item(0).setText("~/下载/报送表")  # no machine path in the picture
    dialog.grab().save(str(SHOTS / "report_forms_import.png"))
    dialog.files.item(0).setText(str(folder))

    before = reports(demo_db)
    with qtbot.waitSignal(window.ctx.changes.changed) as news:
        qtbot.mouseClick(dialog.import_button, Qt.LeftButton)
    assert "reports" in news.args[0]
    assert dialog.result.created + dialog.result.revised == 2
    assert messages[-1] == ("information", "已导入 1 个文件：新报送 "
                            f"{dialog.result.created} 条，更新待审核的报送 {dialog.result.revised} 条，均待审核。")
    # The preview reloads after importing: the same rows now show as already imported.
    assert dialog.model.index(0, 8).data() == "已导入过（跳过）" and not dialog.import_button.isEnabled()
    assert reports(demo_db) - before == dialog.result.created


def test_export_screen_and_bad_folder(qtbot, demo_db, ui_state, tmp_path, messages):
    window = window_for(qtbot, demo_db, "dispatcher", ui_state)
    dialog = open_dialog(qtbot, window)
    dialog.folder.setText("~/文档/单位报送表")
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "report_forms_export.png"))
    dialog.folder.setText(str(tmp_path / "没有" / "这个" / "文件夹"))
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    assert messages[-1][0] == "warning" and "导出文件夹不存在" in messages[-1][1]
    assert dialog.exported == []
    dialog.export_period.setCurrentIndex(dialog.export_period.findData("2026-10"))
    assert dialog.units.item(0).text().startswith("东胜区（")


def test_reporter_sees_only_import_and_is_refused_other_units(qtbot, demo_db, ui_state, tmp_path,
                                                            messages):
    forms = export(demo_db, tmp_path / "out", units=(1, 2))
    for f in forms:
        fill(f.path, {FIRST_ROW: GOOD})
    window = window_for(qtbot, demo_db, "unit001", ui_state)
    dialog = open_dialog(qtbot, window)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == ["导入报送表"]
    dialog.add_paths([f.path for f in forms])
    dialog.load_preview()
    assert dialog.model.rowCount() == 1 and dialog.model.index(0, 0).data() == "东胜区_2026-11.xlsx"
    assert "此表属于康巴什区" in dialog.refusals.item(0).text()
    before = reports(demo_db)
    dialog.confirm()
    assert dialog.result.created == 1 and reports(demo_db) == before + 1
    dialog.clear_files()
    dialog.load_preview()
    assert messages[-1] == ("warning", "请先添加报送表文件或文件夹。")


def test_preview_model_passes_the_model_tester(qtmodeltester, demo_db, tmp_path):
    [form] = export(demo_db, tmp_path / "out")
    fill(form.path, {FIRST_ROW: GOOD, FIRST_ROW + 1: GOOD})
    model = FormPreviewTableModel()
    model.set_rows(preview(demo_db, [form.path]).rows)
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.index(0, 5).data() == GOOD["I"]
