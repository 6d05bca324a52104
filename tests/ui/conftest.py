"""Fixtures shared by the window tests (a test module's own fixture of the same name wins)."""
import pytest
from PySide6.QtWidgets import QMessageBox

from taskboard.ui.app import ensure_app
from taskboard.ui.common.context import AppContext
from tests.conftest import TODAY


@pytest.fixture
def ctx(demo_db, dispatcher, ui_state):
    ensure_app()
    return AppContext(db=demo_db, actor=dispatcher, ui_state=ui_state, today=lambda: TODAY)


@pytest.fixture
def warnings(monkeypatch):
    """The texts of the warnings the code under test shows, instead of modal boxes."""
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: seen.append(a[2]))
    return seen
