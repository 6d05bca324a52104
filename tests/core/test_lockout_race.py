"""Parallel wrong sign-ins, each in its own thread and session, all count: the counter is
raised by the database in one statement, and a right password after the limit stays out."""
import threading

import pytest

from taskboard.core import auth
from taskboard.core.models import User

PASSWORD = "Right-2026"
# Slow enough (about 30 ms) that the threads check their passwords at the same time.
N = 2 ** 14


@pytest.fixture
def clerk(db):
    with db.Session.begin() as s:
        s.add(User(username="clerk", display_name="综合科", role="dispatcher",
                   password_hash=auth.hash_password(PASSWORD, n=N)))
    return db


def _parallel(db, passwords):
    """Sign in with each password at once; the AuthError messages and the successes."""
    start = threading.Barrier(len(passwords))
    results = [None] * len(passwords)

    def attempt(i, password):
        start.wait()
        try:
            results[i] = auth.sign_in(db.Session, "clerk", password)
        except auth.AuthError as exc:
            results[i] = str(exc)
    threads = [threading.Thread(target=attempt, args=(i, p)) for i, p in enumerate(passwords)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _stored(db):
    with db.session() as s:
        user = s.query(User).filter_by(username="clerk").one()
        return user.failed_logins, user.locked_until


def test_parallel_wrong_passwords_below_the_limit_all_count(clerk):
    results = _parallel(clerk, ["wrong"] * (auth.MAX_FAILED_LOGINS - 1))
    assert all(isinstance(r, str) and "用户名或密码错误" in r for r in results)
    assert _stored(clerk) == (auth.MAX_FAILED_LOGINS - 1, None)


def test_twelve_parallel_wrong_passwords_lock_and_every_checked_one_counts(clerk):
    results = _parallel(clerk, ["wrong"] * 12)
    # An attempt either checked the password (and counted) or found the lock already set.
    turned_away = sum("分钟后再试" in r for r in results)
    failures, locked_until = _stored(clerk)
    assert failures + turned_away == 12
    assert failures >= auth.MAX_FAILED_LOGINS and locked_until is not None
    with pytest.raises(auth.AuthError, match="已锁定"):
        auth.sign_in(clerk.Session, "clerk", PASSWORD)


def test_a_right_password_among_wrong_ones_after_the_limit_does_not_sign_in(clerk):
    _parallel(clerk, ["wrong"] * auth.MAX_FAILED_LOGINS)
    results = _parallel(clerk, ["wrong"] * 6 + [PASSWORD])
    assert all(isinstance(r, str) for r in results), results
    assert "已锁定" in results[-1]
    assert _stored(clerk)[1] is not None
