"""Where the program keeps its files on this machine: the per-user data and config folders,
and the address of the database the environment names."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import platformdirs

APP_NAME = "taskboard"
ENV_DB = "TASKBOARD_DB"
ENV_USER = "TASKBOARD_USER"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_url() -> str:
    return f"sqlite:///{default_data_dir() / 'taskboard.sqlite'}"


def resolve_url(cli_url: Optional[str] = None) -> str:
    """--db wins over TASKBOARD_DB, which wins over the per-user default file.

    A bare file path is taken as a SQLite file.
    """
    url = cli_url or os.environ.get(ENV_DB) or default_url()
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def sqlite_file(url: str) -> Optional[Path]:
    """The file of a plain SQLite address (``sqlite:///path``), else None: told without
    importing SQLAlchemy, so that the window's start can decide what to show first."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url:
        return None
    name = url[len(prefix):]
    return Path(name) if name and name != ":memory:" else None
