"""What every command shares: errors that exit 2, opening databases, the throwaway demo."""
from __future__ import annotations

import argparse
import atexit
import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Optional

from sqlalchemy import select

from taskboard.core.actor import Actor
from taskboard.core.db import Database, DatabaseError, open_database
from taskboard.core.models import User
from taskboard.core.periods import Period


class CliError(Exception):
    """A failure to report on stderr with exit status 2."""


def period_arg(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def open_db(url: Optional[str], must_exist: bool = True) -> Database:
    """Open a database for a command; a SQLite file that is not there is refused.

    Only the commands that create databases on purpose (the window's first start, ``demo``)
    pass ``must_exist=False``: for everything else a mistyped path is an error, not a new,
    empty database.
    """
    try:
        return open_database(url, must_exist=must_exist)
    except DatabaseError as exc:
        raise CliError(str(exc)) from None


_DEMO_FOLDERS: list[tuple[Path, Database]] = []


def remove_demo_folders() -> None:
    """Delete the throwaway demo databases; run at exit, after the window (if any) closed."""
    while _DEMO_FOLDERS:
        folder, db = _DEMO_FOLDERS.pop()
        db.dispose()
        shutil.rmtree(folder, ignore_errors=True)


atexit.register(remove_demo_folders)


def open_demo_db(scale: str = "demo", today: Optional[dt.date] = None) -> Database:
    from taskboard.core import demo

    folder = Path(tempfile.mkdtemp(prefix="taskboard-demo-"))
    db = Database(f"sqlite:///{folder / 'demo.sqlite'}")
    _DEMO_FOLDERS.append((folder, db))
    with db.Session.begin() as s:
        demo.generate(s, scale, today=today or dt.date.today())
    return db


def first_admin(db: Database) -> Actor:
    """Until sign-in exists, a database is opened as its first administrator."""
    with db.Session.begin() as s:
        user = s.scalars(select(User).where(User.role == "admin", User.active.is_(True))
                         .order_by(User.id)).first()
        if user is None:
            user = User(username="admin", display_name="系统管理员", role="admin")
            s.add(user)
            s.flush()
        return Actor.from_user(user)
