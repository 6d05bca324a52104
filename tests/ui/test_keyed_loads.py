"""Keyed one-off reads (scores, bulletin previews) run as loader requests on the same workers."""
from types import SimpleNamespace

from PySide6.QtWidgets import QLabel

from taskboard.ui.app import ensure_app
from taskboard.ui.common.loader import KeyedLoads, all_idle
from tests.ui.test_loader import Gate


def _runner(qtbot, db=None):
    ensure_app()
    owner = QLabel("窗口")
    qtbot.addWidget(owner)
    return KeyedLoads(SimpleNamespace(db=db), owner)


def test_only_the_latest_request_of_a_key_is_delivered(qtbot):
    runner = _runner(qtbot)
    slow, fast = Gate("旧得分"), Gate("新得分")
    got, other = [], []
    runner.run("scores", slow, got.append)
    assert slow.started.wait(30)
    runner.run("scores", fast, got.append)
    runner.run("preview", lambda _s: "预览", other.append)  # another key is not overtaken
    assert runner.busy("scores") and not all_idle()
    fast.opened.set()
    qtbot.waitUntil(lambda: got == ["新得分"] and other == ["预览"])
    slow.opened.set()
    qtbot.waitUntil(all_idle)
    assert got == ["新得分"] and other == ["预览"]
    assert not runner.busy("scores")


def test_a_failure_reaches_the_caller_with_its_message(qtbot):
    runner = _runner(qtbot)
    got, errors = [], []

    def work(_session):
        raise ValueError("旗区数据缺失")

    runner.run("scores", work, got.append, errors.append)
    qtbot.waitUntil(all_idle)
    assert got == [] and [str(e) for e in errors] == ["旗区数据缺失"]


def test_work_reads_with_its_own_session(qtbot, demo_db):
    from sqlalchemy import func, select

    from taskboard.core.models import Task

    runner = _runner(qtbot, demo_db)
    got = []
    runner.run("count", lambda s: s.scalar(select(func.count()).select_from(Task)), got.append)
    qtbot.waitUntil(all_idle)
    with demo_db.session() as s:
        assert got == [s.scalar(select(func.count()).select_from(Task))] and got[0] > 0
