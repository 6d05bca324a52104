"""SQLite backups: online copies at start and daily, retention, integrity checks, restore.

Copies are made with SQLite's online backup API, so they are consistent even while the
program writes. A copy is written under a temporary name and renamed when complete, so a
crash never leaves a half-written file that looks like a backup. PostgreSQL databases are
backed up with the server's own tools (pg_dump), see the README.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from pathlib import Path
from typing import Optional

from taskboard.core.errors import ServiceError

BACKUP_DIR_NAME = "backups"
DEFAULT_KEEP_DAYS = 30
_NAME = re.compile(r"^taskboard-(\d{8})-(\d{6})(?:-[\w-]+)?\.sqlite$")


class BackupError(ServiceError):
    """A backup or restore that could not be done; nothing was changed."""


def backup_dir_for(db_path: Path) -> Path:
    return Path(db_path).parent / BACKUP_DIR_NAME


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """Open a file for reading without leaving -wal/-shm files beside it.

    A read-only connection to a WAL database still creates both sidecar files and cannot
    remove them, so checking a backup would change the backup folder. With no -wal present
    there is nothing beyond the main file to read, and ``immutable`` reads just that file.
    A -wal present means a program has the database open (or crashed): its contents are
    part of the database, so it is read through a normal read-only connection.
    """
    path = Path(path).resolve()
    uri = path.as_uri()
    if Path(f"{path}-wal").exists():
        return sqlite3.connect(f"{uri}?mode=ro", uri=True)
    return sqlite3.connect(f"{uri}?immutable=1", uri=True)


def file_problem(path: Path) -> Optional[str]:
    """Why ``path`` cannot be read as a file at all (missing, a folder), or None."""
    path = Path(path)
    if path.is_dir():
        return f"这是一个文件夹，不是备份文件：{path}"
    if not path.is_file():
        return f"文件不存在：{path}"
    return None


def integrity_problems(path: Path) -> list[str]:
    """What ``PRAGMA integrity_check`` reports; empty when the file is sound."""
    path = Path(path)
    if path.is_dir():
        return [f"这是一个文件夹，不是数据库文件：{path}"]
    if not path.is_file():
        return [f"文件不存在：{path}"]
    try:
        conn = _connect_readonly(path)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return ["不是 SQLite 数据库文件或文件已损坏"]
    return [] if rows == ["ok"] else rows


def schema_revision(path: Path) -> Optional[str]:
    """The Alembic revision stored in a taskboard database file, None if it is not one."""
    try:
        conn = _connect_readonly(path)
        try:
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}
            if not {"alembic_version", "task", "user_account"} <= tables:
                return None
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _copy(src_path: Path, dest_path: Path, readonly_source: bool = False) -> None:
    src = _connect_readonly(src_path) if readonly_source else sqlite3.connect(str(src_path))
    try:
        dst = sqlite3.connect(str(dest_path))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def backup(db_path: Path, dest_dir: Optional[Path] = None, now: Optional[dt.datetime] = None,
           label: str = "") -> Path:
    """An online copy of ``db_path`` named by time, e.g. taskboard-20261123-090000.sqlite."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise BackupError(f"数据库文件不存在：{db_path}")
    dest_dir = Path(dest_dir) if dest_dir else backup_dir_for(db_path)
    if dest_dir.exists() and not dest_dir.is_dir():
        raise BackupError(f"备份位置应为文件夹，但这是一个已有的文件：{dest_dir}")
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"无法创建备份文件夹 {dest_dir}：{exc.strerror or exc}") from None
    now = now or dt.datetime.now()
    stem = f"taskboard-{now:%Y%m%d-%H%M%S}" + (f"-{label}" if label else "")
    final = dest_dir / f"{stem}.sqlite"
    n = 1
    while final.exists():
        n += 1
        final = dest_dir / f"{stem}-{n}.sqlite"
    partial = final.with_suffix(".partial")
    try:
        _copy(db_path, partial)
        os.replace(partial, final)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"备份失败：{exc}") from exc
    return final


def list_backups(dest_dir: Path) -> list[tuple[dt.datetime, Path]]:
    """Backups in ``dest_dir``, oldest first."""
    found = []
    if Path(dest_dir).is_dir():
        for p in Path(dest_dir).iterdir():
            m = _NAME.match(p.name)
            if m:
                found.append((dt.datetime.strptime(m[1] + m[2], "%Y%m%d%H%M%S"), p))
    return sorted(found)


def prune(dest_dir: Path, keep_days: int, now: Optional[dt.datetime] = None) -> list[Path]:
    """Delete backups older than ``keep_days``; the newest one is always kept."""
    now = now or dt.datetime.now()
    backups = list_backups(dest_dir)
    cutoff = now - dt.timedelta(days=max(1, keep_days))
    removed = []
    for when, path in backups[:-1]:
        if when < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def daily_backup(db_path: Path, keep_days: int = DEFAULT_KEEP_DAYS,
                 now: Optional[dt.datetime] = None, dest_dir: Optional[Path] = None,
                 force: bool = False) -> Optional[Path]:
    """Back up unless today's backup exists (or ``force``); then apply the retention."""
    now = now or dt.datetime.now()
    dest_dir = Path(dest_dir) if dest_dir else backup_dir_for(db_path)
    made = None
    if force or not any(w.date() == now.date() for w, _ in list_backups(dest_dir)):
        made = backup(db_path, dest_dir, now)
    prune(dest_dir, keep_days, now)
    return made


def check_at_start(db_path: Path) -> None:
    """Raise BackupError with advice when the database file fails its integrity check."""
    problems = integrity_problems(db_path)
    if problems:
        raise BackupError(
            "数据库完整性检查未通过，为防止数据进一步损坏，程序不会打开它。\n"
            f"文件：{db_path}\n问题：{'; '.join(problems[:5])}\n"
            f"请用 taskboard restore 从 {backup_dir_for(db_path)} 中的备份恢复。")


def restore(backup_file: Path, db_path: Path, now: Optional[dt.datetime] = None,
            known_revisions: Optional[set[str]] = None) -> Optional[Path]:
    """Replace the database's contents with ``backup_file``.

    Refuses a file that fails the integrity check or is not a taskboard database. The
    current database is backed up first; that safety copy's path is returned.
    """
    check_restorable(backup_file, db_path, known_revisions)
    backup_file, db_path = Path(backup_file), Path(db_path)
    safety = None
    if db_path.is_file():
        safety = backup(db_path, backup_dir_for(db_path), now, label="before-restore")
    try:
        _copy(backup_file, db_path, readonly_source=True)
    except sqlite3.Error as exc:
        raise BackupError(f"恢复失败（原数据库已备份到 {safety}）：{exc}") from exc
    return safety


def check_restorable(backup_file: Path, db_path: Path,
                     known_revisions: Optional[set[str]] = None) -> None:
    """Raise BackupError unless ``backup_file`` may replace ``db_path``; reads, never writes."""
    backup_file, db_path = Path(backup_file), Path(db_path)
    unreadable = file_problem(backup_file)
    if unreadable:
        raise BackupError(unreadable)
    problems = integrity_problems(backup_file)
    if problems:
        raise BackupError("备份文件未通过完整性检查，拒绝恢复："
                          f"{'; '.join(problems[:5])}")
    revision = schema_revision(backup_file)
    if revision is None:
        raise BackupError(f"{backup_file.name} 不是 taskboard 的数据库备份，拒绝恢复。")
    if known_revisions is not None and revision not in known_revisions:
        raise BackupError(f"该备份来自更新版本的 taskboard（{revision}），请先升级程序。")
    if backup_file.resolve() == db_path.resolve():
        raise BackupError("备份文件就是当前数据库本身。")
