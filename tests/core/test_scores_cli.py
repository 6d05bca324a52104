"""`taskboard scores` on the demo: every active unit with its items, in JSON and in words."""
import json

import pytest
from sqlalchemy import select

from taskboard.cli import main as cli
from taskboard.core.models import Unit
from tests.conftest import TODAY


@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""

pytestmark = pytest.mark.sqlite_only


def run(capsys, *argv):
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_lists_every_active_unit_with_its_items(demo_db, capsys):
    code, out, _ = run(capsys, "scores", "--db", demo_db.url, "--period", "2026-10",
                       "--today", TODAY.isoformat(), "--json")
    assert code == 0
    data = json.loads(out)
    units = data[0]["units"]
    with demo_db.session() as s:
        active = set(s.scalars(select(Unit.name).where(Unit.active.is_(True))))
    assert {u["unit"] for u in units} == active
    keys = ["completed", "overdue", "returned", "missing", "no_substance", "praise",
            "criticism", "supervise", "interview"]
    for u in units:
        assert [i["key"] for i in u["items"]] == keys
        for i in u["items"]:
            assert i["subtotal"] == i["count"] * i["points"]
        assert u["total"] == u["base"] + sum(i["subtotal"] for i in u["items"])
    districts = [u for u in units if u["track"] == "district"]
    assert sorted(u["rank"] for u in districts)[0] == 1 and len(districts) == 9


def test_quarter_is_the_sum_of_its_months_and_words_are_chinese(demo_db, capsys):
    def totals(*args):
        code, out, _ = run(capsys, "scores", "--db", demo_db.url, "--today", TODAY.isoformat(),
                           "--json", *args)
        assert code == 0
        return {u["unit"]: u["total"] - u["base"] for u in json.loads(out)[0]["units"]}

    months = [totals("--period", p) for p in ("2026-07", "2026-08", "2026-09")]
    quarter = totals("--quarter", "2026-Q3")
    assert quarter == pytest.approx({u: sum(m[u] for m in months) for u in quarter})
    code, out, _ = run(capsys, "scores", "--db", demo_db.url, "--period", "2026-10",
                       "--today", TODAY.isoformat())
    assert code == 0 and "2026年10月考评得分" in out and "（旗区，第1名）" in out
    assert "市商务局（部门，不排名，本期无任务）：100 分" in out
    code, _, err = run(capsys, "scores", "--db", demo_db.url, "--quarter", "2026-Q7")
    assert code == 2 and "季度格式应为 YYYY-Qn" in err


def test_scoring_settings_are_set_and_checked_on_the_command_line(demo_db, capsys):
    code, out, _ = run(capsys, "settings", "set", "--db", demo_db.url, "score_missing", "-3")
    assert code == 0 and "每次未报送扣分" in out
    code, _, err = run(capsys, "settings", "set", "--db", demo_db.url, "score_missing", "很多")
    assert code == 2 and "应为整数" in err
    code, _, err = run(capsys, "settings", "set", "--db", demo_db.url, "score_praise", "500")
    assert code == 2 and "-100–100" in err
    code, _, err = run(capsys, "settings", "set", "--db", demo_db.url, "other_units_track", "x")
    assert code == 2 and "department" in err
    code, out, _ = run(capsys, "scores", "--db", demo_db.url, "--period", "2026-10",
                       "--today", TODAY.isoformat(), "--json")
    items = [i for u in json.loads(out)[0]["units"] for i in u["items"] if i["key"] == "missing"]
    assert {i["points"] for i in items} == {-3} and any(i["count"] for i in items)
