import pytest
from sqlalchemy import select

from taskboard.core import auth
from taskboard.core.actor import load_actor
from taskboard.core.errors import PermissionDenied, ValidationError
from taskboard.core.models import AuditEvent, User
from taskboard.core.services import users
from taskboard.core.services.users import UserInput


@pytest.fixture
def admin(demo_db, monkeypatch):
    monkeypatch.setattr(auth, "SCRYPT_N", 2 ** 10)
    with demo_db.session() as s:
        return load_actor(s, "admin")


def test_admin_creates_a_reporter_who_can_sign_in(demo_db, admin):
    with demo_db.Session.begin() as s:
        uid = users.create_user(s, admin, UserInput("unit013", "综合科", "reporter", unit_id=3),
                                "Report-2026")
    actor = auth.sign_in(demo_db.Session, "unit013", "Report-2026")
    assert (actor.user_id, actor.role, actor.unit_id) == (uid, "reporter", 3)
    with demo_db.session() as s:
        rows = {r.username: r for r in users.list_users(s, admin)}
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "user.create")).one()
    assert rows["unit013"].unit_name and rows["unit013"].has_password
    assert rows["leader"].has_password is False
    assert '"role": "reporter"' in ev.after and "Report-2026" not in ev.after


@pytest.mark.parametrize("data,msg", [
    (UserInput("", "综合科", "dispatcher"), "请填写用户名"),
    (UserInput("a b", "综合科", "dispatcher"), "不能含空格"),
    (UserInput("x", "", "dispatcher"), "显示名称"),
    (UserInput("x", "综合科", "boss"), "未知的角色"),
    (UserInput("DISPATCHER", "综合科", "dispatcher"), "已被使用"),
    (UserInput("x", "综合科", "reporter"), "必须绑定一个单位"),
    (UserInput("x", "综合科", "reporter", unit_id=999), "单位不存在"),
    (UserInput("x", "领导", "leader", limit_to_own_tasks=True), "分管领导"),
])
def test_bad_user_input_is_refused_and_nothing_stored(demo_db, admin, data, msg):
    with demo_db.session() as s:
        before = len(users.list_users(s, admin))
    with pytest.raises(ValidationError, match=msg):
        with demo_db.Session.begin() as s:
            users.create_user(s, admin, data)
    with demo_db.session() as s:
        assert len(users.list_users(s, admin)) == before


def test_only_admins_manage_users(demo_db, admin):
    with demo_db.session() as s:
        dispatcher = load_actor(s, "dispatcher")
    for call in (lambda s: users.list_users(s, dispatcher),
                 lambda s: users.create_user(s, dispatcher, UserInput("x", "x", "admin")),
                 lambda s: users.reset_password(s, dispatcher, 3, "Reset-2026"),
                 lambda s: users.unlock(s, dispatcher, 3),
                 lambda s: users.set_active(s, dispatcher, 3, False)):
        with demo_db.Session.begin() as s, pytest.raises(PermissionDenied, match="管理用户"):
            call(s)


def test_the_last_admin_cannot_be_demoted_or_deactivated(demo_db, admin):
    with demo_db.Session.begin() as s, pytest.raises(ValidationError, match="至少要保留"):
        users.update_user(s, admin, 1, UserInput("admin", "系统管理员", "dispatcher"))
    with demo_db.Session.begin() as s, pytest.raises(ValidationError, match="当前登录"):
        users.set_active(s, admin, 1, False)


def test_reset_and_unlock_lift_a_lockout(demo_db, admin):
    with demo_db.Session.begin() as s:
        users.reset_password(s, admin, 2, "Dispatch-2026")
    for _ in range(5):
        with pytest.raises(auth.AuthError):
            auth.sign_in(demo_db.Session, "dispatcher", "wrong")
    with demo_db.Session.begin() as s:
        users.unlock(s, admin, 2)
    assert auth.sign_in(demo_db.Session, "dispatcher", "Dispatch-2026").user_id == 2


def test_update_changes_role_and_unit_and_audits_before_after(demo_db, admin):
    with demo_db.Session.begin() as s:
        users.update_user(s, admin, 3, UserInput("leader", "副市长（分管政务服务）", "leader",
                                                 leader_name="副市长", limit_to_own_tasks=True))
    with demo_db.session() as s:
        u = s.get(User, 3)
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert (u.display_name, u.limit_to_own_tasks, u.leader_name) == (
        "副市长（分管政务服务）", True, "副市长")
    assert '"limit_to_own_tasks": false' in ev.before and '"limit_to_own_tasks": true' in ev.after
