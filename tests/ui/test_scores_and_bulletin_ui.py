"""考评 in the battle map, 亮牌 in the task list, and 文件 → 生成通报… in a real window."""
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy import func, select

from taskboard.core.cards import Card, task_cards
from taskboard.core.models import Bulletin
from taskboard.core.periods import Period
from taskboard.core.scoring import Scorer, rank_track
from taskboard.core.settings import load_calendar, load_settings
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.common.loader import all_idle
from taskboard.ui.bulletin.bulletin_actions import open_bulletin
from taskboard.ui.battle_map import score_table_model as cols
from taskboard.ui.tasks.assignment_table_model import COL_CARD as A_CARD
from taskboard.ui.tasks.task_table_model import COL_CARD, TaskIdRole
from tests.conftest import TODAY
from tests.ui.typing_helpers import type_text

pytestmark = pytest.mark.sqlite_only
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shot(widget, name):
    if os.environ.get("TASKBOARD_SHOTS"):
        widget.grab().save(str(SHOTS / name))


@pytest.fixture
def window(qtbot, demo_db, dispatcher, ui_state):
    ensure_app()
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    qtbot.waitUntil(all_idle)  # the board loads in the background
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    return w


def expected_scores(db, period):
    with db.session() as s:
        sc = Scorer(s, 1, TODAY, load_calendar(s), load_settings(s))
        return sc.scores([period]), sc.scores([period.previous()])


def test_score_ranking_with_breakdown_on_hover(window, qtbot, demo_db, qtmodeltester):
    view = window.dashboard_tab.view()
    window.tabs.setCurrentWidget(window.dashboard_tab)
    qtbot.waitUntil(lambda: view.ranking_model.rowCount() == 9)
    view.rank_combo.setFocus()
    qtbot.keyClick(view.rank_combo, Qt.Key_Down)  # 考评得分 · 旗区
    qtbot.waitUntil(lambda: view.ranking_table.model() is view.score_model)
    model = view.score_model
    qtbot.waitUntil(lambda: model.rowCount() == 9)  # computed off the UI thread
    current, previous = expected_scores(demo_db, window.period())
    want = rank_track(current, "district", previous)
    got = [(model.index(r, cols.COL_UNIT).data(), model.index(r, cols.COL_RANK).data(),
            model.index(r, cols.COL_SCORE).data()) for r in range(model.rowCount())]
    assert got == [(w.score.unit_name, str(w.rank), f"{w.score.total:g}") for w in want]
    assert len(got) == 9 and view.ranking_title.text() == "旗区考评得分排名"
    tip = model.index(0, cols.COL_SCORE).data(Qt.ToolTipRole)
    assert tip.startswith(f"{want[0].score.unit_name} 考评得分\n基础分 100")
    assert f"合计 {want[0].score.total:g}" in tip and "亮牌：蓝牌" in tip
    assert model.index(0, cols.COL_CARD).data() == (want[0].score.card.word or "—")
    qtmodeltester.check(model)
    qtbot.keyClick(view.rank_combo, Qt.Key_Down)  # 考评得分 · 部门
    qtbot.waitUntil(lambda: view.ranking_title.text() == "部门考评得分排名")
    qtbot.waitUntil(lambda: model.rowCount() == len(rank_track(current, "department")))
    assert model.rowCount() == len(rank_track(current, "department"))
    shot(view, "battle-map-scores.png")
    qtbot.keyClick(view.rank_combo, Qt.Key_Home)
    qtbot.waitUntil(lambda: view.ranking_table.model() is view.ranking_model)


def test_cards_in_the_task_list_and_the_assignment_pane(window, qtbot):
    board = window.board
    model = window.tasks_view.model
    # Cards are worked out with the board, off the UI thread.
    assert "cards" in board.memo
    cards = board.memo["cards"]
    per_task = task_cards(board)
    assert {Card.RED, Card.YELLOW} <= set(per_task.values())
    for r in range(model.rowCount()):
        tid = model.index(r, 0).data(TaskIdRole)
        assert model.index(r, COL_CARD).data() == per_task[tid].word
    red_row = next(r for r in range(model.rowCount())
                   if per_task[model.index(r, 0).data(TaskIdRole)] is Card.RED)
    window.tasks_view.table.selectRow(red_row)
    pane = window.tasks_view.assignment_model
    qtbot.waitUntil(lambda: pane.rowCount() > 0)
    words = [pane.index(r, A_CARD).data() for r in range(pane.rowCount())]
    assert "红牌" in words
    assert words == [cards[a.assignment_id].word for a in pane.rows()]


def test_bulletin_dialog_previews_then_issues_and_saves(window, qtbot, demo_db, tmp_path,
                                                        monkeypatch):
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: seen.append(a[2]))
    dialog = open_bulletin(window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.span.setCurrentIndex(dialog.span.findData("2026-10"))
    qtbot.waitUntil(lambda: "关于2026年10月" in dialog.preview.toPlainText())
    html = dialog.preview.toPlainText()
    assert "营商调度〔2026〕□号" in html and "一、总体情况" in html
    assert "关于2026年10月" in html and "截至2026年10月31日" in html
    # A mistyped exemption is explained in the preview; nothing can be issued with it.
    dialog.exempt.setFocus()
    type_text(dialog.exempt, "不存在的旗=理由")
    qtbot.mouseClick(dialog.refresh, Qt.LeftButton)
    qtbot.waitUntil(lambda: "没有这个单位：不存在的旗" in dialog.preview.toPlainText())
    assert dialog.save("docx", str(tmp_path / "bad.docx")) is None
    assert seen and "没有这个单位" in seen[-1]
    dialog.exempt.clear()
    type_text(dialog.exempt, "杭锦旗=承担抗旱救灾任务")
    qtbot.mouseClick(dialog.refresh, Qt.LeftButton)
    qtbot.waitUntil(lambda: "一、总体情况" in dialog.preview.toPlainText())
    text = dialog.preview.toPlainText()
    assert "杭锦旗因承担抗旱救灾任务" in text or "杭锦旗" not in text.split("（二）黑榜")[1]
    dialog.preview.resize(620, 700)
    shot(dialog, "bulletin-dialog.png")
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "十月通报"), "Word 文档 (*.docx)"))
    qtbot.mouseClick(dialog.save_docx, Qt.LeftButton)
    assert (tmp_path / "十月通报.docx").stat().st_size > 10_000
    assert dialog.issued == [("营商调度〔2026〕1号", tmp_path / "十月通报.docx")]
    assert "营商调度〔2026〕1号" in dialog.preview.toPlainText()
    with demo_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Bulletin)) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_scoring_points_are_edited_in_the_settings_and_the_map_follows(qtbot, demo_db,
                                                                      ui_state, monkeypatch):
    from PySide6.QtWidgets import QLineEdit, QSpinBox

    from taskboard.core.actor import load_actor
    from taskboard.ui.admin.settings_dialog import SettingsDialog

    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: None)
    with demo_db.session() as s:
        admin = load_actor(s, "admin")
    ensure_app()
    w = make_window(demo_db, admin, ui_state, today=lambda: TODAY)
    qtbot.waitUntil(all_idle)
    qtbot.addWidget(w)
    w.show()
    view = w.dashboard_tab.view()
    w.tabs.setCurrentWidget(w.dashboard_tab)
    view.rank_combo.setCurrentIndex(1)
    # October: its report day has passed, so missing reports count (November's has not).
    with qtbot.waitSignal(w.boardLoaded, timeout=5000):
        w.set_period(Period(2026, 10))
    # The battle map follows the board in its own worker: wait for October's scores, not the
    # November rows still on show.
    qtbot.waitUntil(lambda: view._scores is not None
                    and view._scores[0].period == Period(2026, 10)
                    and view.score_model.rowCount() == 9)
    before = {r.score.unit_id: r.score for r in view.score_model.rows()}
    d = SettingsDialog(w.ctx, w)
    qtbot.addWidget(d)
    d.show()
    d.tabs.setCurrentWidget(d.page("考评与通报"))
    missing = d.findChild(QSpinBox, "score_missing")
    assert missing.value() == -10 and d.findChild(QSpinBox, "score_base").value() == 100
    missing.setFocus()
    missing.selectAll()
    qtbot.keyClicks(missing, "-3")
    word = d.findChild(QLineEdit, "bulletin_word")
    word.selectAll()
    qtbot.keyClick(word, Qt.Key_Backspace)
    assert d.save() is False  # an empty 机关代字 is refused before anything is stored
    word.setText("营商办")
    shot(d, "settings-scoring.png")
    assert d.save() is True
    with demo_db.session() as s:
        st = load_settings(s)
    assert (st.score_missing, st.bulletin_word) == (-3, "营商办")
    qtbot.waitUntil(lambda: {r.score.unit_id: r.score.total for r in view.score_model.rows()}
                    != {u: sc.total for u, sc in before.items()})
    assert any(sc.item("missing").count for sc in before.values())
    for r in view.score_model.rows():
        old = before[r.score.unit_id]
        assert r.score.total == old.total + 7 * old.item("missing").count
