"""Every figure of every month of the demo, computed twice: by the program and by the oracle."""
import datetime as dt

import pytest

from taskboard.core.periods import Period, period_range
from tests import oracle
from tests.conftest import TODAY
from tests.figure_check import Checker, compare_campaign, stats_json

FIRST = Period(2026, 3)  # the demo's nine months end in TODAY's month
MONTHS = period_range(FIRST.previous(), Period.of(TODAY).next())



@pytest.fixture(autouse=True)
def _signed_in(cli_signed_in):
    """Commands sign in: tests on the demo data run them as its administrator."""

def test_every_figure_of_every_demo_month_agrees_with_the_oracle(demo_db, dispatcher, capsys):
    check = Checker()
    with demo_db.session() as s:
        compare_campaign(s, 1, MONTHS, TODAY, dispatcher, demo_db.engine, check)
    # Every figure was compared for every month (history ones from the campaign's start on).
    assert check.counts["KPIs"] == len(MONTHS)
    assert check.counts["urge screening and reasons"] == len(MONTHS)
    assert check.counts["district rank (mean_progress)"] == len(MONTHS) - 1
    with capsys.disabled():
        print(f"\ndemo oracle comparisons: {sum(check.counts.values())} "
              f"({len(check.counts)} figures × {len(MONTHS)} months)")


def test_stats_command_agrees_with_the_oracle_for_every_month(demo_db, capsys):
    """``taskboard stats`` judges by today's date: the oracle is asked for the same day."""
    today = dt.date.today()
    data = oracle.read(demo_db.engine)
    url = demo_db.engine.url.render_as_string(hide_password=False)
    for period in MONTHS:
        out = stats_json(capsys, ["stats", "--db", url, "--period", str(period), "--json"])
        naive = oracle.month(data, 1, str(period), today)["stats"]
        assert len(out) == 1
        got = {k: out[0][k] for k in ("tasks", "lights", "assignment_lights", "due", "lagging")}
        assert got == naive, str(period)
