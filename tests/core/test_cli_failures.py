"""Every failure a command can meet ends with a Chinese message and exit 2, never a
traceback, and stores nothing: a connection lost mid-import (what a server crash or restart
does), a locked database, a full disk under the database or under an export, a bug."""
import errno
import sqlite3

import pytest
from sqlalchemy import func, select, text

from taskboard.cli.main import main
from taskboard.core import atomic
from taskboard.core import db as core_db
from taskboard.core.models import Task
from tests.excel import workbooks as W


@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""


def _tasks(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Task))


def _import(db, tmp_path):
    plan = W.standard_plan(tmp_path / "plan.xlsx")
    return main(["import-tasks", str(plan), "--db", db.url, "--campaign", "新专项",
                 "--create-units"])


def _clean(err: str) -> None:
    assert err.startswith("taskboard: 错误：") and "Traceback" not in err
    assert "sqlalchemy" not in err.lower() and "psycopg" not in err.lower()


@pytest.fixture
def pg_demo(pg_server, sign_in_as):
    from taskboard.core.db import Database
    from tests.pg import DEMO_TEMPLATE

    name = pg_server.create_database(DEMO_TEMPLATE)
    database = Database(pg_server.url(name))
    sign_in_as(database)
    yield database
    database.dispose()
    pg_server.drop_database(name)


@pytest.mark.postgresql
def test_the_postgresql_server_going_away_mid_import(pg_demo, tmp_path, capsys, monkeypatch):
    from taskboard.excel import task_import

    demo_db = pg_demo

    real = task_import.apply_import

    def crash_then_apply(session, *args, **kwargs):
        # What a crashed or restarted server does to the connection: the backend is gone.
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
        with demo_db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            other.commit()
        return real(session, *args, **kwargs)
    monkeypatch.setattr(task_import, "apply_import", crash_then_apply)
    before = _tasks(demo_db)
    assert _import(demo_db, tmp_path) == 2
    err = capsys.readouterr().err
    _clean(err)
    assert "与数据库服务器的连接中断" in err and "没有保存任何改动" in err
    assert _tasks(demo_db) == before


@pytest.mark.sqlite_only
def test_a_locked_database(demo_db, capsys, monkeypatch):
    monkeypatch.setattr(core_db, "SQLITE_BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(demo_db.sqlite_path, timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # another program writing and not letting go
    try:
        assert main(["settings", "set", "report_day", "20", "--db", demo_db.url]) == 2
    finally:
        holder.rollback()
        holder.close()
    err = capsys.readouterr().err
    _clean(err)
    assert "数据库正被其他程序锁定" in err and "请稍后重试" in err


def _big_plan(path):
    """Enough tasks that the database must grow to take them."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "重点任务", "牵头单位", "责任单位", "完成时限"])
    for i in range(1, 301):
        ws.append([i, f"第{i}项重点任务：" + "优化营商环境，提升政务服务效能。" * 8, "东胜区",
                   "东胜区", "2026年12月底前"])
    wb.save(path)
    return path


@pytest.mark.sqlite_only
def test_a_full_disk_under_the_database(demo_db, tmp_path, capsys, monkeypatch):
    with demo_db.engine.connect() as conn:  # no free pages left to fill
        conn.exec_driver_sql("VACUUM")
    demo_db.dispose()
    real = core_db._on_sqlite_connect

    def no_room(dbapi_conn, record):
        real(dbapi_conn, record)
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLITE_FULL on growth
    monkeypatch.setattr(core_db, "_on_sqlite_connect", no_room)
    before = _tasks(demo_db)
    plan = _big_plan(tmp_path / "plan.xlsx")
    assert main(["import-tasks", str(plan), "--db", demo_db.url, "--campaign", "新专项"]) == 2
    err = capsys.readouterr().err
    _clean(err)
    assert "磁盘空间已满" in err
    monkeypatch.undo()
    assert _tasks(demo_db) == before


def test_a_full_disk_under_an_export(demo_db, tmp_path, capsys, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(atomic.os, "fsync", full)
    out = tmp_path / "台账.xlsx"
    assert main(["export-ledger", "--period", "2026-11", "-o", str(out),
                 "--db", demo_db.url]) == 2
    err = capsys.readouterr().err
    _clean(err)
    assert "磁盘空间已满" in err and not out.exists()


def test_an_unexpected_error_is_still_chinese_and_exit_2(demo_db, capsys, monkeypatch):
    from taskboard.cli import board

    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(board, "load_board", broken)
    assert main(["stats", "--db", demo_db.url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("taskboard: 错误：程序内部错误（RuntimeError：boom）") and "Traceback" not in err
    monkeypatch.setenv("TASKBOARD_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(["stats", "--db", demo_db.url])


def test_the_failure_words(capsys):
    from sqlalchemy.exc import OperationalError

    from taskboard.cli.failures import explain_failure

    def op(message):
        return OperationalError("INSERT", {}, Exception(message))
    assert "连接中断" in explain_failure(op("server closed the connection unexpectedly"))
    assert "连接中断" in explain_failure(op(
        "terminating connection due to administrator command"))
    assert "锁定" in explain_failure(op("database is locked"))
    assert "磁盘空间已满" in explain_failure(op("database or disk is full"))
    assert "磁盘空间已满" in explain_failure(OSError(errno.ENOSPC, "No space left", "x.xlsx"))
    assert explain_failure(SystemExit(2)) is None
