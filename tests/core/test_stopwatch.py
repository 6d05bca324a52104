"""The bench's timing helpers, on a clock the test controls."""
import pytest

from taskboard.core import stopwatch


class FakeClock:
    """perf_counter that each timed call advances by its own cost."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = FakeClock()
    monkeypatch.setattr(stopwatch.time, "perf_counter", c)
    return c


def test_alternating_medians_run_in_turns_and_take_each_median(clock):
    calls = []
    costs = {"ours": iter([0.010, 0.030, 0.020]), "base": iter([0.005, 0.001, 0.009])}

    def timed(name):
        def fn():
            calls.append(name)
            clock.now += next(costs[name])
        return fn

    ours, base = stopwatch.alternating_medians(timed("ours"), timed("base"), 3)
    assert calls == ["ours", "base"] * 3
    assert ours == pytest.approx(20.0) and base == pytest.approx(5.0)


def test_a_machine_that_slows_down_moves_both_alike(clock):
    # Every call costs twice the one before it: timed one after the other, the second
    # function would look 8x slower than the first; in turns, the ratio is the drift of one call.
    cost = [0.001]

    def fn():
        clock.now += cost[0]
        cost[0] *= 2

    sequential = stopwatch.median_ms(fn, 3), stopwatch.median_ms(fn, 3)
    cost[0] = 0.001
    ours, base = stopwatch.alternating_medians(fn, fn, 3)
    assert sequential[1] / sequential[0] == pytest.approx(8.0)
    assert base / ours == pytest.approx(2.0)


def test_median_ms_runs_at_least_once(clock):
    calls = []
    assert stopwatch.median_ms(lambda: calls.append(1), 0) == 0.0 and calls == [1]
