"""The office secret: an HMAC key kept in the database, never exported or shown.

It signs the identity stamp of each report form, so that a form cannot be edited to claim
another unit, period or task list: anyone can recompute a plain hash, nobody without the
database can recompute an HMAC.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from taskboard.core.models import OfficeSecret


def office_key(session: Session) -> bytes:
    """The key; made here only if the row was lost (the first-start migration makes it)."""
    key = session.scalar(select(OfficeSecret.key_hex).where(OfficeSecret.id == 1))
    if key is None:
        # In its own transaction: the caller may only be reading, and a form signed with a
        # key that was never committed could never be imported.
        with session.get_bind().engine.begin() as conn:
            try:
                conn.execute(OfficeSecret.__table__.insert().values(
                    id=1, key_hex=secrets.token_hex(32)))
            except IntegrityError:  # another workstation made it first
                pass
        key = session.scalar(select(OfficeSecret.key_hex).where(OfficeSecret.id == 1)
                             .execution_options(populate_existing=True))
    return bytes.fromhex(key)


def _signed_by_server(session: Session) -> bool:
    """On PostgreSQL with the roles enforced, only the schema owner reads the key; an
    account's connection has the server sign (taskboard_office_sign, the same HMAC)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    return bool(session.scalar(text(
        "SELECT to_regprocedure('taskboard_office_sign(bytea)') IS NOT NULL "
        "AND NOT has_table_privilege('office_secret', 'SELECT')")))


def sign(session: Session, payload: bytes) -> str:
    if _signed_by_server(session):
        return session.scalar(text("SELECT taskboard_office_sign(:p)"), {"p": payload})
    return hmac.new(office_key(session), payload, hashlib.sha256).hexdigest()


def verify(session: Session, payload: bytes, signature: object) -> bool:
    if not isinstance(signature, str):
        return False
    return hmac.compare_digest(sign(session, payload), signature.strip().lower())
