import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import select

from taskboard.core import auth
from taskboard.core.auth import AuthError
from taskboard.core.errors import ValidationError
from taskboard.core.models import AuditEvent, User

PASSWORD = "Secret-2026"


def _user(db, username="clerk", password=PASSWORD, role="dispatcher", **kw) -> int:
    with db.Session.begin() as s:
        u = User(username=username, display_name="综合科", role=role,
                 password_hash=auth.hash_password(password) if password else None, **kw)
        s.add(u)
        s.flush()
        return u.id


def _audit_text(db) -> str:
    with db.session() as s:
        rows = s.scalars(select(AuditEvent)).all()
        return json.dumps([[e.action, e.summary, e.before, e.after] for e in rows],
                          ensure_ascii=False)


# --- hashing (no database) -------------------------------------------------------------------

def test_hash_uses_owasp_scrypt_parameters_stored_beside_the_hash():
    stored = auth.hash_password(PASSWORD)
    scheme, n, r, p, salt, key = stored.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2 ** 17, 8, 1)
    assert auth.hash_parameters(stored) == {"n": 131072, "r": 8, "p": 1}
    assert PASSWORD not in stored
    assert auth.verify_password(PASSWORD, stored) is True
    assert auth.verify_password(PASSWORD + "x", stored) is False


def test_same_password_gets_a_different_salt_each_time(fast_hash):
    a, b = auth.hash_password(PASSWORD), auth.hash_password(PASSWORD)
    assert a != b
    assert a.split("$")[4] != b.split("$")[4]


def test_verify_uses_the_parameters_stored_with_the_hash(fast_hash):
    # A hash made with other (older, weaker) parameters still verifies after an upgrade.
    old = auth.hash_password(PASSWORD, n=2 ** 8, r=4, p=2)
    assert auth.hash_parameters(old) == {"n": 256, "r": 4, "p": 2}
    assert auth.verify_password(PASSWORD, old)
    salt = __import__("base64").b64decode(old.split("$")[4])
    expected = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=256, r=4, p=2, dklen=32)
    assert old.split("$")[5] == __import__("base64").b64encode(expected).decode()


@pytest.mark.parametrize("stored", [None, "", "plain", "md5$1$2$3$4$5", "scrypt$x$8$1$a$b"])
def test_verify_refuses_missing_or_malformed_hashes(stored):
    assert auth.verify_password(PASSWORD, stored) is False


@pytest.mark.parametrize("password,reason", [
    ("short1", "至少需要 8 个字符"),
    ("abcdefgh", "至少两类"),
    ("12345678", "至少两类"),
    ("Clerk123", None),
])
def test_password_strength(password, reason):
    if reason is None:
        auth.check_password_strength(password, "clerk")
    else:
        with pytest.raises(ValidationError, match=reason):
            auth.check_password_strength(password, "clerk")


def test_password_equal_to_username_refused():
    with pytest.raises(ValidationError, match="不能与用户名相同"):
        auth.check_password_strength("clerk2026", "Clerk2026")


# --- sign-in and lockout ------------------------------------------------------------------

def test_sign_in_returns_the_actor_and_resets_failures(db, fast_hash):
    uid = _user(db)
    with pytest.raises(AuthError):
        auth.sign_in(db.Session, "clerk", "wrong-1")
    actor = auth.sign_in(db.Session, "  CLERK ", PASSWORD)
    assert (actor.user_id, actor.role) == (uid, "dispatcher")
    with db.session() as s:
        assert s.get(User, uid).failed_logins == 0


def test_unknown_user_and_wrong_password_get_the_same_message(db, fast_hash):
    _user(db)
    with pytest.raises(AuthError) as unknown:
        auth.sign_in(db.Session, "nobody", PASSWORD)
    with pytest.raises(AuthError) as wrong:
        auth.sign_in(db.Session, "clerk", "wrong")
    assert str(unknown.value).startswith("用户名或密码错误")
    assert str(wrong.value).startswith("用户名或密码错误")


def test_five_wrong_tries_lock_for_fifteen_minutes(db, fast_hash):
    uid = _user(db)
    t0 = dt.datetime(2026, 11, 23, 9, 0)
    for i in range(1, 5):
        with pytest.raises(AuthError, match=f"再错 {5 - i} 次"):
            auth.sign_in(db.Session, "clerk", f"wrong{i}", now=t0)
    with pytest.raises(AuthError, match="已锁定 15 分钟"):
        auth.sign_in(db.Session, "clerk", "wrong5", now=t0)
    with db.session() as s:
        u = s.get(User, uid)
        assert u.failed_logins == 5
        assert u.locked_until == t0 + dt.timedelta(minutes=15)
    # The right password is refused while locked, and does not shorten the lock.
    with pytest.raises(AuthError, match="请 15 分钟后再试"):
        auth.sign_in(db.Session, "clerk", PASSWORD, now=t0 + dt.timedelta(seconds=30))
    with pytest.raises(AuthError, match="请 1 分钟后再试"):
        auth.sign_in(db.Session, "clerk", PASSWORD, now=t0 + dt.timedelta(minutes=14, seconds=30))
    actor = auth.sign_in(db.Session, "clerk", PASSWORD, now=t0 + dt.timedelta(minutes=15))
    assert actor.user_id == uid
    with db.session() as s:
        u = s.get(User, uid)
        assert (u.failed_logins, u.locked_until) == (0, None)


def test_after_the_lock_runs_out_the_count_starts_again(db, fast_hash):
    uid = _user(db)
    t0 = dt.datetime(2026, 11, 23, 9, 0)
    for i in range(5):
        with pytest.raises(AuthError):
            auth.sign_in(db.Session, "clerk", "wrong", now=t0)
    with pytest.raises(AuthError, match="再错 4 次"):
        auth.sign_in(db.Session, "clerk", "wrong", now=t0 + dt.timedelta(minutes=16))
    with db.session() as s:
        assert s.get(User, uid).failed_logins == 1


def test_inactive_and_passwordless_accounts_cannot_sign_in(db, fast_hash):
    _user(db, "gone", active=False)
    _user(db, "fresh", password=None)
    with pytest.raises(AuthError, match="已停用"):
        auth.sign_in(db.Session, "gone", PASSWORD)
    with pytest.raises(AuthError, match="尚未设置密码"):
        auth.sign_in(db.Session, "fresh", "")


def test_no_password_or_hash_in_the_audit_trail(db, fast_hash):
    uid = _user(db)
    with pytest.raises(AuthError):
        auth.sign_in(db.Session, "clerk", "Typo-Secret-2026")
    actor = auth.sign_in(db.Session, "clerk", PASSWORD)
    with db.Session.begin() as s:
        auth.change_password(s, actor, PASSWORD, "Newer-Secret-77")
    with db.Session.begin() as s:
        auth.set_password(s, actor, s.get(User, uid), "Reset-Secret-88")
        stored = s.get(User, uid).password_hash
    trail = _audit_text(db)
    for secret in (PASSWORD, "Typo-Secret-2026", "Newer-Secret-77", "Reset-Secret-88",
                   stored, stored.split("$")[5], "scrypt$"):
        assert secret not in trail
    assert "login.failed" in trail and "user.password_changed" in trail


# --- first start, change, reset -------------------------------------------------------------

def test_first_admin_on_an_empty_database(db, fast_hash):
    with db.session() as s:
        assert auth.needs_first_admin(s) is True
    with db.Session.begin() as s:
        actor = auth.create_first_admin(s, "admin", "系统管理员", "Admin-2026")
    assert actor.role == "admin"
    with db.session() as s:
        assert auth.needs_first_admin(s) is False
    with db.Session.begin() as s, pytest.raises(ValidationError, match="已有管理员"):
        auth.create_first_admin(s, "admin2", "系统管理员", "Admin-2026")
    assert auth.sign_in(db.Session, "admin", "Admin-2026").user_id == actor.user_id


def test_first_admin_sets_the_password_of_a_passwordless_admin(demo_db, fast_hash):
    # Demo data has an admin without a password; the first start gives it one.
    with demo_db.Session.begin() as s:
        assert auth.needs_first_admin(s)
        actor = auth.create_first_admin(s, "admin", "系统管理员", "Admin-2026")
    assert actor.user_id == 1


def test_first_admin_refuses_bad_input_and_stores_nothing(db, fast_hash):
    for name, display, pw, msg in (("", "管理员", "Admin-2026", "用户名"),
                                   ("admin", "", "Admin-2026", "显示名称"),
                                   ("admin", "管理员", "short", "至少需要")):
        with pytest.raises(ValidationError, match=msg):
            with db.Session.begin() as s:
                auth.create_first_admin(s, name, display, pw)
    with db.session() as s:
        assert s.scalars(select(User)).all() == []


def test_change_password_checks_the_old_one(db, fast_hash):
    _user(db)
    actor = auth.sign_in(db.Session, "clerk", PASSWORD)
    with db.Session.begin() as s, pytest.raises(AuthError, match="原密码不正确"):
        auth.change_password(s, actor, "wrong", "Newer-Secret-77")
    with db.Session.begin() as s, pytest.raises(ValidationError, match="不能与原密码相同"):
        auth.change_password(s, actor, PASSWORD, PASSWORD)
    with db.Session.begin() as s:
        auth.change_password(s, actor, PASSWORD, "Newer-Secret-77")
    with pytest.raises(AuthError):
        auth.sign_in(db.Session, "clerk", PASSWORD)
    assert auth.sign_in(db.Session, "clerk", "Newer-Secret-77").user_id == actor.user_id
