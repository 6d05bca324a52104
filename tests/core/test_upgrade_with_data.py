"""A database filled by the first release upgrades in place, every row kept.

Batch migrations rebuild SQLite tables that others refer to (assignment, task); with foreign
keys enforced the rebuild's DROP TABLE failed with "FOREIGN KEY constraint failed" and the
office's database would not open after an update.
"""
from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from taskboard.core.db import Database
from taskboard.core.migrate import alembic_config, current_revision, head_revision

COUNTED = ("campaign", "unit", "task", "assignment", "report", "audit_event", "urge_notice")


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                    for t in COUNTED}
    finally:
        engine.dispose()


def _back_to_first_release(url: str) -> None:
    # Plain engine: foreign keys off, as SQLite's rebuild procedure needs for the downgrade.
    engine = create_engine(url)
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001")
    finally:
        engine.dispose()


def test_a_first_release_database_with_data_upgrades_keeping_every_row(demo_db, db_url):
    before = _counts(db_url)
    assert before["report"] > 100 and before["assignment"] > 100
    demo_db.dispose()
    _back_to_first_release(db_url)
    assert current_revision(create_engine(db_url)) == "0001"

    upgraded = Database(db_url)
    try:
        assert current_revision(upgraded.engine) == head_revision()
        assert _counts(db_url) == before
        with upgraded.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
                # Enforcement is back on for the program's own connections.
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert conn.execute(text(
                "SELECT count(*) FROM assignment WHERE supporting")).scalar_one() == 0
            assert conn.execute(text(
                "SELECT count(*) FROM task WHERE recurrence <> ''")).scalar_one() == 0
    finally:
        upgraded.dispose()
