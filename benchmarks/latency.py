"""Publication latency on a simulated clock, run as a child process by `benchmarks.run`.

A day of production is replayed in-process, in seconds: the watcher sensor ticks every
WATCH_INTERVAL_S (60 s) of simulated time with the simulated clock as its own, so the
polling plan it follows (pipelines/lib/polling.py) decides which files each tick asks about;
a tick on which no file is due sends nothing and changes nothing, so it is counted but not
evaluated, each schedule at its cron ticks (in its own zone),
and the runs they request are executed for real against the replica. After each run the
declarative-automation conditions are evaluated (the automation sensor's 30 s interval is
added to the simulated clock) and the requested mart and serving assets are materialised.
The replica publishes a new day at a known simulated moment; the latency is the simulated
time from then until `marts.latest_indicators` carries an indicator dated that day. The
simulated clock advances by each run's real duration, so slow runs count.

    python -m benchmarks.latency --replica URL --out r.json [--publish-time 06:07] [--hours 24]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
from dagster._utils.schedules import cron_string_iterator

from benchmarks.distribution import distribution, processing_from_runs
from pipelines.definitions import SCHEDULES, SENSORS, WATCHED, defs
from pipelines.defs import sensors
from pipelines.defs.resources import PublishersResource
from pipelines.defs.sensors import WATCH_INTERVAL_S
from pipelines.lib import polling
from pipelines.lib.settings import Settings
from pipelines.replica.sample.calendars import is_jp_business_day

AUTOMATION_INTERVAL_S = 30  # default_automation_condition_sensor's minimum interval
# Real seconds kept between FRED requests of different senders (the probe, a run): the replica
# limits FRED to 2/s in real time, while simulated minutes pass in milliseconds; production
# sends a probe every 2 minutes and starts a run in its own process seconds after the tick.
FRED_SPACING_S = 1.0
WATCHED_INDICATORS = ("jgb_10y_pct", "ust_10y_pct", "spread_10y_bp")


@dataclass(order=True)
class Event:
    at: datetime
    kind: str  # "publish" | "watch" | "schedule"
    name: str = ""


def _post(url: str) -> dict[str, Any]:
    req = urllib.request.Request(url, data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def _request_count(replica: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(replica + "/_replica/requests", timeout=30) as resp:
        return json.loads(resp.read())


class Day:
    """The simulated day: clock, instance, cursors and what was observed."""

    def __init__(self, replica: str, start: datetime, publish_at: datetime) -> None:
        self.replica = replica
        self.now = start
        self.publish_at = publish_at
        self.new_day: str | None = None
        self.instance = dg.DagsterInstance.ephemeral()
        self.publishers = PublishersResource()
        self.watch_cursor: str | None = None
        self.auto_cursor: Any = None
        self.run_keys: set[str] = set()
        self.polls = 0  # the watcher's polls; every other request was sent by a run
        self.fred_at = 0.0  # perf_counter of the last tick or run that may have asked FRED
        self.runs: list[dict[str, Any]] = []
        self.shown: dict[str, float] = {}  # indicator -> minutes after publication
        self.warehouse = Settings.from_env().warehouse_path

    def _advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        os.environ["AS_OF_DATE"] = self.now.date().isoformat()

    def _space_fred(self) -> None:
        time.sleep(max(0.0, self.fred_at + FRED_SPACING_S - time.perf_counter()))

    def _execute(self, why: str, job_name: str | None, keys: list[dg.AssetKey] | None) -> None:
        if keys is None:  # an ingestion job may ask FRED
            self._space_fred()
        started = time.perf_counter()
        if keys is not None:
            job = defs.resolve_implicit_global_asset_job_def()
        else:
            job = defs.resolve_job_def(job_name or "")
        result = job.execute_in_process(instance=self.instance, asset_selection=keys,
                                        raise_on_error=False, tags={"bench": why})
        elapsed = time.perf_counter() - started
        if keys is None:
            self.fred_at = time.perf_counter()
        mats = [e.asset_key.to_user_string() for e in result.all_events
                if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key]
        self.runs.append({"at": self.now.isoformat(), "why": why, "job": job_name or "automation",
                          "success": result.success, "seconds": round(elapsed, 2),
                          "materialised": len(mats), "keys": mats if keys else []})
        self._advance(elapsed)
        if any(m.startswith("marts/") for m in mats):
            self._look()

    def _look(self) -> None:
        if self.new_day is None or not self.warehouse.exists():
            return
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            rows = con.execute("SELECT indicator FROM marts.latest_indicators WHERE as_of >= ?",
                               [self.new_day]).fetchall()
        finally:
            con.close()
        minutes = (self.now - self.publish_at).total_seconds() / 60
        for (indicator,) in rows:
            self.shown.setdefault(indicator, round(minutes, 2))

    def automate(self) -> None:
        """Automation sensor ticks until nothing more is requested (marts, then serving)."""
        while True:
            wait = -self.now.timestamp() % AUTOMATION_INTERVAL_S
            self._advance(wait)
            result = dg.evaluate_automation_conditions(
                defs=defs, instance=self.instance, cursor=self.auto_cursor)
            self.auto_cursor = result.cursor
            keys = [r.key for r in result.results if r.true_subset.size > 0]
            if not keys:
                return
            self._execute("automation", None, keys)

    def run_requests(self, why: str, requests: list[dg.RunRequest],
                     job_name: str | None = None) -> None:
        for req in requests:
            if req.run_key and req.run_key in self.run_keys:
                continue
            if req.run_key:
                self.run_keys.add(req.run_key)
            self._execute(why, req.job_name or job_name, None)
            self.automate()

    def due(self, which: Callable[[Any], bool] = lambda w: True) -> bool:
        """Would the watcher ask about any file now? (The sensor's own test, from its cursor.)"""
        cursor = json.loads(self.watch_cursor or "{}")
        for w in filter(which, WATCHED):
            polled = (cursor.get(w.name) or {}).get("polled_at")
            last = datetime.fromisoformat(polled) if polled else None
            if polling.due(w.plan, last, self.now):
                return True
        return False

    def watch(self) -> dg.SensorResult:
        sensors.clock = lambda: self.now  # the sensor's plan runs on the simulated clock
        asks_fred = self.due(lambda w: w.name.startswith("fred"))
        if asks_fred:
            self._space_fred()
        context = dg.build_sensor_context(cursor=self.watch_cursor, instance=self.instance,
                                          resources={"publishers": self.publishers})
        result = SENSORS["publisher_file_watcher"](context)
        assert isinstance(result, dg.SensorResult)
        self.watch_cursor = result.cursor
        if asks_fred:
            self.fred_at = time.perf_counter()
        # Each watched entry stamped with this tick was asked once (one HEAD or small GET).
        self.polls += sum(1 for state in json.loads(result.cursor or "{}").values()
                          if state.get("polled_at") == self.now.isoformat())
        return result


def schedule_events(start: datetime, end: datetime) -> list[Event]:
    events = []
    for schedule in SCHEDULES.values():
        ticks = cron_string_iterator(start.timestamp(), schedule.cron_schedule,
                                     schedule.execution_timezone)
        for tick in ticks:
            if tick.astimezone(UTC) >= end:
                break
            events.append(Event(tick.astimezone(UTC), "schedule", schedule.name))
    return events


def simulate(replica: str, publish_at: datetime, hours: float) -> dict[str, Any]:
    # Watcher ticks fall on the minutes from midnight (or from the hour before the
    # publication in a shorter window).
    start = publish_at.replace(hour=0, minute=0, second=0, microsecond=0)
    if hours < 24:
        start = max(start, publish_at.replace(minute=0, second=0, microsecond=0)
                    - timedelta(hours=1) * (hours > 1))
    end = start + timedelta(hours=hours)
    day = Day(replica, start, publish_at)
    os.environ["AS_OF_DATE"] = start.date().isoformat()
    # Production state before the day starts: every asset materialised with its checks
    # passed (the warehouse is already loaded), the watcher's and automation's cursors current.
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        day.instance.report_runless_asset_event(dg.AssetMaterialization(key))
    for check in graph.asset_check_keys:
        day.instance.report_runless_asset_event(dg.AssetCheckEvaluation(
            asset_key=check.asset_key, check_name=check.name, passed=True))
    day.watch()
    day.automate()
    day.polls = 0
    primed_runs = len(day.runs)
    before = len(_request_count(replica))
    events = [Event(publish_at, "publish")]
    tick = start + timedelta(seconds=WATCH_INTERVAL_S)
    while tick < end:
        events.append(Event(tick, "watch"))
        tick += timedelta(seconds=WATCH_INTERVAL_S)
    events += schedule_events(start, end)
    wall = time.perf_counter()
    watch_ticks = evaluated = 0
    for event in sorted(events):
        if event.at > day.now:
            day._advance((event.at - day.now).total_seconds())
        if event.kind == "publish":
            day.new_day = _post(replica + "/_replica/publish-day?day="
                                + publish_at.date().isoformat())["as_of"]
        elif event.kind == "watch":
            watch_ticks += 1
            if day.due():
                evaluated += 1
                day.run_requests("watcher", list(day.watch().run_requests or []))
        else:
            schedule = SCHEDULES[event.name]
            tz_tick = event.at.astimezone(ZoneInfo(schedule.execution_timezone))
            data = schedule.evaluate_tick(dg.build_schedule_context(
                instance=day.instance, scheduled_execution_time=tz_tick))
            day.run_requests(event.name, list(data.run_requests or []), schedule.job_name)
    records = _request_count(replica)[before:]
    by_publisher: dict[str, int] = {}
    for r in records:
        path = r["path"]
        who = "fred" if path.startswith(("/fred/", "/graph/")) else \
            "tic" if "/tic/" in path else "mof"
        key = f"{who} {r['method']}"
        by_publisher[key] = by_publisher.get(key, 0) + 1
    return {
        "simulated_hours": hours, "publish_at": publish_at.isoformat(), "new_day": day.new_day,
        "real_seconds": round(time.perf_counter() - wall, 1), "watch_ticks": watch_ticks,
        "watch_ticks_polling": evaluated,
        "watch_interval_s": WATCH_INTERVAL_S, "primed_runs": primed_runs,
        "requests": len(records), "bytes": sum(r["bytes_sent"] for r in records),
        "requests_by_publisher": by_publisher,
        "requests_per_day": round(len(records) * 24 / hours, 1),
        "poll_requests": day.polls,
        "run_requests_per_day": round((len(records) - day.polls) * 24 / hours, 1),
        "minutes_to_indicator": day.shown,
        "first_indicator_minutes": min(day.shown.values()) if day.shown else None,
        "runs": day.runs[primed_runs:],
    }


def next_publication(replica: str, at: time_of_day) -> datetime:
    """The replica's next business day (as `publish_day` picks it) at `at` UTC."""
    with urllib.request.urlopen(replica + "/_replica/state", timeout=30) as resp:
        day = date.fromisoformat(json.loads(resp.read())["as_of"]) + timedelta(days=1)
    while day.weekday() >= 5 or not is_jp_business_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, at, tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.latency")
    ap.add_argument("--replica", required=True)
    ap.add_argument("--publish-at", type=datetime.fromisoformat,
                    help="default: the replica's next business day at --publish-time")
    ap.add_argument("--publish-time", type=time_of_day.fromisoformat,
                    default=time_of_day(6, 7), help="UTC; 06:07 is 15:07 in Tokyo")
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    replica = args.replica.rstrip("/")
    publish_at = args.publish_at or next_publication(replica, args.publish_time)
    result = simulate(replica, publish_at.astimezone(UTC), args.hours)
    processing, notes = processing_from_runs(result["runs"], AUTOMATION_INTERVAL_S)
    plan = distribution(processing)
    # In all: the polling plan on the busiest day, plus what this day's runs sent.
    plan["requests_in_all"] = plan["requests_per_day"] + result["run_requests_per_day"]
    result["distribution"] = {**plan, "processing_s": processing, "processing_notes": notes}
    args.out.write_text(json.dumps(result, indent=1, default=str))
    return 0 if result["first_indicator_minutes"] is not None else 1


if __name__ == "__main__":
    sys.exit(main())
