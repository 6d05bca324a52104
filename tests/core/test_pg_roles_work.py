"""Each role's legitimate work through the program's services still succeeds when the
program is connected with that role's own login, and direct changes land in db_change."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest
from sqlalchemy import select, text

from taskboard.core import office_secret, pg_roles
from taskboard.core.board import load_board
from taskboard.core.dashboard import kpis
from taskboard.core.history_cache import HistoryCache
from taskboard.core.models import (Assignment, AuditEvent, Evidence, Feedback, Report, Task,
                                   UrgeNotice, UrgeRecord)
from taskboard.core.periods import Period
from taskboard.core.services import closeout, feedback, urge_inbox, urging
from taskboard.core.services.reports import submit_report
from taskboard.core.services.review import review_report
from taskboard.core.settings import load_calendar
from tests.conftest import TODAY
from tests.pg_logins import account_db, logins, pg_demo  # noqa: F401 (fixtures)

pytestmark = pytest.mark.postgresql
NOV = Period(2026, 11)


@pytest.fixture
def as_role(pg_demo, logins):
    """``as_role("reporter")`` → (Database connected as that login, its Actor)."""
    opened = []

    def open_as(role: str):
        database = account_db(pg_demo, logins[role])
        opened.append(database)
        with database.session() as s:
            assert pg_roles.connection_kind(s) == "account"
            return database, pg_roles.account_actor(s)
    yield open_as
    for database in opened:
        database.dispose()


def _open_assignment(s, unit_id: int) -> int:
    return s.scalars(
        select(Assignment.id).join(Task, Task.id == Assignment.task_id)
        .where(Assignment.unit_id == unit_id, Assignment.archived.is_(False),
               Assignment.closed_on.is_(None), Task.closed_on.is_(None),
               Task.deleted.is_(False)).order_by(Assignment.id)).first()


def test_reporter_submits_with_evidence_answers_feedback_and_an_urge(pg_demo, as_role,
                                                                   tmp_path):
    _server, _name, owner = pg_demo
    office_db, office = as_role("dispatcher")
    rep_db, rep = as_role("reporter")
    with office_db.Session.begin() as s:
        aid = _open_assignment(s, 1)
        fb_id = feedback.write_feedback(s, office, aid, "请补充本月佐证材料")
        notices = urging.issue_notices(s, office, 1, NOV, TODAY, [aid])
    file = tmp_path / "会议纪要.pdf"
    file.write_bytes(b"%PDF-1.4 minutes of the meeting")
    with rep_db.Session.begin() as s:
        rid = submit_report(s, rep, aid, NOV, text="召开专题会议，推进三项工作", progress=55,
                            evidence=[file], today=TODAY)
        submit_report(s, rep, aid, NOV, text="召开专题会议，推进四项工作", progress=60,
                      today=TODAY)  # revising the pending report in place
        feedback.reply_feedback(s, rep, fb_id, "已补充会议纪要")
        urge_inbox.mark_read(s, rep, notices[0].notice_id)
        urge_inbox.answer_notice(s, rep, notices[0].notice_id, "已按期报送")
    with owner.session() as s:
        report = s.get(Report, rid)
        assert (report.status, report.progress, report.text, report.submitted_by_id) == (
            "pending", 60, "召开专题会议，推进四项工作", rep.user_id)
        assert s.scalars(select(Evidence.filename).where(Evidence.report_id == rid)).all() == [
            "会议纪要.pdf"]
        assert s.get(Assignment, aid).progress == 60
        assert s.get(Feedback, fb_id).reply == "已补充会议纪要"
        notice = s.get(UrgeNotice, notices[0].notice_id)
        assert (notice.answer, notice.read_at is not None) == ("已按期报送", True)
        assert s.scalars(select(UrgeRecord.reply).where(
            UrgeRecord.notice_id == notice.id)).all() == ["已按期报送"]
        mine = s.execute(select(AuditEvent.action, AuditEvent.db_user)
                         .where(AuditEvent.user_id == rep.user_id)
                         .order_by(AuditEvent.id)).all()
    assert [a for a, _ in mine] == ["report.submit", "report.revise", "feedback.reply",
                                    "urge.read", "urge.answer"]
    assert {u for _, u in mine} == {rep.username}


def test_dispatcher_reviews_closes_out_sends_feedback_and_numbers_notices(pg_demo, as_role):
    _server, _name, owner = pg_demo
    rep_db, rep = as_role("reporter")
    office_db, office = as_role("dispatcher")
    with rep_db.Session.begin() as s:
        first, second = s.scalars(
            select(Assignment.id).join(Task, Task.id == Assignment.task_id)
            .where(Assignment.unit_id == 1, Assignment.archived.is_(False),
                   Assignment.closed_on.is_(None), Task.closed_on.is_(None),
                   Task.deleted.is_(False)).order_by(Assignment.id).limit(2)).all()
        r1 = submit_report(s, rep, first, NOV, text="完成年度目标的六成", progress=60, today=TODAY)
        r2 = submit_report(s, rep, second, NOV, text="进度滞后，正在追赶", progress=20,
                           today=TODAY)
    with office_db.Session.begin() as s:
        review_report(s, office, r1, True)
        review_report(s, office, r2, False, "请说明滞后原因")
        closeout.close_assignment(s, office, first, "点对点解决", TODAY, "已完成",
                                  today=TODAY)
        fb = feedback.write_feedback(s, office, second, "请于周五前说明情况")
        issued = urging.issue_notices(s, office, 1, NOV, TODAY, [second])
    with owner.session() as s:
        assert (s.get(Report, r1).status, s.get(Report, r2).status) == ("approved", "returned")
        assert s.get(Report, r2).reviewer_id == office.user_id
        assert s.get(Assignment, first).closed_on == TODAY
        assert s.get(Feedback, fb).author_id == office.user_id
        assert issued[0].number_text.startswith("催办〔2026〕")
        assert s.get(UrgeNotice, issued[0].notice_id).number == issued[0].number


def test_leader_reads_the_board_the_figures_and_the_history(pg_demo, as_role):
    _server, _name, owner = pg_demo
    lead_db, _leader = as_role("leader")
    with owner.session() as s:
        expected = kpis(load_board(s, 1, NOV, TODAY, load_calendar(s)))
    with lead_db.session() as s:
        board = load_board(s, 1, NOV, TODAY, load_calendar(s))
        history = HistoryCache().load(s, 1, NOV, TODAY, load_calendar(s))
    assert kpis(board) == expected
    assert history is not None


def test_office_stamp_signed_by_the_server_equals_the_program_hmac(pg_demo, as_role):
    _server, _name, owner = pg_demo
    payload = "东胜区|2026-11|1,2,3".encode()
    with owner.session() as s:
        key = bytes.fromhex(s.scalar(text("SELECT key_hex FROM office_secret WHERE id = 1")))
        assert office_secret._signed_by_server(s) is False
        by_owner = office_secret.sign(s, payload)
    assert by_owner == hmac.new(key, payload, hashlib.sha256).hexdigest()
    for role in ("reporter", "leader", "dispatcher", "admin"):
        database, _actor = as_role(role)
        with database.session() as s:
            assert office_secret._signed_by_server(s) is True
            assert office_secret.sign(s, payload) == by_owner
            assert office_secret.verify(s, payload, by_owner.upper())
            assert not office_secret.verify(s, payload + b"x", by_owner)


def test_a_reporters_direct_sql_change_lands_in_db_change_with_its_name(pg_demo, as_role):
    _server, _name, owner = pg_demo
    rep_db, rep = as_role("reporter")
    with rep_db.Session.begin() as s:
        aid = _open_assignment(s, 1)
        rid = submit_report(s, rep, aid, NOV, text="本月推进顺利", progress=30, today=TODAY)
    with rep_db.engine.begin() as conn:  # not through the program: no audit event
        conn.execute(text("UPDATE report SET problems = '资金未到位' WHERE id = :i"), {"i": rid})
    with owner.session() as s:
        rows = s.execute(text(
            "SELECT db_user, op, columns, before, after FROM taskboard_log.db_change "
            "WHERE table_name = 'report' AND (row_id = :i OR :i = ANY(row_ids)) ORDER BY id"),
            {"i": str(rid)}).all()
    assert [(r.db_user, r.op) for r in rows] == [(rep.username, "INSERT"),
                                                 (rep.username, "UPDATE")]
    assert rows[1].columns == ["problems"]
    assert (rows[1].before, rows[1].after) == ({"problems": ""}, {"problems": "资金未到位"})


def test_db_change_never_copies_password_hashes(pg_demo):
    _server, _name, owner = pg_demo
    with owner.engine.begin() as conn:
        conn.execute(text("UPDATE user_account SET password_hash = 'scrypt$secret', "
                          "display_name = '新名' WHERE id = 2"))
    with owner.session() as s:
        row = s.execute(text("SELECT columns, before, after FROM taskboard_log.db_change "
                             "WHERE table_name = 'user_account' ORDER BY id DESC LIMIT 1")).one()
    assert row.columns == ["display_name", "password_hash"]
    assert set(row.before) == set(row.after) == {"display_name"}


def test_one_time_passwords_for_accounts_without_a_login(pg_demo, as_role):
    from tests.pg_logins import connect

    server, name, owner = pg_demo
    admin_db, admin = as_role("admin")
    with owner.session() as s:
        waiting = pg_roles.accounts_without_login(s)
    assert waiting and all(u.startswith(("admin", "dispatcher", "leader", "unit"))
                           for u in waiting)
    with admin_db.Session.begin() as s:
        given = pg_roles.issue_one_time_passwords(s, admin)
    owner.made_logins.extend(given)
    assert sorted(given) == sorted(waiting)
    with owner.session() as s:
        assert pg_roles.accounts_without_login(s) == []
        assert pg_roles.must_change_password(s, waiting[0])
    username = next(u for u in waiting if u.startswith("unit"))
    with connect(server, name, username, given[username]) as conn:
        assert conn.execute("SELECT taskboard_account_unit()").fetchone()[0] is not None


def test_dispatcher_merges_a_unit_and_its_reporters_follow(pg_demo, as_role):
    """The one account change a dispatcher makes: a merged unit's reporters move along."""
    from taskboard.core.models import User
    from taskboard.core.services import units

    _server, _name, owner = pg_demo
    office_db, office = as_role("dispatcher")
    with office_db.Session.begin() as s:
        units.retire_unit(s, office, 10, 11, today=TODAY)
    with owner.session() as s:
        assert s.scalar(select(User.unit_id).where(User.username == "unit010")) == 11


def _plan(server, name: str, login, sql: str) -> str:
    import psycopg

    from tests.pg_logins import connect

    if login is None:
        conn = psycopg.connect(host="127.0.0.1", port=server.port, user="postgres",
                               dbname=name)
    else:
        conn = connect(server, name, login.username, login.password)
    with conn:
        return "\n".join(r[0] for r in conn.execute(f"EXPLAIN (COSTS OFF) {sql}"))


def test_row_security_leaves_board_reads_alone_and_checks_writes_once(pg_demo, logins):
    """Reading, a reporter's plans are the owner's (the read policy is plain true); writing,
    the account's unit is looked up once per statement (an InitPlan) and its assignments
    hashed once, not queried per row."""
    server, name, _owner = pg_demo
    board = ("SELECT r.assignment_id, r.progress FROM report r JOIN assignment a "
             "ON a.id = r.assignment_id WHERE r.period <= '2026-11' AND r.status <> 'returned'")
    assert _plan(server, name, logins["reporter"], board) == _plan(server, name, None, board)
    write = _plan(server, name, logins["reporter"],
                  "UPDATE report SET text = text WHERE period = '2026-11'")
    assert "InitPlan" in write and "hashed SubPlan" in write
