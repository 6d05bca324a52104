"""Medians of repeated timings, for ``taskboard bench``.

A step's figure is a ratio to a baseline measured in the same run. On a shared or throttled
machine the speed drifts within seconds (a third either way was seen here), so a step that
timed all of its own runs and then all of the baseline's could report that drift as its
ratio; ``alternating_medians`` runs the two in turns so that drift moves both alike.
"""
from __future__ import annotations

import statistics
import time
from typing import Callable


def _elapsed_ms(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    return statistics.median(_elapsed_ms(fn) for _ in range(max(1, repeat)))


def alternating_medians(ours: Callable[[], object], baseline: Callable[[], object],
                        repeat: int) -> tuple[float, float]:
    """Median milliseconds of ``ours`` and of ``baseline``, run in turns."""
    pairs = [(_elapsed_ms(ours), _elapsed_ms(baseline)) for _ in range(max(1, repeat))]
    return statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs)
