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
