"""No command creates accounts as a side effect, and --dry-run writes nothing at all: checked
by the SQLite file's hash and, on PostgreSQL, by a fingerprint of every row of every table."""
import hashlib

import pytest
from sqlalchemy import func, select, text, update

from taskboard.cli.main import main
from taskboard.core.models import Base, User
from tests.excel import workbooks as W
from tests.excel.test_report_forms import export


def fingerprint(db) -> str:
    """The SQLite file's bytes, or every row of every table in primary-key order."""
    if db.is_sqlite:
        db.dispose()  # the last connection folds the WAL into the file
        digest = hashlib.sha256(db.sqlite_path.read_bytes()).hexdigest()
        wal = db.sqlite_path.with_name(db.sqlite_path.name + "-wal")
        return digest + (f"+wal{wal.stat().st_size}" if wal.exists() and wal.stat().st_size
                         else "")
    h = hashlib.sha256()
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
            for row in conn.execute(text(f'SELECT * FROM "{table.name}" ORDER BY {order}')):
                h.update(repr(tuple(row)).encode())
        for name in ("alembic_version",):
            h.update(repr(conn.execute(text(f"SELECT * FROM {name}")).all()).encode())
    return h.hexdigest()


def _users(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(User))


def test_dry_runs_write_nothing(demo_db, sign_in_as, tmp_path, capsys):
    sign_in_as(demo_db, "dispatcher")
    plan = W.standard_plan(tmp_path / "plan.xlsx")
    [form] = export(demo_db, tmp_path / "forms")
    before = fingerprint(demo_db)
    for argv in (["import-tasks", str(plan), "--campaign", "新专项", "--create-units",
                  "--dry-run"],
                 ["urge", "--overdue", "--dry-run", "--today", "2026-11-23"],
                 ["import-report-forms", str(form.path), "--dry-run", "--today", "2026-11-23"],
                 ["stats", "--period", "2026-11"],
                 ["settings", "show"], ["calendar", "list", "--year", "2026"]):
        assert main([*argv, "--db", demo_db.url]) == 0, argv
        assert fingerprint(demo_db) == before, argv
    out = capsys.readouterr().out
    assert "未写入任何数据" in out and "演练" in out


def test_a_dry_run_with_no_active_administrator_creates_no_account(demo_db, sign_in_as,
                                                                   tmp_path, capsys):
    sign_in_as(demo_db, "dispatcher")
    with demo_db.engine.begin() as conn:
        conn.execute(update(User).where(User.role == "admin").values(active=False))
    plan = W.standard_plan(tmp_path / "plan.xlsx")
    users, before = _users(demo_db), fingerprint(demo_db)
    assert main(["import-tasks", str(plan), "--db", demo_db.url, "--campaign", "新专项",
                 "--create-units", "--dry-run"]) == 0
    assert "未写入任何数据" in capsys.readouterr().out
    assert _users(demo_db) == users and fingerprint(demo_db) == before
    with demo_db.session() as s:
        assert s.scalar(select(func.count()).select_from(User).where(
            User.password_hash.is_(None))) == 0


def test_with_the_admin_demoted_exports_and_urge_dry_run_still_work(demo_db, sign_in_as,
                                                                    tmp_path, capsys):
    sign_in_as(demo_db, "dispatcher")
    with demo_db.engine.begin() as conn:
        conn.execute(update(User).where(User.username == "admin").values(role="leader"))
    users = _users(demo_db)
    out = tmp_path / "台账.xlsx"
    assert main(["export-ledger", "--db", demo_db.url, "--period", "2026-11",
                 "-o", str(out)]) == 0
    assert main(["urge", "--db", demo_db.url, "--overdue", "--dry-run",
                 "--today", "2026-11-23"]) == 0
    assert main(["urge-ledger", "--db", demo_db.url, "--out", str(tmp_path / "催办.xlsx")]) == 0
    captured = capsys.readouterr()
    assert "IntegrityError" not in captured.err and "Traceback" not in captured.err
    assert out.exists() and _users(demo_db) == users


@pytest.mark.parametrize("argv", [
    ["stats"], ["export-ledger", "--period", "2026-11", "-o", "{tmp}/x.xlsx"],
    ["urge", "--dry-run"], ["urge-ledger", "--out", "{tmp}/u.xlsx"], ["settings", "show"],
])
def test_no_command_creates_an_account_on_a_database_without_administrator(
        db, tmp_path, capsys, argv):
    """An empty database: commands that only read run (first start), none adds a user."""
    main([a.format(tmp=tmp_path) for a in argv] + ["--db", db.url])
    assert _users(db) == 0
