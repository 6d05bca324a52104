"""PostgreSQL specifics that the portable code needs now and then."""
from __future__ import annotations

from sqlalchemy import Integer, text
from sqlalchemy.orm import Session

from taskboard.core.models import Base


def sync_sequences(session: Session) -> None:
    """Move each id sequence past the largest stored id.

    Rows inserted with explicit ids (bulk demo data, restored copies) do not advance
    PostgreSQL's sequences, and the next ordinary insert would collide. SQLite needs nothing.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer) or not pk[0].autoincrement:
            continue
        col = pk[0].name
        seq = session.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                              {"t": table.name, "c": col}).scalar()
        if seq is None:
            continue
        session.execute(text(
            f'SELECT setval(:s, COALESCE((SELECT MAX("{col}") FROM "{table.name}"), 0) + 1, '
            "false)"), {"s": seq})
