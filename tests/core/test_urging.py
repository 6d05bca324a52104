import datetime as dt
import json
import threading

import pytest
from sqlalchemy import func, select

from taskboard.core.actor import load_actor
from taskboard.core.db import Database
from taskboard.core.errors import PermissionDenied, ValidationError
from taskboard.core.models import AuditEvent, NoticeCounter, UrgeNotice, UrgeRecord
from taskboard.core.periods import Period
from taskboard.core.rules import DueState
from taskboard.core.services import urge_delivery, urge_inbox, urging
from taskboard.core.settings import load_settings, save_setting
from taskboard.core.workcalendar import WorkCalendar
from tests.conftest import TODAY

D = dt.date
CAL = WorkCalendar()
PERIOD = Period.of(TODAY)


# --- restraint and escalation at their edges ------------------------------------------------

def test_quiet_period_counts_working_days_across_national_day():
    # Urged Wed 30 Sep 2026; 1-7 Oct are holidays, 8 and 9 Oct work, Sat 10 Oct is a 调休 workday.
    last = D(2026, 9, 30)
    assert urging.quiet_until(last, CAL, 3, D(2026, 10, 7)) == D(2026, 10, 10)
    assert urging.quiet_until(last, CAL, 3, D(2026, 10, 9)) == D(2026, 10, 10)
    assert urging.quiet_until(last, CAL, 3, D(2026, 10, 10)) is None


def test_quiet_period_plain_week_and_overrides():
    monday = D(2026, 11, 16)
    assert urging.quiet_until(monday, CAL, 3, D(2026, 11, 18)) == D(2026, 11, 19)
    assert urging.quiet_until(monday, CAL, 3, D(2026, 11, 19)) is None
    # The office declares Wednesday a day off: the quiet period ends one day later.
    cal = WorkCalendar({D(2026, 11, 18): False})
    assert urging.quiet_until(monday, cal, 3, D(2026, 11, 19)) == D(2026, 11, 20)
    # Same day urge, and the rule switched off.
    assert urging.quiet_until(monday, CAL, 1, monday) == D(2026, 11, 17)
    assert urging.quiet_until(monday, CAL, 0, monday) is None
    assert urging.quiet_until(None, CAL, 3, monday) is None


@pytest.mark.parametrize("prior,after,expected", [
    (0, 3, False), (2, 3, False), (3, 3, True), (7, 3, True), (5, 0, False), (1, 1, True),
])
def test_escalation_edge(prior, after, expected):
    assert urging.escalates(prior, after) is expected


def test_filters_or_within_group_and_between_groups():
    cats = frozenset({"unreported", "overdue"})
    assert urging.matches_filters(cats, [])
    assert urging.matches_filters(cats, ["unreported", "returned"])
    assert urging.matches_filters(cats, ["unreported", "overdue"])
    assert not urging.matches_filters(cats, ["unreported", "near_due"])
    assert not urging.matches_filters(cats, ["reported"])
    with pytest.raises(ValidationError, match="未知的筛查条件"):
        urging.matches_filters(cats, ["late"])


# --- screening ----------------------------------------------------------------------------

def _screen(db, actor, filters=()):
    with db.session() as s:
        return urging.screen(s, actor, 1, PERIOD, TODAY, filters)


def test_screen_filters_match_the_board(demo_db, dispatcher):
    every = _screen(demo_db, dispatcher)
    assert every and all(r.due_state is not DueState.DONE for r in every)
    unreported = _screen(demo_db, dispatcher, ["unreported"])
    assert unreported and all(r.report_status is None for r in unreported)
    overdue = _screen(demo_db, dispatcher, ["overdue"])
    assert overdue and all(r.due_state is DueState.OVERDUE and r.days_overdue > 0
                           for r in overdue)
    assert all(r.days_text == f"超期{r.days_overdue}天" for r in overdue)
    near = _screen(demo_db, dispatcher, ["near_due"])
    assert near and all(r.days_left is not None and r.days_left <= 7 for r in near)
    both = _screen(demo_db, dispatcher, ["unreported", "overdue"])
    assert {r.assignment_id for r in both} == (
        {r.assignment_id for r in unreported} & {r.assignment_id for r in overdue})
    keys = [(r.unit_sort, r.sort_key) for r in every]
    assert keys == sorted(keys)


def test_reporters_cannot_screen_or_urge(demo_db):
    with demo_db.session() as s:
        reporter = load_actor(s, "unit001")
        with pytest.raises(PermissionDenied):
            urging.screen(s, reporter, 1, PERIOD, TODAY)


# --- issuing notices ------------------------------------------------------------------------

def _fresh_rows(db, actor, n_units=2):
    """Rows of ``n_units`` units, none urged before, so notices are plain 催办."""
    rows = [r for r in _screen(db, actor, ["unreported"]) if r.urge_count == 0]
    units = list(dict.fromkeys(r.unit_id for r in rows))[:n_units]
    return [r for r in rows if r.unit_id in units]


def _issue(db, actor, ids, **kw):
    with db.Session.begin() as s:
        return urging.issue_notices(s, actor, 1, PERIOD, kw.pop("today", TODAY), ids, **kw)


def test_one_numbered_notice_per_unit_with_records_and_audit(demo_db, dispatcher):
    rows = _fresh_rows(demo_db, dispatcher)
    issued = _issue(demo_db, dispatcher, [r.assignment_id for r in rows], note="请于本周报送")
    assert [n.number_text for n in issued] == ["催办〔2026〕1号", "催办〔2026〕2号"]
    assert sum(n.task_count for n in issued) == len(rows)
    with demo_db.session() as s:
        notice = s.get(UrgeNotice, issued[0].notice_id)
        body = json.loads(notice.body)
        first_unit = [r for r in rows if r.unit_id == issued[0].unit_id]
        assert [t["code"] for t in body["tasks"]] == [r.code for r in first_unit]
        assert body["unit"] == first_unit[0].unit_name
        assert body["reply_by"] == CAL.add_workdays(TODAY, 5).isoformat()  # Mon 30 Nov
        recs = s.scalars(select(UrgeRecord).where(UrgeRecord.notice_id == notice.id)).all()
        assert {r.assignment_id for r in recs} == {r.assignment_id for r in first_unit}
        assert all(r.method == "app" and r.note == "请于本周报送" for r in recs)
        assert s.scalar(select(func.count()).select_from(AuditEvent)
                        .where(AuditEvent.action == "urge.issue")) == 2
        assert s.get(NoticeCounter, (2026, "urge")).last_number == 2


def test_restraint_refuses_a_second_urge_without_reason(demo_db, dispatcher):
    rows = _fresh_rows(demo_db, dispatcher, 1)
    ids = [r.assignment_id for r in rows]
    _issue(demo_db, dispatcher, ids)
    with pytest.raises(ValidationError, match="减轻基层负担") as err:
        _issue(demo_db, dispatcher, ids)
    assert "2026-11-26" in str(err.value)  # Mon 23 Nov + 3 working days
    with demo_db.session() as s:
        assert s.scalar(select(func.count()).select_from(UrgeNotice)) == 1
        assert s.get(NoticeCounter, (2026, "urge")).last_number == 1  # nothing consumed
    again = _issue(demo_db, dispatcher, ids, override_reason="市领导要求今日报送")
    assert again[0].number_text == "催办〔2026〕2号"  # gap-free after the refused attempt
    with demo_db.session() as s:
        reasons = s.scalars(select(UrgeRecord.override_reason)
                            .where(UrgeRecord.notice_id == again[0].notice_id)).all()
        assert reasons and set(reasons) == {"市领导要求今日报送"}
    # On the first free working day no reason is needed.
    assert _issue(demo_db, dispatcher, ids, today=D(2026, 11, 26))


def test_escalation_to_supervise_with_own_series_and_cc(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        save_setting(s, "supervise_after_urges", 2)
    rows = _fresh_rows(demo_db, dispatcher, 1)
    ids = [r.assignment_id for r in rows]
    first = _issue(demo_db, dispatcher, ids, today=D(2026, 11, 9))
    second = _issue(demo_db, dispatcher, ids, today=D(2026, 11, 12))
    third = _issue(demo_db, dispatcher, ids, today=D(2026, 11, 17))
    assert [n.kind for n in first + second + third] == ["urge", "urge", "supervise"]
    assert third[0].number_text == "督办〔2026〕1号"
    with demo_db.session() as s:
        body = json.loads(s.get(UrgeNotice, third[0].notice_id).body)
        assert body["kind_word"] == "督办"
        assert set(body["cc"]) == {r.leader for r in rows}
        leader = load_actor(s, "leader")
        seen = urge_inbox.list_notices(s, leader)
        assert [n.notice_id for n in seen] == [third[0].notice_id]


def test_failed_issue_rolls_back_its_number(demo_db, dispatcher):
    rows = _fresh_rows(demo_db, dispatcher, 1)
    with pytest.raises(ValidationError, match="回复期限"):
        _issue(demo_db, dispatcher, [r.assignment_id for r in rows], reply_by=D(2026, 11, 1))
    with pytest.raises(ValidationError, match="勾选"):
        _issue(demo_db, dispatcher, [])
    issued = _issue(demo_db, dispatcher, [r.assignment_id for r in rows])
    assert issued[0].number == 1


def test_numbers_stay_gap_free_and_unique_under_two_sessions(demo_db, dispatcher):
    rows = [r for r in _screen(demo_db, dispatcher) if r.urge_count == 0]
    by_unit = {}
    for r in rows:
        by_unit.setdefault(r.unit_id, r.assignment_id)
    ids = list(by_unit.values())[:8]
    assert len(ids) == 8
    errors = []

    def worker(my_ids):
        db = Database(demo_db.url)  # its own engine and connections, like a second workstation
        try:
            for aid in my_ids:
                with db.Session.begin() as s:
                    urging.issue_notices(s, dispatcher, 1, PERIOD, TODAY, [aid])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=worker, args=(ids[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    with demo_db.session() as s:
        numbers = sorted(s.scalars(select(UrgeNotice.number)
                                   .where(UrgeNotice.kind == "urge")).all())
        assert numbers == list(range(1, 9))


# --- reading, answering, phone, delivery, ledger --------------------------------------------

def test_unit_reads_and_answers_its_notice(demo_db, dispatcher):
    rows = _fresh_rows(demo_db, dispatcher, 1)
    issued = _issue(demo_db, dispatcher, [r.assignment_id for r in rows])[0]
    with demo_db.Session.begin() as s:
        reporter = load_actor(s, f"unit{issued.unit_id:03d}")
        other = load_actor(s, f"unit{issued.unit_id % 12 + 1:03d}")
        assert [n.notice_id for n in urge_inbox.list_notices(s, reporter)] == [issued.notice_id]
        assert urge_inbox.list_notices(s, other) == []
        with pytest.raises(PermissionDenied, match="本单位"):
            urge_inbox.mark_read(s, other, issued.notice_id)
        assert urge_inbox.mark_read(s, reporter, issued.notice_id) is True
        assert urge_inbox.mark_read(s, reporter, issued.notice_id) is False
        with pytest.raises(ValidationError, match="不能为空"):
            urge_inbox.answer_notice(s, reporter, issued.notice_id, "  ")
        urge_inbox.answer_notice(s, reporter, issued.notice_id, "已于今日补报，请审核")
    with demo_db.session() as s:
        row = urge_inbox.list_notices(s, dispatcher)[0]
        assert (row.state_word, row.answer) == ("已回复", "已于今日补报，请审核")
        replies = s.scalars(select(UrgeRecord.reply)
                            .where(UrgeRecord.notice_id == issued.notice_id)).all()
        assert set(replies) == {"已于今日补报，请审核"}


def test_phone_urge_is_logged_and_restrained(demo_db, dispatcher):
    row = _fresh_rows(demo_db, dispatcher, 1)[0]
    with demo_db.Session.begin() as s:
        with pytest.raises(ValidationError, match="电话"):
            urge_delivery.log_phone_urge(s, dispatcher, [row.assignment_id], TODAY, called=" ")
        urge_delivery.log_phone_urge(s, dispatcher, [row.assignment_id], TODAY,
                              called="综合科 0477-8300001", answered_by="综合科科长",
                              said="本周五前报送", note="第一次电话催办")
    with demo_db.session() as s:
        rec = s.scalars(select(UrgeRecord).where(UrgeRecord.method == "phone",
                                                 UrgeRecord.assignment_id == row.assignment_id)
                        ).one()
        assert (rec.contact, rec.reply) == ("综合科科长", "本周五前报送")
        assert rec.note == "致电 综合科 0477-8300001；第一次电话催办"
    with demo_db.Session.begin() as s:
        with pytest.raises(ValidationError, match="理由"):
            urge_delivery.log_phone_urge(s, dispatcher, [row.assignment_id], TODAY, called="综合科")


def test_failed_email_stays_undelivered_and_listed_for_retry(demo_db, dispatcher):
    rows = _fresh_rows(demo_db, dispatcher, 2)
    a, b = _issue(demo_db, dispatcher, [r.assignment_id for r in rows])
    with demo_db.Session.begin() as s:
        urge_delivery.record_email_result(s, dispatcher, a.notice_id, False, "连接被拒绝")
        urge_delivery.record_email_result(s, dispatcher, b.notice_id, True)
    with demo_db.session() as s:
        failed = urge_inbox.list_notices(s, dispatcher, failed_only=True)
        assert [(n.notice_id, n.email_error, n.delivered_at) for n in failed] == [
            (a.notice_id, "连接被拒绝", None)]
        assert s.get(UrgeNotice, b.notice_id).delivered_at is not None


def test_ledger_lists_every_urge_with_method_and_answer(demo_db, dispatcher):
    rows = _fresh_rows(demo_db, dispatcher, 1)
    issued = _issue(demo_db, dispatcher, [r.assignment_id for r in rows])[0]
    with demo_db.session() as s:
        ledger = urge_inbox.ledger_rows(s, dispatcher, 1, date_from=TODAY)
    assert [(r.code, r.notice, r.method_word, r.answered) for r in ledger] == [
        (r.code, issued.number_text, "系统内", False) for r in rows]
    with demo_db.session() as s:
        everything = urge_inbox.ledger_rows(s, dispatcher, 1)
    assert len(everything) > len(ledger)  # the demo's earlier phone and app urges
    assert everything == sorted(everything, key=lambda r: r.urged_at)


# --- why each assignment is urged; the report day ---------------------------------------------

def test_reasons_follow_the_report_and_due_state(demo_db, dispatcher):
    rows = _screen(demo_db, dispatcher)
    pending = [r for r in rows if r.report_status == "pending"]
    assert pending and all("unreported" not in r.reasons for r in pending)
    for r in rows:
        assert ("unreported" in r.reasons) == (r.report_status is None)
        assert ("returned" in r.reasons) == (r.report_status == "returned")
        assert ("overdue" in r.reasons) == (r.due_state is DueState.OVERDUE)
        if r.due_state is DueState.NEAR_DUE:
            assert r.workdays_left is not None and 0 <= r.workdays_left <= 5
            assert ("due_today" if r.workdays_left == 0 else "near_due") in r.reasons
        assert ("lagging" in r.reasons) == (r.lagging and r.due_state is not DueState.OVERDUE)
        assert r.reasons  # "other" when nothing else applies


def test_overdue_notice_over_pending_reports_states_facts_not_unreported(demo_db, dispatcher):
    rows = [r for r in _screen(demo_db, dispatcher, ["overdue"])
            if r.report_status == "pending"]
    assert rows
    unit_rows = [r for r in rows if r.unit_id == rows[0].unit_id]
    with demo_db.session() as s:
        plan, = urging.plan_notices(s, dispatcher, 1, PERIOD, TODAY,
                                    [r.assignment_id for r in unit_rows])
        settings = load_settings(s)
    snap = urging.notice_snapshot(plan, settings, PERIOD, TODAY, D(2026, 11, 30), "x")
    assert snap["report_day"] == "2026-11-25"
    assert [t["reasons"][0] for t in snap["tasks"]] == ["overdue"] * len(unit_rows)
    assert [t["days_overdue"] for t in snap["tasks"]] == [r.days_overdue for r in unit_rows]


def test_time_progress_is_rounded_up_so_lagging_reads_true():
    assert urging._pct_above(46.0) == 46
    assert urging._pct_above(40.01) == 40.1
    assert urging._pct_above(None) is None


def test_report_day_note_and_early_rows(demo_db, dispatcher):
    with demo_db.session() as s:
        due = urging.report_due(s, PERIOD)
    assert due == D(2026, 11, 25)
    assert urging.early_note(due, TODAY) == (
        "本期报送截止日为 11月25日，尚未到期：未报送的单位仍在报送期内")
    assert urging.early_note(due, due) == ""
    rows = _screen(demo_db, dispatcher)
    early = urging.early_rows(rows, due, TODAY)
    assert early and all(r.report_status is None and r.due_state not in
                         (DueState.OVERDUE, DueState.NEAR_DUE) for r in early)
    # Unreported but overdue or near due: urged now without asking.
    assert any(r.report_status is None and r.due_state is DueState.OVERDUE for r in rows)
    assert urging.early_rows(rows, due, due) == []
    with demo_db.Session.begin() as s:
        save_setting(s, "report_day", 20)
    with demo_db.session() as s:
        assert urging.report_due(s, PERIOD) == D(2026, 11, 20)
