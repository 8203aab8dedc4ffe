"""Latency as a distribution: a release at every minute of each publisher's window.

The watcher's polling plan (pipelines.lib.polling, followed by publisher_file_watcher) says
when each release of a watched file, or of FRED's release probe (DGS10), is first seen; a
publisher with neither would be seen at its schedule's next tick. The processing time after
that (the ingest run, the automation sensor's interval and the marts run) is the one measured
on the replica in the same benchmark run. Requests per day count every poll the watcher sends
(one conditional HEAD or one small GET each) on a day when every window is open (a Thursday,
days 14-20); the schedules' runs are not polls.
"""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dagster._utils.schedules import cron_string_iterator

from pipelines.definitions import PUBLISHERS, SCHEDULES, WATCHED
from pipelines.defs.cadence import release_windows
from pipelines.lib import polling

WORST_DAY = date(2026, 11, 19)  # a Thursday in TIC's days 14-20: every window is open
REPORTED = ("mof_jgb", "fred_daily", "tic")


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def first_poll_after(window: polling.Window, release: datetime) -> datetime:
    """The first poll that sees a release published at `release` (polls strictly after it)."""
    start = release.replace(hour=0, minute=0) - timedelta(days=1)
    for moment in polling.polls(window, start, release + timedelta(days=1)):
        if moment > release:
            return moment
    raise ValueError(f"{window.name}: no poll within a day of {release}")


def first_schedule_tick_after(name: str, release: datetime) -> datetime:
    """An unwatched publication is seen at its schedule's next tick."""
    schedule = SCHEDULES[f"{name}_schedule"]
    ticks = cron_string_iterator(release.timestamp(), schedule.cron_schedule,
                                 schedule.execution_timezone)
    return next(t for t in ticks if t > release).astimezone(UTC)


def distribution(processing_s: dict[str, float], day: date = WORST_DAY) -> dict[str, Any]:
    """p50/p95/max minutes from release to the mart, per publisher, and requests per day."""
    publishers: dict[str, Any] = {}
    worst: dict[str, str] = {}
    every: list[float] = []
    watched = {w.window for w in WATCHED}
    windows = release_windows(PUBLISHERS)
    for name in REPORTED:
        window = windows[name]
        minutes = []
        for release in polling.release_minutes(window, day):
            seen = first_poll_after(window, release) if name in watched \
                else first_schedule_tick_after(name, release)
            minutes.append((seen - release).total_seconds() / 60 + processing_s[name] / 60)
        every += minutes
        publishers[name] = {
            "window": f"{window.start:%H:%M}-{window.end:%H:%M} {window.zone}",
            "releases": len(minutes), "p50": statistics.median(minutes),
            "p95": _quantile(minutes, 0.95), "max": max(minutes),
        }
        wait = (f"poll wait up to {polling.DENSE.total_seconds() / 60:.0f} min" if name in watched
                else f"wait for {name}_schedule (not watched)")
        worst[name] = f"{wait} + measured processing {processing_s[name]:.0f} s"
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    by_publisher = {}
    for w in WATCHED:
        by_publisher[w.name] = w.plan.requests_per_poll * sum(
            1 for _ in polling.polls(w.plan, start, start + timedelta(days=1)))
    return {"plan": "pipelines/lib/polling.py via publisher_file_watcher", "publishers": publishers,
            "p50_minutes": statistics.median(every), "max_minutes": max(every),
            "p95_minutes": _quantile(every, 0.95), "requests_by_publisher": by_publisher,
            "requests_per_day": sum(by_publisher.values()), "worst_case": worst}


JOBS = {"mof_jgb": "mof_jgb", "fred_daily": "fred_daily", "tic": "tic"}


def processing_from_runs(runs: list[dict[str, Any]], automation_interval_s: float
                         ) -> tuple[dict[str, float], dict[str, str]]:
    """Seconds from a poll that sees a release to the mart, per publisher, from the real runs
    of the simulated day: the ingest run, the automation interval, the automation run after it.
    A publisher with no run that day gets the largest measured one (said in the notes)."""
    found: dict[str, float] = {}
    for i, run in enumerate(runs):
        name = next((n for n, job in JOBS.items() if run["job"] == job), None)
        if name is None or name in found or not run["materialised"]:
            continue
        after = runs[i + 1] if i + 1 < len(runs) and runs[i + 1]["job"] == "automation" else None
        found[name] = float(run["seconds"]) + automation_interval_s + (
            float(after["seconds"]) if after else 0.0)
    notes = {}
    fallback = max(found.values(), default=0.0)
    for name in JOBS:
        if name not in found:
            found[name] = fallback
            notes[name] = "no run of this job in the simulated day: the largest measured used"
    return found, notes
