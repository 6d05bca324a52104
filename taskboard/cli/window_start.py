"""Starting the window: sign in, then the main window.

A local database file is opened behind the sign-in dialog: the dialog is painted before the
data layer is even imported, and the file's integrity check (seconds for a large file), the
schema check and the start-up backup run in threads while the user types.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from taskboard.core.paths import ENV_USER, resolve_url, sqlite_file


def paints_first(args) -> bool:
    """Whether this start can show the sign-in dialog before opening the database: a window
    start on an existing local file (a new file gets the first-start dialog, which needs
    the database; servers, the demo and screenshots go the direct way)."""
    if args.demo or args.screenshot or args.connect:
        return False
    path = sqlite_file(resolve_url(args.db))
    return path is not None and path.is_file()


def cmd_gui(args) -> int:
    if paints_first(args):
        return _sign_in_while_opening(args)
    return _open_then_sign_in(args)


def _sign_in_while_opening(args) -> int:
    from taskboard.ui.common.application import ensure_app
    from taskboard.ui.session.login_dialog import ask_sign_in_while_opening
    from taskboard.ui.session.opening import Opening

    ensure_app()
    opening = Opening(lambda: _open_checked(args)).start()
    try:
        actor = ask_sign_in_while_opening(opening, username=_default_user(args))
    except BaseException as exc:
        _tell_in_window(exc)
        raise
    if actor is None:
        return 0
    return _run_window(opening.db, actor)


def _open_checked(args):
    """In the opening thread: the integrity check, then the schema (upgraded if need be)."""
    from taskboard.cli.admin import check_before_open
    from taskboard.cli.common import open_db, use_args
    from taskboard.core.connections import with_env_password

    use_args(args)
    check_before_open(args.db, gui=False)
    return open_db(with_env_password(resolve_url(args.db)), must_exist=False)


def _tell_in_window(exc: BaseException) -> None:
    """A database that cannot be opened is said in a message box too: a window start may
    have no terminal to print to."""
    from PySide6.QtWidgets import QMessageBox

    from taskboard.cli.failures import explain_failure

    message = explain_failure(exc)
    if message is not None:
        QMessageBox.critical(None, "无法打开数据库", message)


def _default_user(args) -> str:
    return args.user or os.environ.get(ENV_USER, "")


def _run_window(db, actor) -> int:
    """The main window; the start-up backup copies the file meanwhile, in a thread that the
    process waits for before it ends."""
    from taskboard.cli.admin import backup_at_start
    from taskboard.ui.app import run

    copy = threading.Thread(target=backup_at_start, args=(db,), name="taskboard-backup")
    copy.start()
    try:
        return run(db, actor, None)
    finally:
        copy.join()


def _open_then_sign_in(args) -> int:
    from taskboard.cli.common import open_db, open_demo_db, sign_in, use_args
    from taskboard.core.actor import load_actor
    from taskboard.core.connections import with_env_password
    from taskboard.core.server_login import signs_in_as_own_role

    use_args(args)
    if args.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from taskboard.ui.app import run

    if args.demo:
        from taskboard.core.demo import DEMO_DISPATCHER

        db = open_demo_db()
        with db.session() as s:
            actor = load_actor(s, DEMO_DISPATCHER)
        return run(db, actor, Path(args.screenshot) if args.screenshot else None)
    from taskboard.cli.admin import backup_at_start, check_before_open

    if args.connect and not args.screenshot:
        from taskboard.ui.app import ensure_app
        from taskboard.ui.session.connection_actions import connect_at_start

        ensure_app()
        db = connect_at_start(args.db)
        if db is None:
            return 0
    else:
        check_before_open(args.db, gui=not args.screenshot)
        url = with_env_password(resolve_url(args.db))
        if signs_in_as_own_role(url) and not args.screenshot:
            from taskboard.ui.app import ensure_app
            from taskboard.ui.session.login_dialog import ask_server_sign_in

            ensure_app()
            db = ask_server_sign_in(url, _default_user(args))
            if db is None:
                return 0
        else:
            db = open_db(url, must_exist=False)
    if args.screenshot:  # no window to sign in with: the command line's sign-in
        actor = sign_in(args, db, read_only=True)
        return run(db, actor, Path(args.screenshot))
    from taskboard.ui.app import ensure_app
    from taskboard.ui.session.login_dialog import ask_sign_in

    ensure_app()
    actor = ask_sign_in(db)
    if actor is None:
        return 0
    if not db.is_sqlite:
        from taskboard.ui.session.login_roles_dialog import offer_login_roles

        offer_login_roles(db, actor)
    backup_at_start(db)
    return run(db, actor, None)


__all__ = ["cmd_gui", "paints_first"]
