from sqlalchemy import func, select

from taskboard.cli.main import main
from taskboard.core.db import Database
from taskboard.core.models import Task


def test_demo_command_fills_an_empty_database(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert main(["demo", "--db", url]) == 0
    assert "67 项任务" in capsys.readouterr().out
    db = Database(url)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Task)) == 67
    db.dispose()


def test_demo_command_refuses_a_database_with_data(demo_db, capsys):
    with demo_db.session() as s:
        before = s.scalar(select(func.count()).select_from(Task))
    assert main(["demo", "--db", demo_db.url]) == 2
    assert "已有数据" in capsys.readouterr().err
    with demo_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Task)) == before
