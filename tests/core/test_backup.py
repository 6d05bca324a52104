"""SQLite backups: these work on files, so they run on SQLite only."""
import datetime as dt
import sqlite3

import pytest
from sqlalchemy import func, select

from taskboard.core import backup
from taskboard.core.backup import BackupError
from taskboard.core.db import Database
from taskboard.core.migrate import head_revision
from taskboard.core.models import Task

pytestmark = pytest.mark.sqlite_only
NOW = dt.datetime(2026, 11, 23, 9, 30, 0)


def _task_count(path) -> int:
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT count(*) FROM task").fetchone()[0]
    finally:
        conn.close()


def test_online_backup_while_a_connection_holds_the_database(demo_db):
    path = demo_db.sqlite_path
    with demo_db.session() as s:  # an open reader must not stop the copy
        n = s.scalar(select(func.count()).select_from(Task))
        made = backup.backup(path, now=NOW)
    assert made == path.parent / "backups" / "taskboard-20261123-093000.sqlite"
    assert backup.integrity_problems(made) == []
    assert _task_count(made) == n == 67
    assert backup.schema_revision(made) == head_revision()
    again = backup.backup(path, now=NOW)
    assert again.name == "taskboard-20261123-093000-2.sqlite"
    assert not list(made.parent.glob("*.partial"))


def test_daily_backup_once_a_day_and_retention(demo_db):
    path = demo_db.sqlite_path
    folder = backup.backup_dir_for(path)
    for days_ago in (40, 31, 29, 2):
        backup.backup(path, now=NOW - dt.timedelta(days=days_ago))
    assert backup.daily_backup(path, keep_days=30, now=NOW) is not None
    assert backup.daily_backup(path, keep_days=30, now=NOW + dt.timedelta(hours=3)) is None
    kept = [w for w, _ in backup.list_backups(folder)]
    assert kept == [NOW - dt.timedelta(days=29), NOW - dt.timedelta(days=2), NOW]


def test_prune_always_keeps_the_newest(tmp_path, demo_db):
    old = backup.backup(demo_db.sqlite_path, tmp_path, now=NOW - dt.timedelta(days=400))
    assert backup.prune(tmp_path, 30, NOW) == []
    assert old.exists()


def _corrupt(path):
    data = bytearray(path.read_bytes())
    # Scribble over pages past the header: the file still opens but its b-trees are broken.
    for off in range(4096 * 2, min(len(data), 4096 * 12), 97):
        data[off] = (data[off] + 91) % 256
    path.write_bytes(bytes(data))


def test_integrity_check_finds_a_damaged_file(demo_db, tmp_path):
    copy = backup.backup(demo_db.sqlite_path, tmp_path, now=NOW)
    assert backup.integrity_problems(copy) == []
    _corrupt(copy)
    problems = backup.integrity_problems(copy)
    assert problems and problems != ["ok"]
    with pytest.raises(BackupError, match="完整性检查未通过"):
        backup.check_at_start(copy)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    assert backup.integrity_problems(junk) == ["不是 SQLite 数据库文件或文件已损坏"]


def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(demo_db, tmp_path):
    path = demo_db.sqlite_path
    saved = backup.backup(path, tmp_path, now=NOW)
    with demo_db.Session.begin() as s:
        s.get(Task, 1).title = "改过的标题"
    demo_db.dispose()
    safety = backup.restore(saved, path, now=NOW + dt.timedelta(minutes=5),
                            known_revisions={head_revision()})
    assert safety is not None and "before-restore" in safety.name
    reopened = Database(f"sqlite:///{path}")
    with reopened.session() as s:
        assert s.get(Task, 1).title != "改过的标题"
    reopened.dispose()
    conn = sqlite3.connect(str(safety))
    assert conn.execute("SELECT title FROM task WHERE id=1").fetchone()[0] == "改过的标题"
    conn.close()


def test_restore_refuses_damaged_foreign_or_newer_files(demo_db, tmp_path):
    path = demo_db.sqlite_path
    before = path.read_bytes()
    bad = backup.backup(path, tmp_path, now=NOW)
    _corrupt(bad)
    with pytest.raises(BackupError, match="未通过完整性检查"):
        backup.restore(bad, path)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(str(other)).executescript("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
    with pytest.raises(BackupError, match="不是 taskboard 的数据库备份"):
        backup.restore(other, path)
    newer = backup.backup(path, tmp_path, now=NOW + dt.timedelta(seconds=1))
    conn = sqlite3.connect(str(newer))
    conn.execute("UPDATE alembic_version SET version_num='9999'")
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match="更新版本"):
        backup.restore(newer, path, known_revisions={head_revision()})
    assert path.read_bytes() == before
    assert not list((path.parent / "backups").glob("*before-restore*"))
