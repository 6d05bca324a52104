"""Issue 16, item 9: 电话催办… with many ticked items, and 通知单模板 where a dispatcher looks."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from taskboard.ui.app import ensure_app, make_window
from tests.conftest import TODAY
from tests.ui.loading import settle

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def window(qtbot, demo_db, dispatcher, ui_state, monkeypatch):
    ensure_app()
    seen = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: seen.append(a[2]))
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    w.messages = seen
    qtbot.addWidget(w)
    w.show()
    w.tabs.setCurrentWidget(w.urge_actions.view)
    settle(qtbot)  # the screening loads in a worker
    return w


def test_phone_urge_enabled_with_many_units_ticked_and_asks_which(qtbot, window, monkeypatch):
    view = window.urge_actions.view
    assert not view.phone_button.isEnabled()
    assert view.phone_button.toolTip() == "先在上方勾选要电话催办的任务"
    qtbot.mouseClick(view.check_all, Qt.LeftButton)
    rows = view.model.checked_rows()
    units = list(dict.fromkeys(r.unit_name for r in rows))
    assert len(rows) >= 12 and len(units) > 1
    assert view.phone_button.isEnabled()
    assert "选择先致电哪个单位" in view.phone_button.toolTip()
    asked = []

    def pick(parent, title, label, items, *a, **k):
        asked.append((label, list(items)))
        return items[1], True
    monkeypatch.setattr(QInputDialog, "getItem", pick)
    qtbot.mouseClick(view.phone_button, Qt.LeftButton)
    assert asked and asked[0][1] == units and f"已勾选 {len(units)} 个单位" in asked[0][0]
    dialog = window.urge_actions.dialog
    assert dialog.windowTitle() == f"电话催办 · {units[1]}"
    assert window.messages == []


def test_template_is_on_the_urge_tab_and_menu_for_a_dispatcher(qtbot, window):
    titles = [a.text() for a in window.menus["urge"].actions()]
    assert "通知单模板…" in titles
    view = window.urge_actions.view
    assert view.template_button.isVisibleTo(window)
    qtbot.mouseClick(view.template_button, Qt.LeftButton)
    dialog = window.urge_actions.dialog
    assert dialog.windowTitle() == "通知单模板（只读）"
    assert dialog.text.isReadOnly() and "催办" in dialog.text.toPlainText()
    assert "需要管理员权限" in dialog.note.text()
