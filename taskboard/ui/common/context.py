"""What every screen shares: the database, the signed-in user, the clock and change news."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtCore import QObject, QSettings, Signal

from taskboard.core.actor import Actor
from taskboard.core.db import Database


class ChangeBus(QObject):
    """Broadcasts what changed ("tasks", "reports", "units", ...); each view decides to reload.

    Widgets never call each other to refresh.
    """

    changed = Signal(object)  # frozenset[str]
    trouble = Signal(str)  # an operation failed for want of a working database connection
    # The signed-in account was deactivated or given another role: the window locks.
    accountChanged = Signal(str)

    def announce(self, *what: str) -> None:
        self.changed.emit(frozenset(what))


@dataclass
class AppContext:
    db: Database
    actor: Actor
    ui_state: QSettings
    today: Callable[[], dt.date] = dt.date.today
    changes: ChangeBus = field(default_factory=ChangeBus)
