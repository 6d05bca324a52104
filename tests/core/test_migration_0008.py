"""Migration 0008: two columns on both backends; on PostgreSQL the enforcement objects,
which a downgrade removes again (the group roles may stay: they are the server's)."""
from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from taskboard.core.migrate import alembic_config, current_revision, head_revision


def _to(url: str, revision: str, down: bool) -> None:
    engine = create_engine(url)
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, revision)
    finally:
        engine.dispose()


def _shape(url: str) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            shape = {t: sorted(c["name"] for c in insp.get_columns(t))
                     for t in insp.get_table_names()}
            if conn.dialect.name == "sqlite":
                shape["<triggers and views>"] = conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'view')").all()
            else:
                shape["<policies>"] = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_policies").scalar()
                shape["<functions>"] = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_proc WHERE proname LIKE 'taskboard\\_%%'").scalar()
                shape["<triggers>"] = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal").scalar()
                shape["<log schema>"] = conn.exec_driver_sql(
                    "SELECT to_regnamespace('taskboard_log') IS NOT NULL").scalar()
            return shape
    finally:
        engine.dispose()


def test_0008_adds_two_columns_and_on_sqlite_nothing_else(demo_db, db_url):
    demo_db.dispose()
    at_head = _shape(db_url)
    _to(db_url, "0007_i12", down=True)
    before = _shape(db_url)
    assert current_revision(create_engine(db_url)) == "0007_i12"
    added = {t: sorted(set(cols) - set(before.get(t, []))) for t, cols in at_head.items()
             if isinstance(cols, list) and set(cols) - set(before.get(t, []))}
    assert added == {"audit_event": ["db_user"], "user_account": ["must_change_password"]}
    if db_url.startswith("sqlite"):
        assert set(at_head) == set(before)
        assert at_head["<triggers and views>"] == before["<triggers and views>"] == []
    else:
        assert before["<policies>"] == before["<functions>"] == before["<triggers>"] == 0
        assert before["<log schema>"] is False
        assert at_head["<policies>"] > 20 and at_head["<functions>"] >= 10
        assert at_head["<log schema>"] is True
    _to(db_url, "head", down=False)
    assert _shape(db_url) == at_head
    assert current_revision(create_engine(db_url)) == head_revision()
    engine = create_engine(db_url)
    with engine.connect() as conn:
        # Existing accounts need no new password on SQLite: nothing to change at sign-in.
        assert conn.execute(text("SELECT count(*) FROM user_account "
                                 "WHERE must_change_password")).scalar() == 0
    engine.dispose()
