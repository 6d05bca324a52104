"""全程留痕: every change writes who, when, what, before and after."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Optional

from sqlalchemy.orm import Session

from taskboard.core.actor import Actor, ensure_current
from taskboard.core.models import AuditEvent

# Never written to the trail, whatever a caller passes.
_SECRET_KEYS = frozenset({"password", "password_hash", "smtp_password"})


def _json(value: Optional[dict[str, Any]]) -> str:
    if not value:
        return ""
    clean = {k: v for k, v in value.items() if k not in _SECRET_KEYS}
    return json.dumps(clean, ensure_ascii=False, default=_default, sort_keys=True)


def _default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    return str(value)


def record(session: Session, actor: Optional[Actor], action: str, entity: str,
           entity_id: Optional[int] = None, *, task_id: Optional[int] = None,
           summary: str = "", before: Optional[dict[str, Any]] = None,
           after: Optional[dict[str, Any]] = None) -> AuditEvent:
    # Every write passes here: the one place to re-read who is acting (deactivated? demoted?).
    ensure_current(session, actor)
    event = AuditEvent(
        user_id=actor.user_id if actor else None, action=action, entity=entity,
        entity_id=entity_id, task_id=task_id, summary=summary,
        before=_json(before), after=_json(after),
    )
    session.add(event)
    return event
