"""Notice other workstations' edits cheaply: every change writes an audit event, so the
largest audit id is a change counter that one indexed query reads."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import func, select

from taskboard.core.db import Database
from taskboard.core.models import AuditEvent


class ChangeWatcher:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.last: Optional[int] = None

    def stamp(self) -> int:
        """Raises SQLAlchemy's OperationalError when the database cannot be reached."""
        with self.db.engine.connect() as conn:
            return conn.execute(select(func.max(AuditEvent.id))).scalar() or 0

    def poll(self) -> bool:
        """True when something was written since the previous poll (by anyone)."""
        now = self.stamp()
        changed = self.last is not None and now != self.last
        self.last = now
        return changed
