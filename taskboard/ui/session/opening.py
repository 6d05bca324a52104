"""The database opened in a thread while the first window is already on the screen.

At province scale the integrity check of the file alone takes over two seconds, and importing
the data layer half a second more; the sign-in dialog need not wait for either: the user types
while the file is checked. Nothing in the data layer is imported on the UI thread meanwhile.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, Signal


class Opening(QObject):
    """Runs ``open_database()`` in its own thread; ``finished`` is emitted (and, connected to a
    QObject's method, delivered on that object's thread) when ``db`` or ``error`` is set.

    ``first_admin`` says whether the database still needs its first administrator.
    """

    finished = Signal()

    def __init__(self, open_database: Callable[[], Any], parent: Optional[QObject] = None
                 ) -> None:
        super().__init__(parent)
        self._open = open_database
        self.db: Any = None
        self.first_admin = False
        self.error: Optional[BaseException] = None
        self.done = False
        # Not a daemon: a schema upgrade or a check under way finishes even when the user
        # cancels at once; the process then ends after it.
        self._thread = threading.Thread(target=self._run, name="taskboard-open")

    def start(self) -> "Opening":
        self._thread.start()
        return self

    def wait(self) -> None:
        self._thread.join()

    def _run(self) -> None:
        try:
            db = self._open()
            from taskboard.core import auth

            with db.session() as s:
                self.first_admin = auth.needs_first_admin(s)
            self.db = db
        except BaseException as exc:  # noqa: BLE001 — reported on the UI thread
            self.error = exc
        self.done = True
        self.finished.emit()


__all__ = ["Opening"]
