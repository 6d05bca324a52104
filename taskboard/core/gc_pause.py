"""The cyclic garbage collector held off while a bulk read makes tens of thousands of objects.

In a process that has imported Qt, matplotlib and openpyxl, a full collection walks millions
of objects; letting it fire repeatedly in the middle of a board's row loop doubled the time.
Nothing built during such a read is cyclic garbage, so nothing is lost by waiting.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
