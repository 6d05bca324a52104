"""挂图作战: the battle map tab — KPI tiles, water-level chart, coloured bars, trends, rankings.

The main window feeds it each freshly loaded board (``follow_board``). The month-by-month
history behind trends and rank changes and every chart's figures are worked out in a worker
(``ui.common.loader``); only the chart swap runs on the UI thread. The history comes from a
``HistoryCache``, so after a change only the months it touched are read again, and switching
the period or the highlighted district costs no queries. While the tab is hidden a new board
is only kept, and worked out when the tab is shown. ``show_board(board)`` does the same
synchronously (exports, benchmarks).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
    QPushButton, QScrollArea, QSplitter, QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from taskboard.charts import light_bars as bars_chart
from taskboard.charts import task_ranking as task_rank_chart
from taskboard.charts import trends as trends_chart
from taskboard.charts import water_level as water_chart
from taskboard.charts.common import export_figure
from taskboard.core import dashboard as dash
from taskboard.core.board import Board
from taskboard.core.dashboard_history import History, district_ranking, trends
from taskboard.core.history_cache import HistoryCache
from taskboard.core.cards import CARD_RULE
from taskboard.core.periods import Period
from taskboard.core.scoring import SCORE_RANKING_RULE, Scorer, rank_track
from taskboard.core.settings import load_calendar, load_settings
from taskboard.ui.common.chart_canvas import ChartCanvas, render_offscreen
from taskboard.ui.common.loader import BusyIndicator, Loader
from taskboard.ui.battle_map.kpi_tiles import KpiTiles
from taskboard.ui.battle_map.ranking_table_model import (
    COL_UNIT, RankingTableModel, SortRole, UnitIdRole,
)
from taskboard.ui.battle_map import score_table_model as score_cols
from taskboard.ui.battle_map.score_table_model import ScoreTableModel

from taskboard.ui.battle_map import TAB_TITLE
# The ranking pane's measure: the combined ranking, or the 考评 score of one track.
RANKINGS = ((None, "综合排名", "旗区综合排名"), ("district", "考评得分 · 旗区", "旗区考评得分排名"),
            ("department", "考评得分 · 部门", "部门考评得分排名"))
RANKING_WIDTHS = (44, 50, 150, 80, 88, 60, 80)
CHART_WATER, CHART_BARS, CHART_TRENDS, CHART_RANKING = range(4)
CHART_NAMES = ("水位图", "彩色柱状图", "变化曲线", "任务排名")
_CHART_KEYS = ("water", "bars", "trends", "task")  # in the order of the chart tabs
# The charts each choice affects.
_PARTS_OF = {"group": {"water", "bars"}, "measure": {"water", "trends", "ranking"},
             "district": {"trends"}, "task_id": {"task"}}


def _scrolled(canvas: ChartCanvas) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.NoFrame)
    area.setWidget(canvas)
    return area


class DashboardView(QWidget):
    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._board: Optional[Board] = None
        self._history: Optional[History] = None
        self._history_key: Optional[tuple] = None
        # Change news counted, and the count the history was read at: unequal means stale.
        self._news = 0
        self._history_news = -1
        self.history_cache = HistoryCache()
        self._dirty = False
        self.loader = Loader(ctx.db, self, self._load_work, self._loaded)
        self._scores: Optional[tuple] = None  # (board, current scores, previous scores)
        self.background = None  # the window's worker for the scores (see connect)
        self.last_redraw_seconds = 0.0

        self.tiles = KpiTiles()
        self.group_combo = QComboBox()
        for g in dash.Group:
            self.group_combo.addItem(f"按{g.word}", g)
        self.measure_combo = QComboBox()
        for m in dash.Measure:
            self.measure_combo.addItem(m.word, m)
        self.measure_combo.setToolTip("平均完成进度：各责任事项完成进度的平均值；"
                                      "办结率：已办结责任事项所占比例")
        self.district_combo = QComboBox()
        self.district_combo.setMinimumWidth(130)
        self.district_combo.setToolTip("变化曲线中突出显示的旗区")
        self.task_combo = QComboBox()
        self.task_combo.setMinimumWidth(260)
        self.task_combo.setMaxVisibleItems(25)
        self.rank_combo = QComboBox()
        for track, word, _title in RANKINGS:
            self.rank_combo.addItem(word, track)
        self.rank_combo.setToolTip("右侧排名的依据：综合排名（完成水平、按时报送率等）或考评得分；"
                                   "鼠标停在考评得分的单位上可看各项加减分")
        self.export_button = QPushButton("导出图表…")
        self.export_button.setToolTip("将当前图表导出为 PNG 或 SVG（300 dpi，可打印）")
        controls = QHBoxLayout()
        controls.setContentsMargins(6, 0, 6, 0)
        for text, widget in (("水位图对象", self.group_combo), ("完成水平口径", self.measure_combo),
                             ("突出旗区", self.district_combo), ("排名任务", self.task_combo),
                             ("排名依据", self.rank_combo)):
            controls.addWidget(QLabel(text))
            controls.addWidget(widget)
            controls.addSpacing(8)
        controls.addStretch(1)
        controls.addWidget(BusyIndicator("正在更新图表…").follow(self.loader))
        controls.addWidget(self.export_button)

        self.water = ChartCanvas()
        self.bars = ChartCanvas()
        self.trends = ChartCanvas()
        self.task_rank = ChartCanvas()
        self.canvases = (self.water, self.bars, self.trends, self.task_rank)
        self.charts = QTabWidget()
        self.charts.setObjectName("dashboardCharts")
        self.charts.addTab(_scrolled(self.water), CHART_NAMES[CHART_WATER])
        self.charts.addTab(_scrolled(self.bars), CHART_NAMES[CHART_BARS])
        self.charts.addTab(self.trends, CHART_NAMES[CHART_TRENDS])
        self.charts.addTab(_scrolled(self.task_rank), CHART_NAMES[CHART_RANKING])

        self.ranking_model = RankingTableModel(self)
        self.score_model = ScoreTableModel(self)
        self.ranking_table = QTableView()
        self.ranking_table.setObjectName("districtRanking")
        self.ranking_table.setModel(self.ranking_model)
        self.ranking_table.verticalHeader().setVisible(False)
        self.ranking_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.ranking_table.setAlternatingRowColors(True)
        header = self.ranking_table.horizontalHeader()
        # Fixed widths: measuring contents on every redraw costs ~0.1 s with 103 districts.
        header.setSectionResizeMode(QHeaderView.Interactive)
        for col, width in enumerate(RANKING_WIDTHS):
            self.ranking_table.setColumnWidth(col, width)
        header.setSectionResizeMode(COL_UNIT, QHeaderView.Stretch)
        self.ranking_table.setMouseTracking(True)  # the score breakdown shows on hover
        self.rule_label = QLabel()
        self.rule_label.setWordWrap(True)
        self.rule_label.setStyleSheet("color: #4a5563;")
        ranking_title = self.ranking_title = QLabel(RANKINGS[0][2])
        ranking_title.setObjectName("paneTitle")
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(4, 0, 0, 0)
        side_layout.addWidget(ranking_title)
        side_layout.addWidget(self.ranking_table, 1)
        side_layout.addWidget(self.rule_label)

        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(self.charts)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([960, 560])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tiles)
        layout.addLayout(controls)
        layout.addWidget(self.splitter, 1)

        # Each choice redraws only the charts it affects.
        for key, combo in (("group", self.group_combo), ("measure", self.measure_combo),
                           ("district", self.district_combo), ("task_id", self.task_combo)):
            combo.currentIndexChanged.connect(lambda *_, k=key: self._redraw(_PARTS_OF[k]))
        self.rank_combo.currentIndexChanged.connect(lambda *_: self._show_ranking(self._board))
        self.export_button.clicked.connect(self.export_dialog)
        ctx.changes.changed.connect(self._data_changed)

    # --- the redraw entry points -------------------------------------------------------
    def show_board(self, board: Board) -> None:
        """Recompute the figures for ``board`` now and render the chart on show."""
        self._board = board
        self._redraw()
        started = time.perf_counter()
        canvas = self.current_canvas()
        if canvas.isVisible():
            canvas.draw_now()
        self.last_redraw_seconds += time.perf_counter() - started

    def follow_board(self, board: Board) -> None:
        """The main window's feed: worked out in the background when on show, else later."""
        self._board = board
        self._dirty = True
        self.loader.reload_when_shown()

    def _data_changed(self, _what) -> None:
        self._news += 1  # reports, urges or closures may have changed any month
        self._scores = None

    def _wanted_history_key(self, board: Board) -> tuple:
        today = self.ctx.today()
        return board.campaign_id, max(board.period, Period.of(today).next()), today

    def _read_history(self, session, key) -> History:
        campaign_id, last, today = key
        return self.history_cache.load(session, campaign_id, last, today,
                                       load_calendar(session), load_settings(session))

    def history(self) -> Optional[History]:
        """The current history, read now (through the cache) when out of date."""
        board = self._board
        if board is None:
            return None
        key = self._wanted_history_key(board)
        if key != self._history_key or self._history_news != self._news:
            news = self._news
            with self.ctx.db.session() as s:
                self._history = self._read_history(s, key)
            self._history_key, self._history_news = key, news
        return self._history

    def _choices(self) -> dict:
        return dict(group=self.group_combo.currentData(),
                    measure=self.measure_combo.currentData(),
                    district=self.district_combo.currentData(),
                    task_id=self.task_combo.currentData())

    def _load_work(self):
        board = self._board
        if board is None:
            return None
        key, news = self._wanted_history_key(board), self._news
        fresh = key == self._history_key and self._history_news == news
        history = self._history if fresh else None
        choices = self._choices()
        # The chart on show is built and rendered in the worker too; the others build when
        # their tab is shown.
        chart = _CHART_KEYS[self.charts.currentIndex()]
        plan = self.current_canvas().plan()

        def work(session):
            h = history if history is not None else self._read_history(session, key)
            f = _figures(board, h, choices, None)
            if plan is not None:
                builder, sizer = _builders(board, f)[chart]
                f["rendered"] = (chart, render_offscreen(plan, builder, sizer))
            return board, key, news, h, f
        return work

    def _loaded(self, result) -> None:
        board, key, news, history, figures = result
        self._board, self._history = board, history
        self._history_key, self._history_news = key, news
        self._dirty = False
        self._show(board, history, figures, None)
        # A choice changed meanwhile (or the choices were just filled): redo only its charts.
        now = self._choices()
        parts = set().union(*(_PARTS_OF[k] for k, v in figures["choices"].items()
                              if now[k] != v))
        if parts:
            self._redraw(parts)

    def _redraw(self, parts: Optional[set[str]] = None) -> None:
        """Recompute and rebuild the given charts (all by default); Qt paints them lazily."""
        board = self._board
        if board is None:
            return
        started = time.perf_counter()
        self._dirty = False
        # A history a little out of date is fine here: the reload after the news follows.
        history = self._history if self._history_key == self._wanted_history_key(board) \
            else self.history()
        self._show(board, history, _figures(board, history, self._choices(), parts), parts)
        self.last_redraw_seconds = time.perf_counter() - started

    def _show(self, board: Board, history: History, f: dict, parts: Optional[set[str]]) -> None:
        """Swap the worked-out figures into the charts (UI thread; charts build lazily)."""
        every = parts is None
        if every:
            self._fill_choices(board, history)
            self.tiles.show_kpis(f["kpis"])
        rendered = f.get("rendered")
        for key, (builder, sizer) in _builders(board, f).items():
            canvas = self.canvases[_CHART_KEYS.index(key)]
            if rendered is not None and rendered[0] == key:
                canvas.adopt(rendered[1], builder, sizer)  # built and rendered in the worker
            else:
                canvas.set_chart(builder, sizer)
        if "ranking" in f:
            self.ranking_model.set_rows(f["ranking"])
            self._rule = dash.ranking_rule(f["choices"]["measure"])
            self._show_ranking(board)

    # --- 考评 ranking ----------------------------------------------------------------------
    def _show_ranking(self, board: Optional[Board]) -> None:
        track = self.rank_combo.currentData()
        self.ranking_title.setText(RANKINGS[self.rank_combo.currentIndex()][2])
        if track is None:
            if self.ranking_table.model() is not self.ranking_model:
                self._use_model(self.ranking_model, RANKING_WIDTHS)
            self.rule_label.setText(getattr(self, "_rule", ""))
            self.rule_label.setToolTip("")
            return
        if self.ranking_table.model() is not self.score_model:
            self._use_model(self.score_model, score_cols.WIDTHS)
        if board is None:
            return
        if self._scores is None or self._scores[0] is not board:
            self._request_scores(board)
            self.score_model.set_rows([])
            self.rule_label.setText("正在计算考评得分…")
            self.rule_label.setToolTip("")
            return
        _board, current, previous = self._scores
        self.score_model.set_rows(rank_track(current, track, previous))
        self.rule_label.setText(SCORE_RANKING_RULE + "鼠标停在单位上可看各项加减分。")
        self.rule_label.setToolTip(CARD_RULE)

    def _use_model(self, model, widths) -> None:
        self.ranking_table.setModel(model)
        for col, width in enumerate(widths):
            self.ranking_table.setColumnWidth(col, width)
        self.ranking_table.horizontalHeader().setSectionResizeMode(COL_UNIT, QHeaderView.Stretch)

    def _request_scores(self, board: Board) -> None:
        """This month's and last month's scores, computed off the UI thread once per board."""
        today = self.ctx.today()

        def work(s):
            scorer = Scorer(s, board.campaign_id, today, load_calendar(s), load_settings(s))
            scorer.use_board(board)
            return scorer.scores([board.period]), scorer.scores([board.period.previous()])

        def done(result) -> None:
            self._scores = (board, *result)
            if board is self._board:
                self._show_ranking(board)

        def failed(exc) -> None:
            self.rule_label.setText(f"考评得分未能计算：{exc}")

        if self.background is None:  # a view on its own (tests, benchmarks): compute here
            with self.ctx.db.session() as s:
                done(work(s))
        else:
            self.background.run("scores", work, done, failed)

    def _fill_choices(self, board: Board, history: History) -> None:
        """Districts and tasks of the current board, keeping the user's choice."""
        for combo, items in (
                (self.district_combo, [(None, "不突出")] +
                 [(u.unit_id, u.unit_name) for u in history.districts()]),
                (self.task_combo, [(r.task_id, f"{r.code} {r.title}") for r in board.rows
                                   if any(a.unit_kind == "district"
                                          for a in board.assignments.get(r.task_id, []))])):
            current = combo.currentData()
            wanted = [data for data, _ in items]
            if [combo.itemData(i) for i in range(combo.count())] == wanted:
                continue
            combo.blockSignals(True)
            combo.clear()
            for data, text in items:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

    def draw_all_now(self) -> None:
        """Render every chart now, hidden tabs included (benchmarks, exports of all charts)."""
        started = time.perf_counter()
        for canvas in self.canvases:
            canvas.draw_now()
        self.last_redraw_seconds += time.perf_counter() - started

    # --- export -------------------------------------------------------------------------
    def current_canvas(self) -> ChartCanvas:
        return self.canvases[self.charts.currentIndex()]

    def export_current(self, path) -> Path:
        """Write the chart on show to ``path`` (.png or .svg) at print resolution."""
        canvas = self.current_canvas()
        canvas.ensure_built()
        return export_figure(canvas.figure, path)

    def export_dialog(self) -> None:
        name = CHART_NAMES[self.charts.currentIndex()]
        period = self._board.period if self._board else Period.of(self.ctx.today())
        path, chosen = QFileDialog.getSaveFileName(
            self, "导出图表", f"{name}_{period}.png", "PNG 图片 (*.png);;SVG 矢量图 (*.svg)")
        if not path:
            return
        if not Path(path).suffix:
            path += ".svg" if "svg" in chosen else ".png"
        try:
            out = self.export_current(path)
        except (ValueError, OSError) as exc:
            QMessageBox.warning(self, "导出失败", f"图表未能导出：{exc}")
            return
        QMessageBox.information(self, "导出完成", f"已导出：{out}")


def _builders(board: Board, f: dict) -> dict:
    """chart key → (builder, sizer) for the charts whose figures ``f`` holds."""
    out = {}
    if "water" in f:
        wl = f["water"]
        out["water"] = (lambda fig: water_chart.draw_water_level(fig, wl),
                        lambda w: water_chart.height_for(wl, w))
    if "bars" in f:
        bars, scope = f["bars"]
        out["bars"] = (
            lambda fig: bars_chart.draw_light_bars(fig, bars, scope, board.period.label),
            lambda _w: bars_chart.height_for(bars))
    if "trends" in f:
        tr = f["trends"]
        out["trends"] = (lambda fig: trends_chart.draw_trends(fig, tr), None)
    if "task" in f:
        ranked, label = f["task"]
        out["task"] = (
            lambda fig: task_rank_chart.draw_task_ranking(fig, ranked, label, board.period.label),
            lambda _w: task_rank_chart.height_for(ranked))
    return out


def _figures(board: Board, history: History, choices: dict,
             parts: Optional[set[str]]) -> dict:
    """Every figure the given charts need (all by default): plain data, no Qt (runs in a
    worker)."""
    every = parts is None
    group, measure = choices["group"], choices["measure"]
    out: dict = {"choices": dict(choices)}
    if every:
        out["kpis"] = dash.kpis(board)
    if every or "water" in parts:
        out["water"] = dash.water_level(board, group, measure)
    if every or "bars" in parts:
        districts_only = group is dash.Group.DISTRICT
        out["bars"] = (dash.light_bars(board, districts_only), "旗区" if districts_only else "单位")
    if every or "trends" in parts:
        out["trends"] = trends(history, measure, board.period, choices["district"])
    if every or "task" in parts:
        task_id = choices["task_id"]
        task = next((r for r in board.rows if r.task_id == task_id), None)
        ranked = dash.task_ranking(board, task_id) if task else []
        out["task"] = (ranked, f"任务 {task.code} {task.title}" if task else "未选择任务")
    if every or "ranking" in parts:
        out["ranking"] = district_ranking(board, history, measure)
    return out


def connect(window, view: DashboardView) -> None:
    """Wire a new view into the main window: boards in, clicks out to the task list."""
    window.boardLoaded.connect(view.follow_board)
    view.background = window.background

    def filter_unit(unit_id: int) -> None:
        window.tasks_view.search.set_unit(unit_id)
        window.tabs.setCurrentWidget(window.tasks_view)

    def open_task(task_id: int) -> None:
        window.tabs.setCurrentWidget(window.tasks_view)
        if not window.tasks_view.select_task(task_id):
            window.tasks_view.search.clear()
            window.tasks_view.select_task(task_id)

    for canvas in view.canvases:
        canvas.unitClicked.connect(filter_unit)
        canvas.taskClicked.connect(open_task)
    view.ranking_table.doubleClicked.connect(lambda idx: filter_unit(idx.data(UnitIdRole)))


__all__ = ["DashboardView", "connect", "SortRole", "TAB_TITLE"]
