"""Errors that services raise; every message is written for the user, in Chinese."""
from __future__ import annotations

from typing import Any, Optional


class ServiceError(Exception):
    """A refused or failed operation; ``str(e)`` is shown to the user as is."""


class ValidationError(ServiceError):
    """Bad input: a duplicate code, a deadline before the start, a percentage over 100 ..."""


class PermissionDenied(ServiceError):
    """The actor's role or unit does not allow the operation."""


class NotFound(ServiceError):
    pass


class IllegalTransition(ServiceError):
    """E.g. approving a report twice, reporting on a closed-out assignment."""


class ConflictError(ServiceError):
    """Someone else changed the record meanwhile (optimistic locking).

    ``current`` holds the stored values and ``mine`` the user's, so the UI can show what
    changed and offer reload or overwrite.
    """

    def __init__(self, message: str, current: Optional[dict[str, Any]] = None,
                 mine: Optional[dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.current = current or {}
        self.mine = mine or {}


class AccountChanged(PermissionDenied):
    """The signed-in account was deactivated, deleted or given another role meanwhile.

    Raised on the next write, which is then not stored; the window locks when it sees it.
    """
