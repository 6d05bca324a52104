"""The acting account is re-read on every write: deactivated or demoted, it loses its rights
at once, even with an Actor value from before the change."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from taskboard.core.actor import load_actor
from taskboard.core.errors import AccountChanged
from taskboard.core.models import Feedback, Task, User
from taskboard.core.services import feedback, tasks, users
from tests.conftest import TODAY


def _as_input(user: User, **changes) -> users.UserInput:
    data = dict(username=user.username, display_name=user.display_name, role=user.role,
                unit_id=user.unit_id, leader_name=user.leader_name,
                limit_to_own_tasks=user.limit_to_own_tasks, active=user.active)
    data.update(changes)
    return users.UserInput(**data)


def _admin(db):
    with db.session() as s:
        return load_actor(s, "admin")


def _new_task(actor, code="99.1"):
    return lambda s: tasks.create_task(s, actor, tasks.TaskInput(
        campaign_id=1, code=code, title="账号变更后的新任务", start_date=TODAY,
        unit_ids=(1,), lead_unit_id=1, deadline=TODAY + dt.timedelta(30)))


def _count(db, model):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_deactivated_dispatcher_cannot_write_any_more(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        users.set_active(s, _admin(demo_db), dispatcher.user_id, False)
    before = _count(demo_db, Task)
    with pytest.raises(AccountChanged, match="已被管理员停用"):
        with demo_db.Session.begin() as s:
            _new_task(dispatcher)(s)
    assert _count(demo_db, Task) == before


def test_a_demoted_dispatcher_is_judged_by_the_new_role(demo_db, dispatcher):
    with demo_db.Session.begin() as s:
        user = s.get(User, dispatcher.user_id)
        users.update_user(s, _admin(demo_db), user.id, _as_input(user, role="leader"))
    before = _count(demo_db, Feedback)
    with pytest.raises(AccountChanged, match="领导"):
        with demo_db.Session.begin() as s:
            aid = s.execute(select(Feedback.assignment_id)).scalar() or 1
            feedback.write_feedback(s, dispatcher, aid, "请补充佐证材料")
    assert _count(demo_db, Feedback) == before
    # Signed in again, the account works with what the new role allows.
    with demo_db.session() as s:
        assert load_actor(s, "dispatcher").role == "leader"


def test_an_unchanged_account_and_an_admin_editing_itself_still_write(demo_db, dispatcher):
    before = _count(demo_db, Task)
    with demo_db.Session.begin() as s:
        _new_task(dispatcher)(s)
    assert _count(demo_db, Task) == before + 1
    admin = _admin(demo_db)
    with demo_db.Session.begin() as s:
        users.create_user(s, admin, users.UserInput("boss2", "第二管理员", "admin"))
    with demo_db.Session.begin() as s:
        me = s.get(User, admin.user_id)
        # judged by the state it started from, within the same transaction
        users.update_user(s, admin, me.id, _as_input(me, display_name="办公室主任", role="leader"))
    with pytest.raises(AccountChanged):
        with demo_db.Session.begin() as s:
            _new_task(admin, "99.2")(s)
