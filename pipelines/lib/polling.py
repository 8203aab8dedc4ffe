"""When to ask each publisher "anything new?": densely in its known release window, sparsely
otherwise. Plain code (no Dagster) so the watcher sensor and the benchmark's simulator use the
same plan.

Each window is declared with its publisher's cadence (`Cadence.window`, in
pipelines/sources/<publisher>/): the release time widened by a margin, in the publisher's own
time zone so daylight saving moves it correctly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    """Release window of one watched publication, in the publisher's zone."""

    name: str
    zone: str
    start: time_of_day
    end: time_of_day
    weekdays: frozenset[int] = frozenset(range(5))  # Monday = 0
    days_of_month: frozenset[int] | None = None  # None: every day
    requests_per_poll: int = 1  # HEADs or tiny GETs one poll sends

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.zone))
        if local.weekday() not in self.weekdays:
            return False
        if self.days_of_month is not None and local.day not in self.days_of_month:
            return False
        return self.start <= local.time() < self.end


DENSE = timedelta(minutes=2)  # inside a window: a release waits at most this long to be seen
# Outside: an off-calendar release waits at most two hours (each cadence's schedule still runs
# after its release time). Two, not one: the busiest day (every window open) stays well under
# 300 requests in all, runs included (benchmarks/REPORT.md).
SPARSE = timedelta(hours=2)



def interval(window: Window, moment: datetime) -> timedelta:
    """How long after `moment` the next poll of this publication is due."""
    return DENSE if window.contains(moment) else SPARSE


def due(window: Window, last_poll: datetime | None, now: datetime) -> bool:
    """Poll now? (The sensor ticks often and asks this per publication.)"""
    if last_poll is None:
        return True
    return now - last_poll >= interval(window, last_poll) or (
        window.contains(now) and not window.contains(last_poll))


def polls(window: Window, start: datetime, end: datetime,
          tick: timedelta = timedelta(minutes=1)) -> Iterator[datetime]:
    """The moments a sensor ticking every `tick` from `start` polls this publication."""
    last: datetime | None = None
    now = start
    while now < end:
        if due(window, last, now):
            last = now
            yield now
        now += tick


def release_minutes(window: Window, day: date) -> list[datetime]:
    """Every minute of the window on `day` (publisher's zone), in UTC."""
    zone = ZoneInfo(window.zone)
    moment = datetime.combine(day, window.start, tzinfo=zone)
    end = datetime.combine(day, window.end, tzinfo=zone)
    out = []
    while moment < end:
        out.append(moment.astimezone(UTC))
        moment += timedelta(minutes=1)
    return out
