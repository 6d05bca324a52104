"""The group robots' tokens and signing secrets, kept like the SMTP password: out of the
database (so backups, exports and other users never carry them), in a key file of the user's
own config directory written with 0600 permissions, never printed or shown again.

TASKBOARD_ROBOT_KEYS names another key file, e.g. for a scheduled run under a service
account. On Windows there are no POSIX modes: the file is protected by living in the user's
profile folder.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

import platformdirs

from taskboard.core.atomic import FileWriteError, atomic_write

ENV_FILE = "TASKBOARD_ROBOT_KEYS"


class RobotKeyError(Exception):
    """The key file cannot be read or written; the message is for the user, in Chinese."""


def key_file() -> Path:
    env = os.environ.get(ENV_FILE)
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir("taskboard", appauthor=False)) / "robot_keys.json"


def _load() -> dict[str, dict[str, str]]:
    path = key_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise RobotKeyError(f"无法读取群机器人密钥文件 {path}：{exc}") from None
    return data if isinstance(data, dict) else {}


def _save(data: dict[str, dict[str, str]]) -> None:
    path = key_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # 0600 from the first byte, replaced whole or not at all.
        with atomic_write(path, mode=0o600) as f:
            f.write(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    except OSError as exc:
        cause = exc.__cause__ if isinstance(exc, FileWriteError) else exc
        if isinstance(cause, PermissionError):
            raise RobotKeyError(f"群机器人密钥文件 {path} 正被其他程序占用或无权写入，请关闭后重试。"
                                ) from None
        raise RobotKeyError(f"无法写入群机器人密钥文件 {path}：{cause}") from None


def put(ref: str, token: str, secret: str = "") -> None:
    data = _load()
    data[ref] = {"token": token, **({"secret": secret} if secret else {})}
    _save(data)


def get(ref: str) -> Optional[tuple[str, str]]:
    """(token, secret) of a robot, or None when this workstation does not hold its keys."""
    entry = _load().get(ref)
    if not isinstance(entry, dict) or not entry.get("token"):
        return None
    return entry["token"], entry.get("secret", "")


def forget(ref: str) -> None:
    data = _load()
    if data.pop(ref, None) is not None:
        _save(data)
