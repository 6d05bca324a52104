import pytest
from sqlalchemy import text

from taskboard.core import audit
from taskboard.core.changes import ChangeWatcher
from taskboard.core.db import Database


def test_a_write_from_another_connection_is_noticed(db):
    watcher = ChangeWatcher(db)
    assert watcher.poll() is False  # the first poll only takes the stamp
    assert watcher.poll() is False
    other = Database(db.url)  # another workstation
    with other.Session.begin() as s:
        audit.record(s, None, "task.update", "task", 1, summary="另一台电脑修改")
    other.dispose()
    assert watcher.poll() is True
    assert watcher.poll() is False


@pytest.mark.postgresql
def test_polling_survives_a_dropped_postgresql_connection(pg_server):
    name = pg_server.create_database()
    db = Database(pg_server.url(name))
    watcher = ChangeWatcher(db)
    watcher.poll()
    other = Database(db.url)
    with other.engine.connect() as conn:
        # The server drops every other session of this database, as after a network cut.
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    with other.Session.begin() as s:
        audit.record(s, None, "task.update", "task", 1)
    other.dispose()
    assert watcher.poll() is True  # pre-ping replaced the dead connection
    db.dispose()
    pg_server.drop_database(name)
