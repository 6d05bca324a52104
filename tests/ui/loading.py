"""Waiting for the background loads: views load in workers (ui.common.loader)."""
from taskboard.ui.common.loader import all_idle


def settle(qtbot, timeout: int = 30_000) -> None:
    """Until every load has landed and no coalesced reload is pending."""
    qtbot.waitUntil(all_idle, timeout=timeout)
