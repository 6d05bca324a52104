"""Alembic migrations, run at start-up so users' data is upgraded in place."""
