"""考评 and 亮牌 on a small hand-built database whose every point is worked out by hand.

Units: 东胜区 (1) and 康巴什区 (2) are districts, 市政务服务局 (3) a department.
Tasks (campaign from 2026-09-01):
  T1 lead 3, units 1 2 3, deadline 2026-10-31 — unit 1 closes it on 2026-11-10.
  T2 lead 1, units 1 2, deadline 2027-06-30.
  T3 lead 3, units 2 3, no deadline (长期).
Report day: the 25th (a working day in Sep, Oct and Nov 2026). Today: 2026-12-01.
"""
import datetime as dt

import pytest

from taskboard.core.cards import Card
from taskboard.core.models import Assignment, Bulletin, Campaign, Report, Task, Unit
from taskboard.core.periods import Period
from taskboard.core.scoring import Scorer, rank_track, red_black
from taskboard.core.settings import BoardSettings
from taskboard.core.workcalendar import WorkCalendar

D = dt.date
TODAY = D(2026, 12, 1)
SEP, OCT, NOV = Period(2026, 9), Period(2026, 10), Period(2026, 11)
LONG = "完成系统对接和数据共享工作，覆盖全市各类经营主体"
SAME = "持续推进企业走访服务工作，已走访企业二十家"


def _report(aid, period, status, text, progress, day):
    return Report(assignment_id=aid, period=period, status=status, text=text,
                  progress=progress, submitted_at=dt.datetime.combine(day, dt.time(9)))


@pytest.fixture
def small(db):
    with db.Session.begin() as s:
        s.add(Campaign(id=1, name="测试方案", start_date=D(2026, 9, 1)))
        s.add_all([Unit(id=1, name="东胜区", kind="district"),
                   Unit(id=2, name="康巴什区", kind="district"),
                   Unit(id=3, name="市政务服务局", kind="department")])
        s.flush()
        for tid, lead, deadline in ((1, 3, D(2026, 10, 31)), (2, 1, D(2027, 6, 30)), (3, 3, None)):
            s.add(Task(id=tid, campaign_id=1, code=f"{tid}", sort_key=f"{tid:05d}",
                       title=f"任务{tid}", lead_unit_id=lead, start_date=D(2026, 9, 1),
                       deadline=deadline))
        s.flush()
        s.add_all([Assignment(id=11, task_id=1, unit_id=1, closed_on=D(2026, 11, 10)),
                   Assignment(id=12, task_id=1, unit_id=2), Assignment(id=13, task_id=1, unit_id=3),
                   Assignment(id=21, task_id=2, unit_id=1), Assignment(id=22, task_id=2, unit_id=2),
                   Assignment(id=32, task_id=3, unit_id=2), Assignment(id=33, task_id=3, unit_id=3)])
        s.flush()
        s.add_all([
            _report(21, "2026-10", "approved", "十月进展：完成方案制定并报市政府审定", 40, D(2026, 10, 20)),
            _report(22, "2026-10", "approved", "同上月", 5, D(2026, 10, 20)),
            _report(33, "2026-10", "approved", SAME, 30, D(2026, 10, 20)),
            _report(21, "2026-11", "approved", LONG, 50, D(2026, 11, 20)),
            _report(22, "2026-11", "returned", "无", 10, D(2026, 11, 18)),
            _report(22, "2026-11", "pending", "同上月", 10, D(2026, 11, 21)),
            _report(32, "2026-11", "returned", "本月无进展", 0, D(2026, 11, 21)),
            _report(33, "2026-11", "approved", SAME, 30, D(2026, 11, 20)),
        ])
        # A 通报 issued in November praised 东胜区 and criticised 市政务服务局.
        s.add(Bulletin(year=2026, number=1, campaign_id=1, span="2026-10",
                       issued_on=D(2026, 11, 5), praised="1", criticised="3"))
    return db


def _scorer(s, settings=None):
    return Scorer(s, 1, TODAY, WorkCalendar(), settings or BoardSettings())


def _items(score):
    return {i.key: i.count for i in score.items if i.count}


def test_november_items_and_totals_by_hand(small):
    with small.session() as s:
        scores = {u.unit_id: u for u in _scorer(s).scores([NOV])}
    # 东胜区: T1 closed in Nov as a supporting unit (0.5), praised once.
    assert _items(scores[1]) == {"completed": 0.5, "praise": 1}
    assert scores[1].total == 101.5
    # 康巴什区: T1 overdue (supporting, 0.5) and unreported; two returned reports; T2's
    # "同上月" has no substance; T2 and T3 yellow (one 督办); T1 red (one 约谈).
    assert _items(scores[2]) == {"overdue": 0.5, "returned": 2, "missing": 1,
                                 "no_substance": 1, "supervise": 1, "interview": 1}
    assert scores[2].total == 100 - 0.5 - 4 - 10 - 5 - 1 - 2
    assert scores[2].cards == (0, 2, 1) and scores[2].card is Card.RED
    assert scores[2].interviews == ("1",)
    # 市政务服务局: T1 overdue as lead (1) and unreported; T3 unchanged text (no substance,
    # a single yellow: no 督办); criticised once; T1 red.
    assert _items(scores[3]) == {"overdue": 1, "missing": 1, "no_substance": 1,
                                 "criticism": 1, "interview": 1}
    assert scores[3].total == 100 - 1 - 10 - 5 - 1 - 2
    assert [u.track for u in scores.values()] == ["district", "district", "department"]


def test_a_unit_without_work_is_listed_with_the_base_and_not_ranked(small):
    with small.Session.begin() as s:
        s.add(Unit(id=4, name="市商务局", kind="department"))
        s.add(Unit(id=5, name="已撤销局", kind="department", active=False))
    with small.session() as s:
        scores = _scorer(s).scores([NOV])
    assert [u.unit_id for u in scores] == [1, 2, 3, 4]
    idle = scores[-1]
    assert (idle.total, idle.track, _items(idle)) == (100, None, {})
    assert [r.score.unit_id for r in rank_track(scores, "department")] == [3]


def test_earlier_months_cumulative_and_quarter(small):
    with small.session() as s:
        sc = _scorer(s)
        sep = {u.unit_id: u for u in sc.scores([SEP])}
        octo = {u.unit_id: u for u in sc.scores([OCT])}
        cum = {u.unit_id: u for u in sc.cumulative(NOV)}
        q4 = {u.unit_id: u for u in sc.scores([OCT, NOV, Period(2026, 12)])}
    # September, 东胜区: nothing reported (T1, T2 missing); both lagging: two yellows.
    assert _items(sep[1]) == {"missing": 2, "supervise": 1}
    assert sep[1].total == 79
    # October: T1 unreported and lagging (yellow); T2 reported 40 % ahead of time.
    assert _items(octo[1]) == {"missing": 1} and octo[1].total == 90
    # Cumulative: the base once, plus every month's items.
    assert cum[1].total == 100 - 21 - 10 + 1.5
    # December (today's month): its report day has not passed, so nothing is missing yet.
    assert q4[1].item("missing").count == 1


def test_points_are_settings(small):
    rules = BoardSettings(score_missing=-3, score_support_pct=100, score_base=60,
                          score_praise=5)
    with small.session() as s:
        scores = {u.unit_id: u for u in _scorer(s, rules).scores([NOV])}
    assert scores[1].total == 60 + 1 + 5
    assert scores[2].item("overdue").count == 1.0
    assert scores[2].total == 60 - 1 - 4 - 3 - 5 - 1 - 2


def test_cards_per_assignment(small):
    with small.session() as s:
        cards = _scorer(s).cards(NOV)
        oct_cards = _scorer(s).cards(OCT)
    assert cards == {11: Card.NONE, 12: Card.RED, 13: Card.RED, 21: Card.NONE,
                     22: Card.YELLOW, 32: Card.YELLOW, 33: Card.YELLOW}
    # At October's end T1 is due that very day (临期) but lagging: yellow outranks blue.
    assert oct_cards[11] is Card.YELLOW and oct_cards[33] is Card.NONE


def test_the_board_grades_the_same_cards_in_its_own_pass(small):
    """33 repeats October's text word for word: yellow from the text the board's query reads."""
    from taskboard.core.board import load_board

    with small.session() as s:
        board = load_board(s, 1, NOV, TODAY, WorkCalendar(), BoardSettings(), cards=True)
    assert board.memo["cards"] == {11: Card.NONE, 12: Card.RED, 13: Card.RED, 21: Card.NONE,
                                   22: Card.YELLOW, 32: Card.YELLOW, 33: Card.YELLOW}
    assert board.memo["task_cards"] == {1: Card.RED, 2: Card.YELLOW, 3: Card.YELLOW}


def test_ranking_change_and_lists(small):
    with small.session() as s:
        sc = _scorer(s)
        nov, octo = sc.scores([NOV]), sc.scores([OCT])
    ranked = rank_track(nov, "district", octo)
    assert [(r.score.unit_name, r.rank, r.change_text) for r in ranked] == [
        ("东胜区", 1, "—"), ("康巴什区", 2, "—")]
    lists = red_black(ranked, 100, 5, 4)
    assert [r.score.unit_id for r in lists.red] == [1]
    assert [r.score.unit_id for r in lists.black] == [2]
    exempt = red_black(ranked, 100, 5, 4, {2: "承担防汛抢险任务"})
    assert exempt.black == () and [(r.score.unit_id, why) for r, why in exempt.exempted] == [
        (2, "承担防汛抢险任务")]
    # Tied totals share a rank.
    tied = rank_track([nov[0], nov[0].__class__(**{**nov[1].__dict__, "total": nov[0].total})],
                      "district")
    assert [r.rank for r in tied] == [1, 1]


def test_a_reissued_bulletin_replaces_the_earlier_praise(small):
    with small.Session.begin() as s:
        s.add(Bulletin(year=2026, number=2, campaign_id=1, span="2026-10",
                       issued_on=D(2026, 11, 20), praised="2", criticised=""))
        s.add(Bulletin(year=2026, number=3, campaign_id=1, span="2026-Q3",
                       issued_on=D(2026, 11, 21), praised="2", criticised="1"))
    with small.session() as s:
        scores = {u.unit_id: u for u in _scorer(s).scores([NOV])}
    assert _items(scores[1]) == {"completed": 0.5, "criticism": 1}
    assert scores[2].item("praise").count == 2
    assert scores[3].item("criticism").count == 0


def test_help_states_the_rule_with_the_office_numbers():
    from taskboard.core.about import rules_sections

    sections = dict(rules_sections(BoardSettings(score_missing=-3, score_min_chars=20,
                                                 score_target=85), WorkCalendar(), TODAY))
    text = "\n".join(sections["考评"])
    assert "每次未报送 -3" in text and "少于 20 个字" in text and "不低于 85 分" in text
    assert "每两张黄牌记一次督办（-1 分）" in "\n".join(sections["亮牌"])
