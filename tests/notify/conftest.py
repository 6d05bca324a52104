import pytest

from taskboard.core.periods import Period
from taskboard.core.services import urging
from taskboard.notify import delivery
from tests.conftest import TODAY

PERIOD = Period.of(TODAY)


def issue_for_units(db, actor, n_units=1, filters=("unreported",)):
    """Issue plain 催办 notices to ``n_units`` units never urged before."""
    with db.session() as s:
        rows = [r for r in urging.screen(s, actor, 1, PERIOD, TODAY, filters)
                if r.urge_count == 0]
    units = list(dict.fromkeys(r.unit_id for r in rows))[:n_units]
    ids = [r.assignment_id for r in rows if r.unit_id in units]
    issued = delivery.issue(db, actor, 1, PERIOD, TODAY, ids)
    return issued, [r for r in rows if r.unit_id in units]


@pytest.fixture
def notice(demo_db, dispatcher):
    """(IssuedNotice, its screen rows) for one unit."""
    issued, rows = issue_for_units(demo_db, dispatcher)
    return issued[0], rows


@pytest.fixture(autouse=True)
def robot_keys(tmp_path, monkeypatch):
    """Robot keys go to a file of the test's own, never the user's config folder."""
    from taskboard.notify import robot_secrets

    path = tmp_path / "keys" / "robot_keys.json"
    monkeypatch.setenv(robot_secrets.ENV_FILE, str(path))
    return path


@pytest.fixture
def robot_server():
    from tests.notify.robot_server import RobotServer

    server = RobotServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_sender(robot_server, monkeypatch):
    """Every run's sender on the server's fake clock: throttling and backoff never sleep."""
    from taskboard.notify import robots

    clock = robot_server.clock
    monkeypatch.setattr(robots, "default_sender",
                        lambda: robots.RobotSender(clock=clock, sleep=clock.sleep))
    return clock
