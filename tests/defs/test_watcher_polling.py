"""The watcher follows the polling plan: each file every 2 min in its release window, every
2 hours outside it, and a changed file still requests its job. Against the replica, over real
HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from pipelines.definitions import SENSORS
from pipelines.defs import sensors
from pipelines.defs.resources import PublishersResource
from pipelines.replica import Replica
from tests.defs.conftest import AS_OF

# Thursday 2026-11-19 (TIC's days 14-20 and MOF's weekly day): every file's window opens.
DAY = datetime(2026, 11, 19, tzinfo=UTC)
# Windows in UTC that day, written from the publishers' calendars, not from polling.py:
JGB_WINDOW = (DAY.replace(hour=5, minute=30), DAY.replace(hour=7, minute=30))  # 14:30-16:30 JST
PATHS = {"mof_jgbcme": "jgbcme.csv", "tic_slt_table5": "slt_table5", "mof_week": "week.csv",
         "fred_daily_release": "fredgraph.csv"}


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    rep = Replica.start(as_of=AS_OF)
    yield rep
    rep.stop()


@pytest.fixture(autouse=True)
def keyless_as_of_the_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    """FRED's release probe asks fredgraph.csv for the replica's last two weeks."""
    monkeypatch.setenv("AS_OF_DATE", AS_OF.isoformat())
    monkeypatch.delenv("FRED_API_KEY", raising=False)


@pytest.fixture(scope="module")
def instance() -> dg.DagsterInstance:
    return dg.DagsterInstance.ephemeral()  # one for every tick: a new one per tick costs 0.3 s


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def _tick(replica: Replica, cursor: str | None,
          instance: dg.DagsterInstance | None = None) -> dg.SensorResult:
    publishers = PublishersResource(mof_url=replica.url, tic_url=replica.url,
                                    fred_graph_url=replica.url)
    context = dg.build_sensor_context(cursor=cursor, instance=instance,
                                      resources={"publishers": publishers})
    result = SENSORS["publisher_file_watcher"](context)
    assert isinstance(result, dg.SensorResult)
    return result


def _simulate(replica: Replica, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch,
              start: datetime, hours: float) -> dict[str, list[datetime]]:
    """Tick every minute (the sensor's interval) for `hours`; when each file was asked."""
    clock = Clock(start)
    monkeypatch.setattr(sensors, "clock", clock)
    cursor = _tick(replica, None, instance).cursor  # first tick: everything due, versions learnt
    asked: dict[str, list[datetime]] = {name: [] for name in PATHS}
    time.sleep(0.2)  # the replica logs a request after answering it
    before = len(replica.requests)
    for _ in range(int(hours * 60)):
        clock.now += timedelta(seconds=sensors.WATCH_INTERVAL_S)
        result = _tick(replica, cursor, instance)
        assert not result.run_requests
        cursor = result.cursor
        for name, state in json.loads(cursor or "{}").items():
            if state["polled_at"] == clock.now.isoformat():
                asked[name].append(clock.now)
    time.sleep(0.2)
    sent = replica.requests[before:]
    # Every poll the cursor records is one request on the wire (a 304 to a conditional HEAD
    # here), and there is no other request.
    for name, path in PATHS.items():
        assert sum(path in r.path for r in sent) == len(asked[name]), name
    assert len(sent) == sum(len(v) for v in asked.values())
    return asked


def _gaps(times: list[datetime], lo: datetime, hi: datetime) -> list[float]:
    inside = [t for t in times if lo <= t < hi]
    return [(b - a).total_seconds() / 60 for a, b in zip(inside, inside[1:], strict=False)]


def test_each_file_is_asked_every_2_min_in_its_window_and_every_2_hours_outside(
        replica: Replica, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch) -> None:
    # 04:25-10:35 UTC: the JGB file's window with an hour before and three after; TIC's, the
    # weekly file's and FRED's windows are closed all along (370 ticks after the first).
    start = JGB_WINDOW[0] - timedelta(minutes=65)
    asked = _simulate(replica, instance, monkeypatch, start, 370 / 60)
    jgb = asked["mof_jgbcme"]
    dense = _gaps(jgb, *JGB_WINDOW)
    assert len(dense) == 59 and set(dense) == {2.0}, dense  # 120 min / 2 = 60 polls
    # Before: the first tick (04:25) was due until 06:25, but the window opening at 05:30
    # makes the JGB file due at once.
    assert jgb[0] == JGB_WINDOW[0], jgb[:2]
    # After the window: the poll the last dense one scheduled, then every 2 hours.
    after = [t for t in jgb if t >= JGB_WINDOW[1]]
    assert after == [JGB_WINDOW[1], JGB_WINDOW[1] + timedelta(hours=2)], after
    for name in ("tic_slt_table5", "mof_week", "fred_daily_release"):
        assert asked[name] == [start + timedelta(hours=h) for h in (2, 4, 6)], (name, asked[name])


def test_a_changed_file_requests_its_job_on_the_next_dense_poll(
        replica: Replica, instance: dg.DagsterInstance, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(JGB_WINDOW[0] + timedelta(minutes=10))
    monkeypatch.setattr(sensors, "clock", clock)
    cursor = _tick(replica, None, instance).cursor
    replica.publish_day()
    clock.now += timedelta(minutes=1)  # one minute after the last poll: not due yet
    quiet = _tick(replica, cursor, instance)
    assert not quiet.run_requests
    clock.now += timedelta(minutes=1)
    seen = _tick(replica, quiet.cursor, instance)
    jobs = [r.job_name for r in seen.run_requests or []]
    assert "mof_jgb" in jobs, json.loads(seen.cursor or "{}")
    state = json.loads(seen.cursor or "{}")["mof_jgbcme"]
    assert state["polled_at"] == clock.now.isoformat()
