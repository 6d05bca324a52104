"""The 挂图作战 tab in a real window on the demo data: clicks, hover, period, export."""
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QToolTip

from taskboard.core import dashboard as dash
from taskboard.core.periods import Period
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.battle_map.dashboard_view import TAB_TITLE, DashboardView
from taskboard.ui.battle_map.ranking_table_model import (
    COL_CHANGE, COL_RANK, COL_UNIT, RankingTableModel, SortRole, UnitIdRole,
)
from taskboard.ui.common.loader import all_idle
from tests.conftest import TODAY

pytestmark = pytest.mark.sqlite_only  # UI behaviour; the queries run on both in tests/core


@pytest.fixture
def window(qtbot, demo_db, dispatcher, ui_state):
    ensure_app()
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    qtbot.waitUntil(all_idle)  # the board loads in the background
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    return w


@pytest.fixture
def view(window, qtbot) -> DashboardView:
    v = window.dashboard_tab.view()
    window.tabs.setCurrentWidget(window.dashboard_tab)
    qtbot.waitUntil(lambda: v.ranking_model.rowCount() == 9)
    settle(qtbot, v)
    return v


def settle(qtbot, v):
    qtbot.waitUntil(lambda: not any(c._relayout.isActive() for c in v.canvases))


def point_of(canvas, artist) -> QPoint:
    """Where an artist's centre is, in the canvas widget's coordinates."""
    box = artist.get_window_extent()
    ratio = canvas.device_pixel_ratio
    height = canvas.figure.bbox.height
    return QPoint(int((box.x0 + box.x1) / 2 / ratio), int((height - (box.y0 + box.y1) / 2) / ratio))


def title_of(canvas) -> str:
    return "\n".join(t.get_text() for ax in canvas.figure.axes for t in ax.texts)


def test_tab_sits_after_the_task_list(window):
    assert window.tabs.tabText(0) == "任务清单"
    assert window.tabs.tabText(1) == TAB_TITLE
    assert any(a.text() == TAB_TITLE for a in window.menus["view"].actions())


def test_tiles_and_ranking_show_the_board(view, window, qtmodeltester):
    k = dash.kpis(window.board)
    assert view.tiles.value_text("tasks") == str(k.tasks) == "67"
    assert view.tiles.value_text("red") == str(k.red)
    assert view.tiles.value_text("half_units_done").startswith(str(k.half_units_done))
    model = view.ranking_model
    assert [model.index(r, COL_RANK).data() for r in range(model.rowCount())][0] == "1"
    assert model.index(0, COL_CHANGE).data() in {"—", "新"} or \
        model.index(0, COL_CHANGE).data()[0] in "↑↓"
    assert "排名规则" in view.rule_label.text() and "平均完成进度" in view.rule_label.text()
    qtmodeltester.check(model)
    fresh = RankingTableModel()
    fresh.set_rows(model.rows())
    qtmodeltester.check(fresh)
    assert fresh.index(0, COL_UNIT).data(UnitIdRole) == model.rows()[0].metrics.unit_id
    assert fresh.index(0, COL_RANK).data(SortRole) == 1


def test_clicking_a_district_tank_filters_the_task_list(view, window, qtbot):
    canvas = view.water
    settle(qtbot, view)  # a pending re-layout would replace the hot spots under the mouse
    spot = canvas.hotspots[2]  # 达拉特旗
    unit_id = spot.unit_id
    assert "达拉特旗" in spot.tip
    qtbot.mouseClick(canvas, Qt.LeftButton, pos=point_of(canvas, spot.artist))
    assert window.tabs.currentWidget() is window.tasks_view
    assert window.tasks_view.search.unit.currentData() == unit_id
    rows = window.tasks_view.visible_rows()
    assert 0 < len(rows) < 67
    assert all(unit_id in r.unit_ids or r.lead_unit_id == unit_id for r in rows)


def test_clicking_a_bar_filters_too(view, window, qtbot):
    view.charts.setCurrentIndex(1)
    settle(qtbot, view)
    spot = view.bars.hotspots[0]  # the worst unit's red segment
    qtbot.mouseClick(view.bars, Qt.LeftButton, pos=point_of(view.bars, spot.artist))
    assert window.tasks_view.search.unit.currentData() == spot.unit_id


def test_hover_shows_exact_figures(view, qtbot):
    canvas = view.water
    settle(qtbot, view)  # a pending re-layout would replace the hot spots under the mouse
    spot = canvas.hotspots[0]
    qtbot.mouseMove(canvas, point_of(canvas, spot.artist))
    qtbot.waitUntil(lambda: canvas._tip_spot is spot)
    assert QToolTip.text() == spot.tip
    assert "完成水平（平均完成进度）" in spot.tip and "%" in spot.tip


def test_follows_the_period_without_reloading_history(view, window, qtbot):
    history = view.history()
    assert "2026年11月" in title_of(view.water)
    window.set_period(Period(2026, 10))
    qtbot.waitUntil(lambda: "2026年10月" in title_of(view.water))
    assert view.history() is history
    # Hidden chart tabs build when shown.
    view.charts.setCurrentIndex(3)
    assert "2026年10月" in view.task_rank.figure.texts[0].get_text()


def test_hidden_tab_redraws_when_shown(view, window, qtbot):
    window.tabs.setCurrentWidget(window.tasks_view)
    window.set_period(Period(2026, 9))
    qtbot.waitUntil(all_idle)  # the board loads in the background
    assert window.board.period == Period(2026, 9)
    assert view._dirty and "2026年11月" in title_of(view.water)
    window.tabs.setCurrentWidget(window.dashboard_tab)
    qtbot.waitUntil(lambda: "2026年9月" in title_of(view.water))


def test_change_news_reload_history(view, window):
    before = view.history()
    window.ctx.changes.announce("reports")
    assert view.history() is not before


def test_measure_and_group_choices_redraw(view, qtbot):
    view.measure_combo.setCurrentIndex(view.measure_combo.findData(dash.Measure.SHARE_CLOSED))
    assert "办结率" in title_of(view.water)
    assert "办结率" in view.rule_label.text()
    view.group_combo.setCurrentIndex(view.group_combo.findData(dash.Group.TASK))
    settle(qtbot, view)
    assert len(view.water.hotspots) == 67
    assert view.water.hotspots[0].task_id is not None


def test_highlighted_district_in_trends(view):
    view.district_combo.setCurrentIndex(view.district_combo.findText("乌审旗"))
    view.charts.setCurrentIndex(2)
    fig_text = "\n".join(t.get_text() for t in view.trends.figure.legends[0].get_texts())
    assert "乌审旗" in fig_text


def test_export_current_chart(view, tmp_path, monkeypatch):
    out = view.export_current(tmp_path / "water.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    chosen = str(tmp_path / "趋势")
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (chosen, "SVG 矢量图 (*.svg)"))
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: told.append(a[2]))
    view.export_dialog()
    assert (tmp_path / "趋势.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert "已导出" in told[0]
    warned = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "图.gif"), ""))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warned.append(a[2]))
    view.export_dialog()
    assert "不支持的图片格式" in warned[0]
    assert not (tmp_path / "图.gif").exists()


def test_chart_on_show_is_built_and_rendered_in_the_worker(view, window, qtbot, monkeypatch):
    import threading

    from taskboard.charts import water_level

    threads = []
    real = water_level.draw_water_level

    def spy(fig, wl):
        threads.append(threading.current_thread())
        return real(fig, wl)

    monkeypatch.setattr(water_level, "draw_water_level", spy)
    window.set_period(Period(2026, 10))
    qtbot.waitUntil(lambda: "2026年10月" in title_of(view.water))
    qtbot.waitUntil(all_idle)
    assert threads and threads[0] is not threading.main_thread()
    assert view.water._adopted_key is not None  # swapped in, not rebuilt on the UI thread
    image = view.water.grab().toImage()
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 5  # the rendered chart is on screen, not a blank canvas
    # Hot spots of the swapped-in figure still answer the mouse.
    spot = view.water.hotspots[0]
    qtbot.mouseClick(view.water, Qt.LeftButton, pos=point_of(view.water, spot.artist))
    assert window.tabs.currentWidget() is window.tasks_view
    assert window.tasks_view.search.unit.currentData() == spot.unit_id
