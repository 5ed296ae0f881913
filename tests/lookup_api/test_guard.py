"""The rate limiter's memory: networks that came once are forgotten."""

from __future__ import annotations


def test_idle_networks_are_forgotten_so_memory_and_time_stay_bounded() -> None:
    from lookup_api.guard import SlidingWindow

    window = SlidingWindow(20, 60.0)
    for n in range(120_000):
        assert window.allow(f"net-{n}", now=float(n) / 1000) == 0.0
    assert len(window._events) <= 120_000
    later = 1000.0  # every network idle for more than a window
    window.allow("late-comer", now=later)
    for n in range(100_001):
        window.allow(f"again-{n}", now=later + n / 1e6)
    assert len(window._events) < 150_000  # the first 120,000 were swept, not kept for ever
