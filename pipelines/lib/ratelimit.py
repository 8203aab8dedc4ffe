"""Per-source request rate limits: a sliding-window limiter shared by the whole process, so
back-to-back runs together stay inside what each publisher allows."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    """At most `per_second` requests per second (fractional: 0.5 = one every 2 s) and
    `per_minute` in any 60 s window."""

    per_second: float = 2.0
    per_minute: int = 120

    def burst_window(self) -> tuple[int, float]:
        """(requests, seconds): 2.0 -> 2 per 1 s; 0.5 -> 1 per 2 s; 2.5 -> 2 per 1 s."""
        if self.per_second <= 0:
            raise ValueError(f"per_second must be positive, got {self.per_second}")
        if self.per_second >= 1:
            return int(self.per_second), 1.0
        return 1, 1.0 / self.per_second


class SlidingWindowLimiter:
    """Blocks callers until a request fits both windows. Thread-safe."""

    # Server clocks see our requests a little later than we send them; stay clear of the edge.
    MARGIN_S = 0.05

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._burst, self._window = limit.burst_window()
        self._clock = clock
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait for a slot; returns the seconds waited."""
        waited = 0.0
        horizon = max(60.0, self._window) + self.MARGIN_S
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and now - self._sent[0] > horizon:
                    self._sent.popleft()
                delay = self._delay(now)
                if delay <= 0:
                    self._sent.append(now)
                    return waited
            time.sleep(delay)
            waited += delay

    def _delay(self, now: float) -> float:
        delays = [0.0]
        if len(self._sent) >= self._burst:
            delays.append(self._sent[-self._burst] + self._window + self.MARGIN_S - now)
        if self.limit.per_minute and len(self._sent) >= self.limit.per_minute:
            delays.append(self._sent[-self.limit.per_minute] + 60.0 + self.MARGIN_S - now)
        return max(delays)


_LIMITERS: dict[tuple[str, RateLimit], SlidingWindowLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def shared_limiter(source: str, limit: RateLimit) -> SlidingWindowLimiter:
    """One limiter per source and limit for the whole process.

    A publisher counts requests per key or per client, not per run: back-to-back runs in one
    process (schedules, the sensor, tests) must share the window, or the first requests of a
    run can exceed it and each 429 costs a minute.
    """
    with _LIMITERS_LOCK:
        return _LIMITERS.setdefault((source, limit), SlidingWindowLimiter(limit))
