"""Feature modules plug their menus, actions and tabs into the main window here.

Each entry is a function ``install(window)``; the main window stays a shell and feature
code lives in its own files.
"""
from __future__ import annotations

from typing import Callable

from taskboard.ui.admin.admin_settings_actions import install as install_admin_settings
from taskboard.ui.session.connection_actions import install as install_connections
from taskboard.ui.battle_map.battle_map_tab import install as install_dashboard
from taskboard.ui.bulletin.bulletin_actions import install as install_bulletin
from taskboard.ui.excel.excel_actions import install as install_excel
from taskboard.ui.help.help_actions import install as install_help
from taskboard.ui.session.security_actions import install as install_security
from taskboard.ui.tasks.task_actions import install as install_task_actions
from taskboard.ui.urge.urge_actions import install as install_urging

INSTALLERS: list[Callable] = [
    install_dashboard,
    install_excel,
    install_bulletin,
    install_urging,
    install_task_actions,
    install_security,
    install_connections,  # after install_security: it uses the change poller
    install_admin_settings,
    install_help,
]


def install_all(window) -> None:
    # Imported here so a feature's import cost is paid once the window exists.
    for installer in INSTALLERS:
        installer(window)
