"""Where the program keeps its files on this machine: the per-user data and config folders."""
from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "taskboard"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_url() -> str:
    return f"sqlite:///{default_data_dir() / 'taskboard.sqlite'}"
