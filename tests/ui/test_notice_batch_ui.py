"""The sent-notice list: many selected, 打印全部 / 导出全部, and the delivery words."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pypdf import PdfReader

from taskboard.ui.urge import notice_batch
from taskboard.ui.app import ensure_app, make_window
from tests.conftest import TODAY
from tests.notify.conftest import issue_for_units

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def messages(monkeypatch):
    seen = []
    for name in ("warning", "information"):
        monkeypatch.setattr(QMessageBox, name, lambda *a, **k: seen.append(a[2]))
    return seen


@pytest.fixture
def view(qtbot, demo_db, dispatcher, ui_state):
    issued, _ = issue_for_units(demo_db, dispatcher, n_units=3)
    ensure_app()
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    v = w.urge_actions.view
    w.tabs.setCurrentWidget(v)
    qtbot.waitUntil(lambda: v.notice_model.rowCount() == 3)
    v.issued = issued
    return v


def _click_row(qtbot, view, row, modifier=Qt.NoModifier):
    table = view.notices
    rect = table.visualRect(view.notice_model.index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, modifier, rect.center())


def test_select_many_and_export_them_to_one_pdf(qtbot, view, messages, monkeypatch, tmp_path):
    assert view.export_all_button.text() == "导出全部…"
    _click_row(qtbot, view, 0)
    _click_row(qtbot, view, 2, Qt.ControlModifier)
    assert view.export_all_button.text() == "导出所选（2 份）…"
    assert view.print_all_button.text() == "打印所选（2 份）…"
    chosen = {view.notice_model.row_at(0).number_text, view.notice_model.row_at(2).number_text}
    target = tmp_path / "所选.pdf"
    monkeypatch.setattr(notice_batch, "ask_path", lambda *a: target)
    qtbot.mouseClick(view.export_all_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: any("已把 2 份通知单导出到" in m for m in messages), timeout=20000)
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(str(target)).pages)
    assert all(number in text for number in chosen)
    left_out = view.notice_model.row_at(1).number_text
    assert left_out not in text
    # Numbered order, as they are filed.
    a, b = sorted(chosen, key=lambda t: int(t.split("〕")[1][:-1]))
    assert text.index(a) < text.index(b)


def test_print_all_marks_them_printed_and_says_so(qtbot, view, messages, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.HighResolution)
    printer.setOutputFormat(QPrinter.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    ids = view.batch_ids()  # nothing selected: every listed notice
    assert len(ids) == 3
    assert view.window().urge_actions.print_notices(ids, printer) == 3
    reader = PdfReader(str(out))
    assert len(reader.pages) >= 3
    qtbot.waitUntil(lambda: all(n.printed_at for n in view.notice_model.rows()))
    col = [view.notice_model.headerData(c, Qt.Horizontal) for c in
           range(view.notice_model.columnCount())].index("送达")
    cell = view.notice_model.index(0, col).data()
    assert cell.startswith("系统内已送达 2026-") and cell.endswith("· 已打印")
    mail = view.notice_model.index(0, col - 1).data()
    assert mail == "未使用"


def test_saving_one_notice_replaces_the_file_only_when_written(qtbot, view, messages, tmp_path):
    actions = view.window().urge_actions
    dialog = actions.open_notice(view.issued[0].notice_id)
    target = tmp_path / "一份.pdf"
    target.write_bytes(b"old")
    dialog.save_to(tmp_path / "missing" / "一份.pdf", "pdf")
    assert messages and "文件夹不存在" in messages[-1]
    dialog.save_to(target, "pdf")
    assert target.read_bytes().startswith(b"%PDF")
    assert view.issued[0].number_text in "".join(PdfReader(str(target)).pages[0].extract_text().split())
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
