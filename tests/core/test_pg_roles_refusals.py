"""Each role, signed in with its own login, tries every forbidden change in plain SQL.

The server must refuse each (permission denied, or a row-level security violation) or, where
row-level security hides the row, change nothing; the rows of every table and the roles of
the server must be exactly as before. The test commits after an attempt that raised no
error, so a change that slipped through would show in the comparison.
"""
from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import select

from taskboard.core import pg_roles
from taskboard.core.actor import Actor, load_actor
from taskboard.core.models import Assignment, Task, UrgeNotice
from taskboard.core.periods import Period
from taskboard.core.services import feedback
from taskboard.core.services.reports import submit_report
from taskboard.core.services.review import review_report
from tests.conftest import TODAY
from tests.pg_logins import connect, logins, pg_demo  # noqa: F401 (fixtures)

pytestmark = pytest.mark.postgresql

DENIED, NO_ROWS = "denied", "no rows"
TABLES = ("report", "assignment", "task", "audit_event", "user_account", "setting",
          "office_secret", "evidence", "feedback", "urge_notice", "urge_record",
          "notice_counter", "calendar_override", "unit", "campaign")


def _open_assignments(s, unit_id: int) -> list[int]:
    return list(s.scalars(
        select(Assignment.id).join(Task, Task.id == Assignment.task_id)
        .where(Assignment.unit_id == unit_id, Assignment.archived.is_(False),
               Assignment.closed_on.is_(None), Task.closed_on.is_(None),
               Task.deleted.is_(False)).order_by(Assignment.id)))


@pytest.fixture
def ids(pg_demo, logins):
    """The rows the attempts aim at: the reporter's own and another unit's."""
    _server, _name, database = pg_demo
    rep = logins["reporter"]
    with database.Session.begin() as s:
        me = Actor(rep.user_id, rep.username, "测试reporter", "reporter", 1)
        other = load_actor(s, "unit002")
        office = load_actor(s, "dispatcher")
        mine, mine2 = _open_assignments(s, 1)[:2]
        theirs = _open_assignments(s, 2)[0]
        nov = Period(2026, 11)
        own_pending = submit_report(s, me, mine, nov, text="本月推进顺利，完成三项工作",
                                    progress=40, today=TODAY)
        own_approved = submit_report(s, me, mine2, nov, text="已完成主要节点工作任务",
                                     progress=60, today=TODAY)
        review_report(s, office, own_approved, True)
        other_pending = submit_report(s, other, theirs, nov, text="另一单位的报送内容",
                                      progress=30, today=TODAY)
        other_feedback = feedback.write_feedback(s, office, theirs, "请补充佐证材料")
        notice = UrgeNotice(year=2026, number=900, kind="urge", unit_id=2, period="2026-11",
                            issued_by_id=office.user_id, body="{}")
        s.add(notice)
        s.flush()
        task = s.get(Assignment, mine).task_id
    return {"own_pending": own_pending, "own_approved": own_approved,
            "other_pending": other_pending, "own_assignment": mine,
            "other_assignment": theirs, "task": task, "other_feedback": other_feedback,
            "other_notice": notice.id, "me": rep.user_id, "someone": 1,
            "self": rep.username}


def snapshot(server, database: str) -> dict[str, str]:
    with psycopg.connect(host="127.0.0.1", port=server.port, user="postgres",
                         dbname=database, autocommit=True) as conn:
        out = {t: conn.execute(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY "
                               f"t::text), '')) FROM {t} t").fetchone()[0] for t in TABLES}
        out["evidence_blob"] = conn.execute(
            "SELECT md5(coalesce(string_agg(sha256 || md5(data), '|' ORDER BY sha256), '')) "
            "FROM evidence_blob").fetchone()[0]
        out["db_change"] = conn.execute(
            "SELECT count(*)::text FROM taskboard_log.db_change").fetchone()[0]
        out["roles"] = conn.execute(
            "SELECT md5(string_agg(concat_ws(',', rolname, rolsuper, rolcreaterole, "
            "rolcreatedb, rolcanlogin, rolbypassrls, rolreplication, rolpassword), '|' "
            "ORDER BY rolname)) FROM pg_authid").fetchone()[0]
        out["members"] = conn.execute(
            "SELECT md5(coalesce(string_agg(roleid::regrole || '>' || member::regrole, '|' "
            "ORDER BY 1), '')) FROM pg_auth_members").fetchone()[0]
    return out


REPORT_COLS = ("assignment_id, period, text, progress, problems, next_steps, submitted_by_id, "
               "submitted_at, on_behalf, late, status, reviewer_id, reviewed_at, "
               "review_comment, source")


def _report(assignment: str, status: str = "pending", reviewer: str = "NULL",
            comment: str = "") -> str:
    return (f"INSERT INTO report ({REPORT_COLS}) VALUES ({{{assignment}}}, '2026-11', '改写', "
            f"100, '', '', {{me}}, now(), false, false, '{status}', {reviewer}, NULL, "
            f"'{comment}', '')")


def _audit(user: str) -> str:
    return ("INSERT INTO audit_event (at, user_id, action, entity, summary, before, after) "
            f"VALUES (now(), {{{user}}}, 'report.approve', 'report', '伪造', '', '')")


# Refused for every role, admins included.
EVERYONE = [
    ("delete audit", "DELETE FROM audit_event", DENIED),
    ("edit audit", "UPDATE audit_event SET summary = '改写'", DENIED),
    ("truncate audit", "TRUNCATE audit_event", DENIED),
    ("delete db_change", "DELETE FROM taskboard_log.db_change", DENIED),
    ("edit db_change", "UPDATE taskboard_log.db_change SET db_user = 'x'", DENIED),
    ("truncate db_change", "TRUNCATE taskboard_log.db_change", DENIED),
    ("forge audit row", _audit("someone"), DENIED),
    ("read office secret", "SELECT key_hex FROM office_secret", DENIED),
    ("create a role", "CREATE ROLE tb_intruder LOGIN SUPERUSER", DENIED),
    ("create a login", "CREATE ROLE tb_intruder LOGIN", DENIED),
    ("grant itself admin", 'GRANT taskboard_admin TO "{self}"', DENIED),
    ("become superuser", 'ALTER ROLE "{self}" SUPERUSER', DENIED),
    ("get createrole", 'ALTER ROLE "{self}" CREATEROLE', DENIED),
    ("bypass rls", 'ALTER ROLE "{self}" BYPASSRLS', DENIED),
    ("set role owner", "SET ROLE postgres", DENIED),
    ("create a table", "CREATE TABLE shadow (id int)", DENIED),
    ("create a temp table", "CREATE TEMP TABLE user_account (id int)", DENIED),
    ("drop rls", "ALTER TABLE report DISABLE ROW LEVEL SECURITY", DENIED),
    ("drop a table", "DROP TABLE setting", DENIED),
    ("move a sequence", "SELECT setval('report_id_seq', 1)", DENIED),
]
NOT_ADMIN = [
    ("read password hashes", "SELECT password_hash FROM user_account", DENIED),
    ("read failed logins", "SELECT failed_logins FROM user_account", DENIED),
    ("read lockouts", "SELECT locked_until FROM user_account", DENIED),
    ("read whole accounts", "SELECT * FROM user_account", DENIED),
    ("edit settings", "UPDATE setting SET value = '99'", DENIED),
    ("add a setting", "INSERT INTO setting (key, value) VALUES ('report_day', '1')", DENIED),
    ("edit the calendar", "INSERT INTO calendar_override (day, is_workday, note) "
                          "VALUES ('2026-12-25', true, '')", DENIED),
    ("create an admin", "INSERT INTO user_account (username, display_name, role, leader_name, "
                        "limit_to_own_tasks, failed_logins, active, created_at) VALUES "
                        "('tb_boss', 'x', 'admin', '', false, 0, true, now())", DENIED),
    ("promote an account", "UPDATE user_account SET role = 'admin' WHERE id = {me}", DENIED),
    ("sync a login", "SELECT taskboard_sync_login('{self}', NULL)", DENIED),
    ("rename a login", "SELECT taskboard_rename_login('{self}', 'tb_other')", DENIED),
    ("read db_change", "SELECT * FROM taskboard_log.db_change", DENIED),
]
NOT_OFFICE = [
    ("edit a deadline", "UPDATE task SET deadline = '2030-01-01' WHERE id = {task}", DENIED),
    ("delete a task", "UPDATE task SET deleted = true WHERE id = {task}", DENIED),
    ("close out", "UPDATE assignment SET closed_on = '2026-11-20' WHERE id = {own_assignment}",
     DENIED),
    ("number a notice", "UPDATE notice_counter SET last_number = 0", DENIED),
    ("write feedback", "INSERT INTO feedback (assignment_id, body, created_at, reply, resolved) "
                       "VALUES ({own_assignment}, 'x', now(), '', false)", DENIED),
    ("delete a report", "DELETE FROM report WHERE id = {own_pending}", DENIED),
    ("approve own report", "UPDATE report SET status = 'approved' WHERE id = {own_pending}",
     DENIED),
    ("edit review columns", "UPDATE report SET reviewer_id = {me}, reviewed_at = now(), "
                            "review_comment = '同意' WHERE id = {own_pending}", DENIED),
    ("insert an approved report", _report("own_assignment", "approved"), DENIED),
]
REPORTER = [
    ("rewrite another unit's report", "UPDATE report SET text = '改写' WHERE id = "
                                      "{other_pending}", NO_ROWS),
    ("rewrite an approved report", "UPDATE report SET progress = 100 WHERE id = "
                                   "{own_approved}", NO_ROWS),
    ("report for another unit", _report("other_assignment"), DENIED),
    ("insert a reviewed report", _report("own_assignment", reviewer="{me}"), DENIED),
    ("insert a commented report", _report("own_assignment", comment="同意"), DENIED),
    ("report on behalf of another", _report("own_assignment").replace("{me}", "{someone}"),
     DENIED),
    ("move a report", "UPDATE report SET assignment_id = {other_assignment} WHERE id = "
                      "{own_pending}", DENIED),
    ("another unit's progress", "UPDATE assignment SET progress = 100 WHERE id = "
                                "{other_assignment}", NO_ROWS),
    ("evidence for another unit", "INSERT INTO evidence (report_id, filename, sha256, size, "
                                  "mime_type, created_at) VALUES ({other_pending}, 'a.pdf', "
                                  "repeat('0', 64), 1, '', now())", DENIED),
    ("a blob under a false hash", "INSERT INTO evidence_blob (sha256, data) VALUES "
                                  "(repeat('a', 64), 'x'::bytea)", DENIED),
    ("answer another unit's feedback", "UPDATE feedback SET reply = '已整改' WHERE id = "
                                       "{other_feedback}", NO_ROWS),
    ("rewrite feedback", "UPDATE feedback SET body = '改写' WHERE id = {other_feedback}",
     DENIED),
    ("answer another unit's notice", "UPDATE urge_notice SET answer = '已落实' WHERE id = "
                                     "{other_notice}", NO_ROWS),
    ("edit a notice", "UPDATE urge_notice SET body = '{{}}' WHERE id = {other_notice}", DENIED),
    # The on-time rate counts when a report was sent: not the reporter's to move.
    ("backdate own report", "UPDATE report SET submitted_at = '2026-11-01', late = false "
                            "WHERE id = {own_pending}", DENIED),
    ("insert a backdated report", _report("own_assignment").replace("now()", "'2026-11-01'"),
     DENIED),
]
LEADER = [
    ("submit a report", _report("own_assignment"), DENIED),
    ("answer feedback", "UPDATE feedback SET reply = 'x' WHERE id = {other_feedback}", DENIED),
    ("answer a notice", "UPDATE urge_notice SET answer = 'x' WHERE id = {other_notice}",
     DENIED),
    ("edit progress", "UPDATE assignment SET progress = 1 WHERE id = {own_assignment}", DENIED),
]
DISPATCHER = [
    ("reset a password", "UPDATE user_account SET password_hash = 'x' WHERE id = {someone}",
     DENIED),
    ("reactivate an account", "UPDATE user_account SET active = true", DENIED),
]
ADMIN = [
    ("sync the superuser", "SELECT taskboard_sync_login('postgres', NULL)", "raises"),
]
CASES = {"reporter": EVERYONE + NOT_ADMIN + NOT_OFFICE + REPORTER,
         "leader": EVERYONE + NOT_ADMIN + NOT_OFFICE + LEADER,
         "dispatcher": EVERYONE + NOT_ADMIN + DISPATCHER,
         "admin": EVERYONE + ADMIN}


@pytest.mark.parametrize("role", ["reporter", "leader", "dispatcher", "admin"])
def test_every_forbidden_change_is_refused_and_nothing_changes(pg_demo, logins, ids, role):
    server, name, _ = pg_demo
    login = logins[role]
    wrong = []
    for label, sql, expect in CASES[role]:
        before = snapshot(server, name)
        statement = sql.format(**ids)
        with connect(server, name, login.username, login.password) as conn:
            try:
                cur = conn.execute(statement)
                outcome = "no rows" if cur.rowcount == 0 else f"{cur.rowcount} rows"
                conn.commit()
            except errors.InsufficientPrivilege:
                outcome = DENIED
                conn.rollback()
            except psycopg.Error as exc:
                outcome = f"raises {type(exc).__name__}"
                conn.rollback()
        if not (outcome == expect or (expect == "raises" and outcome.startswith("raises"))):
            wrong.append(f"{label}: {outcome}, expected {expect}")
        if snapshot(server, name) != before:
            wrong.append(f"{label}: the data changed")
    assert wrong == []


def test_the_owner_cannot_delete_the_audit_trail_either(pg_demo, logins, ids):
    server, name, database = pg_demo
    before = snapshot(server, name)
    for sql in ("DELETE FROM audit_event", "UPDATE audit_event SET summary = ''",
                "TRUNCATE audit_event", "DELETE FROM taskboard_log.db_change"):
        with psycopg.connect(host="127.0.0.1", port=server.port, user="postgres",
                             dbname=name) as conn:
            with pytest.raises(errors.InsufficientPrivilege, match="只能追加"):
                conn.execute(sql)
    assert snapshot(server, name) == before


def test_a_reporter_does_not_see_sign_in_failures_of_others(pg_demo, logins, ids):
    server, name, database = pg_demo
    with psycopg.connect(host="127.0.0.1", port=server.port, user="postgres", dbname=name,
                         autocommit=True) as conn:
        conn.execute("INSERT INTO audit_event (at, action, entity, summary, before, after) "
                     "VALUES (now(), 'login.failed', 'user', '登录失败：用户名 Secret-pw1', "
                     "'', '')")
    rep = logins["reporter"]
    with connect(server, name, rep.username, rep.password) as conn:
        seen = conn.execute("SELECT count(*) FROM audit_event WHERE summary LIKE "
                            "'%Secret-pw1%'").fetchone()[0]
        total = conn.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    assert (seen, total > 0) == (0, True)


def test_a_login_cannot_enter_another_database_on_the_server(pg_demo, logins, pg_server):
    from tests.pg import TEMPLATE

    rep = logins["reporter"]
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        connect(pg_server, TEMPLATE, rep.username, rep.password)


def test_admin_cannot_turn_a_foreign_role_into_an_account(pg_demo, logins):
    """An account named like the superuser (or any role that is not an account's login)
    must not get its password or attributes changed by sync_login."""
    server, name, database = pg_demo
    before = snapshot(server, name)
    admin = logins["admin"]
    from taskboard.core.db import Database
    from tests.pg_logins import url

    adb = Database(url(server, name, admin.username, admin.password))
    try:
        from taskboard.core.models import User

        with adb.session() as s:
            with pytest.raises(pg_roles.LoginRoleError, match="不是本程序的账号角色"):
                with s.begin():
                    s.add(User(username="postgres", display_name="x", role="reporter",
                               unit_id=1))
                    s.flush()
                    pg_roles.sync_login(s, "postgres", "Takeover-2026")
    finally:
        adb.dispose()
    assert snapshot(server, name) == before
