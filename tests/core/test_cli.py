import json

import pytest

from sqlalchemy import text

from taskboard.cli.main import main
from taskboard.core.db import Database


@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""


def test_stats_json_on_a_demo_copy(demo_db, capsys):
    assert main(["stats", "--db", demo_db.url, "--period", "2026-11", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) == 1
    c = out[0]
    assert c["period"] == "2026-11" and c["tasks"] == 67
    assert sum(c["lights"].values()) == 67
    assert min(c["lights"].values()) > 0


def test_stats_text(demo_db, capsys):
    assert main(["stats", "--db", demo_db.url, "--period", "2026-10"]) == 0
    out = capsys.readouterr().out
    assert "2026年10月" in out and "绿灯" in out and "超期" in out


def test_stats_rejects_a_bad_period(demo_db, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["stats", "--db", demo_db.url, "--period", "2026-13"])
    assert exc.value.code == 2
    assert "月份无效" in capsys.readouterr().err


def test_database_too_new_is_a_clear_error(db_url, capsys):
    db = Database(db_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    db.dispose()
    assert main(["stats", "--db", db_url]) == 2
    assert "比本程序新" in capsys.readouterr().err


def test_empty_database_says_so(db, capsys):
    assert main(["stats", "--db", db.url]) == 0
    assert "还没有专项工作" in capsys.readouterr().out
