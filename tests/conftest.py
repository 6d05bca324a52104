"""Shared fixtures: a fresh real SQLite file per test, demo data pinned to a fixed date."""
from __future__ import annotations

import datetime as dt
import os

# Before any Qt import: tests run without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from taskboard.core.actor import load_actor
from taskboard.core.db import Database

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'taskboard.sqlite'}"


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def demo_db(db):
    from taskboard.core import demo

    with db.Session.begin() as s:
        demo.generate(s, "demo", today=TODAY)
    return db


@pytest.fixture
def dispatcher(demo_db):
    with demo_db.session() as s:
        return load_actor(s, "dispatcher")


@pytest.fixture
def ui_state(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "ui.ini"), QSettings.IniFormat)
