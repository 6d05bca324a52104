"""The connection dialog, 文件 → 连接其他数据库…, ``taskboard --connect`` and the child process."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from sqlalchemy.engine import make_url

from taskboard.cli import main as cli
from taskboard.core import connections
from taskboard.core.connections import ServerEntry, ServerStore
from taskboard.ui.session import connection_actions
from taskboard.ui.app import ensure_app, make_window
from taskboard.ui.session.connection_dialog import ConnectionDialog
from taskboard.ui.session.server_edit_dialog import ServerEditDialog
from tests import pg_roles
from tests.ui.loading import settle
from tests.conftest import TODAY
from tests.ui.typing_helpers import type_text

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def role(pg_server):
    return pg_roles.password_role(pg_server)


@pytest.fixture
def store(tmp_path):
    return tmp_path / "config" / "servers.json"


def _dialog(qtbot, store, **kw):
    ensure_app()
    d = ConnectionDialog(store_path=store, **kw)
    qtbot.addWidget(d)
    d.show()
    return d


def _fill_server_dialog(qtbot, values: dict):
    """Stands in for ServerEditDialog.exec: types into the real dialog and presses 确定."""
    def fake_exec(dialog):
        qtbot.addWidget(dialog)
        dialog.show()
        for field, text in values.items():
            widget = getattr(dialog, field)
            if field == "port":
                widget.setValue(int(text))
            elif field == "sslmode":
                widget.setCurrentIndex(widget.findData(text))
            else:
                widget.clear()
                type_text(widget, text)
        qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
        return dialog.result()
    return fake_exec


def test_add_a_server_then_test_it_with_a_wrong_and_the_right_password(
        qtbot, store, role, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", "/home/dispatcher/.local/share")
    d = _dialog(qtbot, store)
    assert d.local.isChecked() and d.servers.count() == 0
    monkeypatch.setattr(ServerEditDialog, "exec", _fill_server_dialog(qtbot, {
        "name": "市政务服务局服务器", "host": role.host, "port": role.port,
        "database": role.database, "user": role.user, "sslmode": "disable"}))
    qtbot.mouseClick(d.add_button, Qt.LeftButton)
    assert d.server.isChecked() and d.servers.count() == 1
    assert d.selected_server() == ServerEntry("市政务服务局服务器", role.host, role.port,
                                              role.database, role.user, "disable")
    saved = json.loads(store.read_text(encoding="utf-8"))
    assert saved["servers"][0]["user"] == role.user and "password" not in store.read_text()

    type_text(d.password_edit, "wrong")
    qtbot.mouseClick(d.test_button, Qt.LeftButton)
    assert d.status.text().startswith("用户名或密码错误：服务器 127.0.0.1:")
    if os.environ.get("TASKBOARD_SHOTS"):
        d.grab().save(str(SHOTS / "connection_dialog_wrong_password.png"))
    qtbot.mouseClick(d.connect_button, Qt.LeftButton)  # refused too, and the dialog stays
    assert d.isVisible() and d.database is None

    d.password_edit.clear()
    type_text(d.password_edit, role.password)
    qtbot.mouseClick(d.test_button, Qt.LeftButton)
    assert d.status.text().startswith("连接成功：PostgreSQL ")
    assert role.password not in store.read_text(encoding="utf-8")


def test_an_existing_taskboard_database_on_the_server(qtbot, store, pg_server, monkeypatch):
    from tests.pg import DEMO_TEMPLATE, SUPERUSER

    # A neutral home folder in the screenshot instead of this machine's.
    monkeypatch.setenv("XDG_DATA_HOME", "/home/dispatcher/.local/share")
    connections.save_store(ServerStore([
        ServerEntry("市政务服务局（主服务器）", "127.0.0.1", pg_server.port, DEMO_TEMPLATE,
                    SUPERUSER, "disable"),
        ServerEntry("市数据局（备用服务器）", "10.10.1.20", 5432, "taskboard", "dispatch",
                    "require")], {"kind": "server", "name": "市政务服务局（主服务器）"}), store)
    d = _dialog(qtbot, store)
    assert d.server.isChecked() and d.servers.currentRow() == 0
    type_text(d.password_edit, "********")
    qtbot.mouseClick(d.test_button, Qt.LeftButton)
    assert d.status.text().startswith("连接成功：PostgreSQL ")
    assert "这是 taskboard 数据库，版本与本程序一致" in d.status.text()
    if os.environ.get("TASKBOARD_SHOTS"):
        d.grab().save(str(SHOTS / "connection_dialog.png"))


def test_connecting_opens_the_database_and_remembers_the_choice(qtbot, store, role, pg_server):
    name = pg_roles.fresh_database(pg_server, role, f"tb dialog {os.getpid()}")
    try:
        entry = ServerEntry("区数据局", role.host, role.port, name, role.user, "disable")
        connections.save_store(ServerStore([ServerEntry("另一台", "10.9.9.9", user="u"), entry]),
                               store)
        d = _dialog(qtbot, store)
        assert d.local.isChecked()  # nothing used yet
        d.server.setChecked(True)
        d.servers.setCurrentRow(1)
        type_text(d.password_edit, role.password)
        with qtbot.waitSignal(d.accepted, timeout=20_000):
            qtbot.mouseClick(d.connect_button, Qt.LeftButton)
        assert "task" in d.database.table_names()  # the empty database got the schema
        d.database.dispose()
        assert d.password == role.password
        assert role.password not in d.url
        assert make_url(d.url).database == name and make_url(d.url).password is None
        assert connections.load_store(store).last == {"kind": "server", "name": "区数据局"}
        again = _dialog(qtbot, store)
        assert again.server.isChecked() and again.selected_server() == entry
        assert again.password_edit.text() == ""  # asked again every time
    finally:
        pg_roles.drop(pg_server, name)


def test_edit_and_remove_servers(qtbot, store, monkeypatch):
    first = ServerEntry("甲", "10.0.0.1", user="u")
    connections.save_store(ServerStore([first, ServerEntry("乙", "10.0.0.2", user="u")],
                                       {"kind": "server", "name": "甲"}), store)
    d = _dialog(qtbot, store)
    assert d.selected_server() == first
    monkeypatch.setattr(ServerEditDialog, "exec", _fill_server_dialog(qtbot, {"name": "乙"}))
    qtbot.mouseClick(d.edit_button, Qt.LeftButton)  # a duplicate name: refused, not saved
    assert [s.name for s in connections.load_store(store).servers] == ["甲", "乙"]
    monkeypatch.setattr(ServerEditDialog, "exec", _fill_server_dialog(qtbot, {
        "name": "甲（新）", "port": 6543}))
    qtbot.mouseClick(d.edit_button, Qt.LeftButton)
    saved = connections.load_store(store)
    assert [(s.name, s.port) for s in saved.servers] == [("甲（新）", 6543), ("乙", 5432)]
    assert saved.last == {"kind": "server", "name": "甲（新）"}
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    qtbot.mouseClick(d.remove_button, Qt.LeftButton)
    saved = connections.load_store(store)
    assert [s.name for s in saved.servers] == ["乙"] and saved.last is None
    assert d.servers.count() == 1


def test_the_server_form_says_what_is_missing(qtbot):
    ensure_app()
    d = ServerEditDialog(None, (ServerEntry("甲", "h", user="u"),))
    qtbot.addWidget(d)
    d.show()
    type_text(d.name, "甲")
    qtbot.mouseClick(d.ok_button, Qt.LeftButton)
    assert d.error.text() == "已有名为“甲”的服务器，请换一个名称。" and d.entry is None
    d.name.clear()
    type_text(d.name, "乙")
    qtbot.mouseClick(d.ok_button, Qt.LeftButton)
    assert d.error.text().startswith("请填写服务器地址")
    type_text(d.host, "db.lan")
    d.database.clear()
    qtbot.mouseClick(d.ok_button, Qt.LeftButton)
    assert d.error.text() == "请填写数据库名。" and d.entry is None
    type_text(d.database, "taskboard")
    if os.environ.get("TASKBOARD_SHOTS"):
        d.grab().save(str(SHOTS / "server_edit_dialog.png"))
    type_text(d.user, "clerk")
    with qtbot.waitSignal(d.accepted):
        qtbot.mouseClick(d.ok_button, Qt.LeftButton)
    assert d.entry == ServerEntry("乙", "db.lan", 5432, "taskboard", "clerk", "prefer")


def test_a_damaged_list_is_reported_and_set_aside_on_save(qtbot, store, monkeypatch):
    store.parent.mkdir(parents=True)
    store.write_text("{broken", encoding="utf-8")
    d = _dialog(qtbot, store)
    assert "无法读取服务器列表" in d.status.text() and d.servers.count() == 0
    monkeypatch.setattr(ServerEditDialog, "exec", _fill_server_dialog(qtbot, {
        "name": "新", "host": "h", "user": "u"}))
    qtbot.mouseClick(d.add_button, Qt.LeftButton)
    assert (store.parent / "servers.json.bad").read_text(encoding="utf-8") == "{broken"
    assert [s.name for s in connections.load_store(store).servers] == ["新"]


def test_local_files_new_and_damaged(qtbot, store, tmp_path):
    d = _dialog(qtbot, store)
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"not a database" * 50)
    d.path.setText(str(damaged))
    qtbot.mouseClick(d.connect_button, Qt.LeftButton)
    assert "不能使用" in d.status.text() and d.database is None and d.isVisible()
    new = tmp_path / "科室" / "新库.sqlite"
    new.parent.mkdir()
    d.path.setText(str(new))
    with qtbot.waitSignal(d.accepted, timeout=10_000):
        qtbot.mouseClick(d.connect_button, Qt.LeftButton)
    assert new.is_file() and "task" in d.database.table_names()
    d.database.dispose()
    assert d.password is None and make_url(d.url).database == str(new)
    assert connections.load_store(store).last == {"kind": "sqlite", "path": str(new)}


def test_menu_starts_a_new_program_with_the_password_only_in_its_environment(
        qtbot, demo_db, dispatcher, ui_state, store, tmp_path, monkeypatch):
    ensure_app()
    w = make_window(demo_db, dispatcher, ui_state, today=lambda: TODAY)
    settle(qtbot)  # the board loads in the background
    qtbot.addWidget(w)
    w.show()
    titles = [a.text() for a in w.menus["file"].actions()]
    assert titles.index("连接其他数据库…") < titles.index("退出")
    other = tmp_path / "other.sqlite"

    def choose(dialog):
        dialog.path.setText(str(other))
        dialog.connect_database()
        return dialog.result()
    monkeypatch.setattr(ConnectionDialog, "exec", choose)
    started = []
    monkeypatch.setattr(connection_actions, "launch_child",
                        lambda url, password: started.append((url, password)))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.No)
    assert connection_actions.open_other(w, store) == connections.public_url(
        connections.url_text(connections.sqlite_url(other)))
    assert started == [(connections.url_text(connections.sqlite_url(other)), None)]
    assert w.isVisible()
    # The current database again: nothing to start.
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    monkeypatch.setattr(ConnectionDialog, "exec", lambda dialog: dialog.connect_database()
                        or dialog.result())
    if demo_db.is_sqlite:
        assert connection_actions.open_other(w, store) is None and len(started) == 1


def test_the_child_process_finds_its_password_in_the_environment(role, pg_server, tmp_path):
    name = pg_roles.fresh_database(pg_server, role, f"tb child {os.getpid()}")
    try:
        entry = ServerEntry("x", role.host, role.port, name, role.user, "disable")
        url = connections.public_url(connections.server_url(entry))
        argv = connections.child_command(url) + ["--screenshot", str(tmp_path / "w.png")]
        assert not any(role.password in a for a in argv)
        env = connections.child_environment(role.password)
        env["QT_QPA_PLATFORM"] = "offscreen"
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180,
                              cwd=Path(__file__).resolve().parents[2])
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "w.png").stat().st_size > 10_000
        # Without the password the same command is refused with a clear message.
        env.pop(connections.ENV_PASSWORD)
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 2 and "服务器要求密码，请输入密码后再试" in done.stderr
        assert role.password not in done.stderr
    finally:
        pg_roles.drop(pg_server, name)


def test_connect_flag_asks_before_sign_in(monkeypatch, tmp_path):
    asked = []
    monkeypatch.setattr(connection_actions, "connect_at_start",
                        lambda url_arg=None: asked.append(url_arg))
    assert cli.main(["--connect", "--db", str(tmp_path / "x.sqlite")]) == 0
    assert asked == [str(tmp_path / "x.sqlite")]  # cancelled: the program ends quietly
    assert not (tmp_path / "x.sqlite").exists()


def test_connect_at_start_starts_on_the_named_database(qtbot, store, tmp_path, monkeypatch):
    seen = []

    def cancel(dialog):
        seen.append((dialog.local.isChecked(), dialog.path.text()))
        return QDialog.Rejected
    monkeypatch.setattr(ConnectionDialog, "exec", cancel)
    ensure_app()
    assert connection_actions.connect_at_start(str(tmp_path / "a.sqlite"), store) is None
    assert seen == [(True, str(tmp_path / "a.sqlite"))]
