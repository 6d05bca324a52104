import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from taskboard.core.rules import Light
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.tasks.assignment_table_model import AssignmentTableModel
from taskboard.ui.tasks.task_table_model import (
    COL_CODE, COL_LIGHT, COL_PROGRESS, SortRole, TaskTableModel,
)
from tests.ui.loading import settle
from tests.conftest import TODAY


@pytest.fixture
def window(qtbot, demo_db, dispatcher, ui_state):
    ensure_app()
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w)
    w.show()
    return w


def test_models_pass_qt_model_tester(qtmodeltester, window):
    model = TaskTableModel()
    model.set_rows(window.board.rows)
    qtmodeltester.check(model)
    amodel = AssignmentTableModel()
    amodel.set_rows(window.board.assignments[window.board.rows[0].task_id])
    qtmodeltester.check(amodel)


def test_texts_and_sort_keys_follow_their_rows_through_sorts_and_resets(window):
    """Texts and sort keys are worked out when first asked for and kept per row: after any
    sort or reset each place shows its own row's, as a model built for that row alone would."""
    rows = window.board.rows
    model = TaskTableModel()
    model.set_rows(rows)
    for col in (COL_PROGRESS, COL_LIGHT, COL_CODE):
        for order in (Qt.DescendingOrder, Qt.AscendingOrder):
            model.sort(col, order)
            keys = [model.index(r, col).data(SortRole) for r in range(model.rowCount())]
            assert keys == sorted(keys, reverse=order == Qt.DescendingOrder)
            for r in range(model.rowCount()):
                alone = TaskTableModel()
                alone.set_rows([model.row_at(r)])
                for c in range(model.columnCount()):
                    assert model.index(r, c).data() == alone.index(0, c).data()
                    assert model.index(r, c).data(SortRole) == alone.index(0, c).data(SortRole)
        model.set_rows(rows[::-1][:40])  # a reset keeps what was worked out for these rows
        assert model.rowCount() == 40


def test_window_lists_tasks_with_lights_and_counts(window):
    view = window.tasks_view
    assert view.model.rowCount() == 67
    words = {view.proxy.index(r, COL_LIGHT).data() for r in range(view.proxy.rowCount())}
    assert words == {"绿灯", "蓝灯", "红灯"}
    icon = view.proxy.index(0, COL_LIGHT).data(Qt.DecorationRole)
    assert not icon.isNull()
    counts = window.board.counts()
    label = window.statusBar().findChild(QLabel, "count_red")
    assert label.text() == f"红灯 {counts['red']}"


def test_period_switch_changes_lights(window, qtbot):
    before = {r.task_id: r.light for r in window.board.rows}
    window.set_period(window.period().previous())
    assert str(window.period()) == "2026-10"
    settle(qtbot)  # the board loads in the background
    after = {r.task_id: r.light for r in window.board.rows}
    assert before != after
    # In October the reports are mostly approved: fewer red lights than this month.
    assert list(after.values()).count(Light.RED) < list(before.values()).count(Light.RED)
    shown = {window.tasks_view.model.row_at(i).light for i in range(window.tasks_view.model.rowCount())}
    assert shown <= set(after.values())


def test_search_panel_filters_combine(window, qtbot):
    view = window.tasks_view
    panel = view.search
    panel.light_boxes[Light.RED].setChecked(True)
    reds = [r for r in window.board.rows if r.light is Light.RED]
    assert view.model.rowCount() == len(reds)
    panel.lagging.setChecked(True)
    expected = [r for r in reds if r.lagging]
    assert view.model.rowCount() == len(expected) > 0
    # QTest can only type ASCII keys; Chinese arrives through the input method, like insert().
    panel.keyword.insert("政务服务")
    qtbot.waitUntil(lambda: view.model.rowCount() == len(
        [r for r in expected if "政务服务" in r.search_text]))
    panel.clear_button.click()
    assert view.model.rowCount() == 67
    assert panel.keyword.text() == ""


def test_unit_filter_through_combo(window):
    panel = window.tasks_view.search
    panel.set_unit(1)  # 东胜区
    rows = window.tasks_view.model.rows()
    assert rows and all(1 in r.unit_ids or r.lead_unit_id == 1 for r in rows)


def test_sorting_by_progress(window):
    view = window.tasks_view
    view.table.sortByColumn(COL_PROGRESS, Qt.DescendingOrder)
    values = [view.proxy.index(r, COL_PROGRESS).data(SortRole)
              for r in range(view.proxy.rowCount())]
    assert values == sorted(values, reverse=True)


def test_selecting_a_task_shows_its_assignments_and_keyboard_moves(window, qtbot):
    view = window.tasks_view
    view.table.setFocus()
    view.select_task(window.board.rows[0].task_id)
    first = view.current_task_id()
    assert view.assignment_model.rowCount() == len(window.board.assignments[first])
    qtbot.keyClick(view.table, Qt.Key_Down)
    second = view.current_task_id()
    assert second != first
    assert view.assignment_model.rowCount() == len(window.board.assignments[second])


def test_refresh_keeps_selection(window):
    view = window.tasks_view
    target = window.board.rows[5].task_id
    view.select_task(target)
    window.reload()
    assert view.current_task_id() == target


def test_column_layout_persists(qtbot, demo_db, dispatcher, ui_state):
    ensure_app()
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w)
    header = w.tasks_view.table.horizontalHeader()
    header.resizeSection(COL_CODE, 123)
    header.moveSection(header.visualIndex(COL_CODE), 5)
    w.save_state()
    w2 = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w2)
    header2 = w2.tasks_view.table.horizontalHeader()
    assert header2.sectionSize(COL_CODE) == 123
    assert header2.visualIndex(COL_CODE) == 5


def test_screenshot_command_writes_a_png(tmp_path):
    out = tmp_path / "shot.png"
    proc = subprocess.run([sys.executable, "-m", "taskboard", "--demo", "--screenshot", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    from PySide6.QtGui import QImage

    img = QImage(str(out))
    assert img.width() >= 1000 and img.height() >= 600
