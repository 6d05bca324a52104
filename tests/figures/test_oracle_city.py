"""The oracle against a city-scale database (600 tasks, ~5,000 assignments, 36 months) with
tasks starting part-way, deleted tasks and reassigned units, on SQLite and PostgreSQL.

To keep the run short it compares four months (the first, one in the middle, the last two)
rather than all 36; the history figures of those months cover the whole campaign's rules.
"""
import pytest

from taskboard.core import demo
from taskboard.core.actor import load_actor
from taskboard.core.db import Database
from taskboard.core.models import Assignment, Task
from taskboard.core.periods import Period
from tests.conftest import BACKENDS, TODAY
from tests.figure_check import Checker, compare_campaign

MONTHS = [Period(2023, 12), Period(2025, 3), Period(2026, 10), Period(2026, 11)]


@pytest.fixture(scope="module", params=BACKENDS)
def city(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('city') / 'city.sqlite'}"
    else:
        server = request.getfixturevalue("pg_server")
        name = server.create_database()
        request.addfinalizer(lambda: server.drop_database(name))
        url = server.url(name)
    database = Database(url)
    with database.Session.begin() as s:
        demo.generate(s, "city", today=TODAY)
    yield database
    database.dispose()


def test_city_has_the_cases_the_rules_are_about(city):
    with city.session() as s:
        tasks = s.query(Task).all()
        assert sum(t.deleted and t.deleted_on is not None for t in tasks) >= 10
        assert sum(t.start_date > Period(2023, 12).last_day for t in tasks) >= 30
        assert s.query(Assignment).filter(Assignment.added_on.is_not(None)).count() >= 10
        assert s.query(Assignment).filter(Assignment.removed_on.is_not(None)).count() >= 10


def test_every_figure_of_the_city_agrees_with_the_oracle(city, capsys):
    check = Checker()
    with city.session() as s:
        actor = load_actor(s, demo.DEMO_DISPATCHER)
        compare_campaign(s, 1, MONTHS, TODAY, actor, city.engine, check)
    assert check.counts["KPIs"] == len(MONTHS)
    assert check.counts["district rank (share_closed)"] == len(MONTHS)
    with capsys.disabled():
        print(f"\ncity oracle comparisons: {sum(check.counts.values())} "
              f"({len(check.counts)} figures × {len(MONTHS)} months)")
