import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from taskboard.core.db import Database, resolve_url
from taskboard.core.migrate import DatabaseTooNewError, current_revision, head_revision
from taskboard.core.models import Base, Campaign, Unit


def test_empty_database_is_migrated_to_head(db):
    assert current_revision(db.engine) == head_revision()
    assert {"task", "assignment", "report", "unit", "audit_event"} <= set(db.table_names())


def test_models_and_migrations_agree(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_reopening_an_existing_database_keeps_its_data(db_url):
    first = Database(db_url)
    with first.Session.begin() as s:
        s.add(Unit(name="东胜区", kind="district"))
    first.dispose()
    again = Database(db_url)
    with again.session() as s:
        assert s.scalars(select(Unit.name)).all() == ["东胜区"]
    assert current_revision(again.engine) == head_revision()
    again.dispose()


def test_database_from_a_newer_program_is_refused(db_url):
    first = Database(db_url)
    with first.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    first.dispose()
    with pytest.raises(DatabaseTooNewError, match="比本程序新"):
        Database(db_url)


def test_sqlite_connection_settings(db):
    if not db.is_sqlite:
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_foreign_keys_are_enforced(db):
    from taskboard.core.models import Task

    with pytest.raises(IntegrityError):
        with db.Session.begin() as s:
            s.add(Campaign(id=1, name="c", start_date=dt.date(2026, 1, 1)))
            s.flush()
            s.add(Task(campaign_id=1, code="1", title="t", start_date=dt.date(2026, 1, 1),
                       lead_unit_id=999))


def test_resolve_url_order(monkeypatch, tmp_path):
    monkeypatch.setenv("TASKBOARD_DB", "sqlite:///from-env.sqlite")
    assert resolve_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"
    assert resolve_url() == "sqlite:///from-env.sqlite"
    monkeypatch.delenv("TASKBOARD_DB")
    assert resolve_url().startswith("sqlite:///") and resolve_url().endswith("taskboard.sqlite")
    assert resolve_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
