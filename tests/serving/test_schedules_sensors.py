"""Schedules tick at the publishers' release times; the watcher runs a job once per file change."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
import requests
from dagster._utils.schedules import cron_string_iterator
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipelines.definitions import JOBS, SCHEDULES, SENSORS
from pipelines.defs import sensors
from pipelines.defs.resources import PublishersResource
from pipelines.sources.fred.urls import FREDGRAPH_PATH
from pipelines.sources.mof import urls as mof_urls
from pipelines.sources.tic import urls as tic_urls
from tests.conftest import REPO_ROOT

UTC_ = ZoneInfo("UTC")
fred_daily_schedule = SCHEDULES["fred_daily_schedule"]
mof_flows_weekly_schedule = SCHEDULES["mof_flows_weekly_schedule"]
mof_jgb_schedule = SCHEDULES["mof_jgb_schedule"]
tic_schedule = SCHEDULES["tic_schedule"]
publisher_file_watcher = SENSORS["publisher_file_watcher"]


def _ticks(schedule: dg.ScheduleDefinition, start: datetime, n: int) -> list[datetime]:
    it = cron_string_iterator(start.timestamp(), schedule.cron_schedule,
                              schedule.execution_timezone)
    return [next(it).astimezone(UTC_) for _ in range(n)]


def test_every_schedule_names_its_zone_and_requests_its_job() -> None:
    for schedule in SCHEDULES.values():
        assert schedule.execution_timezone in ("Asia/Tokyo", "America/New_York",
                                               "America/Chicago"), schedule.name
        assert schedule.description
        tz = ZoneInfo(schedule.execution_timezone)
        tick = _ticks(schedule, datetime(2026, 11, 1, tzinfo=UTC), 1)[0].astimezone(tz)
        data = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick))
        assert len(data.run_requests or []) == 1, schedule.name
        assert schedule.job_name in set(JOBS)


def test_tic_runs_days_14_to_20_at_1630_new_york_across_dst() -> None:
    # November 2026 is EST (UTC-5); March 2026 straddles the DST change on the 8th (EDT, -4).
    nov = _ticks(tic_schedule, datetime(2026, 11, 1, tzinfo=UTC), 8)
    assert [t.day for t in nov] == [14, 15, 16, 17, 18, 19, 20, 14]
    assert {(t.hour, t.minute) for t in nov[:7]} == {(21, 30)}
    mar = _ticks(tic_schedule, datetime(2026, 3, 1, tzinfo=UTC), 1)
    assert (mar[0].day, mar[0].hour, mar[0].minute) == (14, 20, 30)


def test_mof_runs_on_tokyo_time() -> None:
    # 15:30 JST is 06:30 UTC every weekday (Japan has no daylight saving).
    ticks = _ticks(mof_jgb_schedule, datetime(2026, 11, 20, tzinfo=UTC), 3)  # a Friday
    assert [(t.day, t.hour, t.minute) for t in ticks] == [(20, 6, 30), (23, 6, 30), (24, 6, 30)]
    # Weekly flows: Thursday and Friday 09:30 JST = 00:30 UTC.
    weekly = _ticks(mof_flows_weekly_schedule, datetime(2026, 11, 16, tzinfo=UTC), 2)
    assert [(t.strftime("%a"), t.hour, t.minute) for t in weekly] == [("Thu", 0, 30),
                                                                      ("Fri", 0, 30)]


def test_fred_daily_runs_after_the_h15_update_in_chicago() -> None:
    ticks = _ticks(fred_daily_schedule, datetime(2026, 11, 20, tzinfo=UTC), 2)  # Friday
    assert [(t.strftime("%a"), t.hour, t.minute) for t in ticks] == [("Fri", 23, 30),
                                                                     ("Mon", 23, 30)]


class Publisher:
    """A publisher's file with an ETag that honours conditional HEAD and GET."""

    def __init__(self, body: bytes, etag: str, *, head_allowed: bool = True,
                 validators: bool = True) -> None:
        self.body, self.etag = body, etag
        self.head_allowed, self.validators = head_allowed, validators
        self.requests: list[str] = []

    def __call__(self, request: Request) -> Response:
        self.requests.append(request.method)
        if request.method == "HEAD" and not self.head_allowed:
            return Response(status=405)
        headers = {"ETag": self.etag} if self.validators else {}
        if self.validators and request.headers.get("If-None-Match") == self.etag:
            return Response(status=304, headers=headers)
        return Response(b"" if request.method == "HEAD" else self.body, headers=headers)


@pytest.fixture
def publishers(httpserver: HTTPServer) -> Iterator[dict[str, Publisher]]:
    files = {
        "mof_jgbcme": (mof_urls.JGB_CURRENT_EN.path, Publisher(b"jgb v1", '"j1"')),
        "tic_slt_table5": (tic_urls.SLT_TABLE5_PATH,
                           Publisher(b"tic v1", '"t1"', head_allowed=False)),
        "mof_week": (mof_urls.FLOWS_WEEKLY.path, Publisher(b"week v1", "", validators=False)),
        # FRED's release probe: DGS10 of the last two weeks (observation_date header, 2024-).
        "fred_daily_release": (FREDGRAPH_PATH, Publisher(
            b"observation_date,DGS10\n2026-11-17,4.10\n2026-11-18,4.12\n", "", validators=False)),
    }
    for path, handler in files.values():
        for method in ("HEAD", "GET"):
            httpserver.expect_request(path, method=method).respond_with_handler(handler)
    yield {name: handler for name, (_, handler) in files.items()}


@pytest.fixture(autouse=True)
def two_hourly_ticks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each tick two hours after the last, so the polling plan finds every file due."""
    ticks = iter(datetime(2026, 11, 19, h, tzinfo=UTC) for h in range(0, 24, 2))
    monkeypatch.setattr(sensors, "clock", lambda: next(ticks))
    monkeypatch.setenv("AS_OF_DATE", "2026-11-19")  # FRED's probe: keyless, the two weeks before
    monkeypatch.delenv("FRED_API_KEY", raising=False)


def _tick(httpserver: HTTPServer, cursor: str | None) -> dg.SensorResult:
    base = httpserver.url_for("").rstrip("/")
    context = dg.build_sensor_context(
        cursor=cursor,
        resources={"publishers": PublishersResource(mof_url=base, tic_url=base,
                                                    fred_graph_url=base)},
    )
    result = publisher_file_watcher(context)
    assert isinstance(result, dg.SensorResult)
    return result


def _sha(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _runs(result: dg.SensorResult) -> list[tuple[str, str]]:
    return sorted((r.job_name or "", r.run_key or "") for r in result.run_requests or [])


def test_watcher_requests_one_run_per_changed_file_and_none_when_unchanged(
    httpserver: HTTPServer, publishers: dict[str, Publisher]
) -> None:
    first = _tick(httpserver, None)  # nothing known yet: every file is new
    assert _runs(first) == [
        ("fred_daily", "fred_daily_release:DGS10 through 2026-11-18"),  # the newest value
        ("mof_flows_weekly", f"mof_week:{_sha(b'week v1')}"),  # no validators: body hash
        ("mof_jgb", 'mof_jgbcme:"j1"'),
        ("tic", f"tic_slt_table5:{_sha(b'tic v1')}"),  # HEAD refused: GET, body hash
    ]
    second = _tick(httpserver, first.cursor)
    assert _runs(second) == []
    assert second.skip_reason is not None
    # The JGB file was answered 304 to the conditional HEAD, never downloaded again.
    assert publishers["mof_jgbcme"].requests == ["HEAD", "HEAD"]
    # TIC refuses HEAD: conditional GET, 304 the second time.
    assert publishers["tic_slt_table5"].requests == ["HEAD", "GET", "HEAD", "GET"]

    publishers["mof_jgbcme"].body, publishers["mof_jgbcme"].etag = b"jgb v2", '"j2"'
    third = _tick(httpserver, second.cursor)
    assert _runs(third) == [("mof_jgb", 'mof_jgbcme:"j2"')]
    assert json.loads(third.cursor or "{}")["mof_jgbcme"]["version"] == '"j2"'
    assert _runs(_tick(httpserver, third.cursor)) == []


def test_watcher_keeps_going_when_one_publisher_fails(
    httpserver: HTTPServer, publishers: dict[str, Publisher]
) -> None:
    first = _tick(httpserver, None)
    publishers["mof_week"].body = b"week v2"
    cursor = json.loads(first.cursor or "{}")
    broken = dg.build_sensor_context(
        cursor=json.dumps(cursor),
        resources={"publishers": PublishersResource(
            mof_url=httpserver.url_for("").rstrip("/"),
            fred_graph_url=httpserver.url_for("").rstrip("/"),
            tic_url="http://127.0.0.1:9")},  # TIC unreachable
    )
    result = publisher_file_watcher(broken)
    assert _runs(result) == [("mof_flows_weekly", f"mof_week:{_sha(b'week v2')}")]
    kept = json.loads(result.cursor or "{}")["tic_slt_table5"]
    assert kept.pop("polled_at") > cursor["tic_slt_table5"].pop("polled_at")
    assert kept == cursor["tic_slt_table5"]


# --- safe by default: nothing starts by itself unless JGB_AUTOMATION=on ------------------------

STATUS_PROBE = (
    "from pipelines.definitions import defs\n"
    "repo = defs.get_repository_def()\n"
    "print(sorted({s.default_status.value for s in repo.schedule_defs}),"
    " sorted({s.default_status.value for s in repo.sensor_defs}),"
    " len(repo.schedule_defs), len(repo.sensor_defs))\n"
)


def _default_statuses(automation: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "JGB_AUTOMATION"}
    if automation is not None:
        env["JGB_AUTOMATION"] = automation
    out = subprocess.run([sys.executable, "-c", STATUS_PROBE], cwd=REPO_ROOT, env=env,
                         capture_output=True, text=True, timeout=300, check=True)
    return out.stdout.strip().splitlines()[-1]


def test_schedules_and_sensors_start_stopped_unless_automation_is_on() -> None:
    assert _default_statuses(None) == "['STOPPED'] ['STOPPED'] 7 2"


def test_jgb_automation_on_starts_every_schedule_and_sensor() -> None:
    assert _default_statuses("on") == "['RUNNING'] ['RUNNING'] 7 2"


@pytest.mark.parametrize(("value", "on"), [(None, False), ("", False), ("off", False),
                                           ("0", False), ("no", False), ("on", True),
                                           ("1", True), ("true", True), (" ON ", True)])
def test_only_an_explicit_yes_turns_automation_on(
    value: str | None, on: bool, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pipelines.lib.settings import automation_enabled

    if value is None:
        monkeypatch.delenv("JGB_AUTOMATION", raising=False)
    else:
        monkeypatch.setenv("JGB_AUTOMATION", value)
    assert automation_enabled() is on


INSTIGATORS = """
query {
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes {
        schedules { name scheduleState { status } }
        sensors { name sensorState { status } }
      }
    }
  }
}
"""


DAEMONS = "{ instance { daemonHealth { allDaemonStatuses { daemonType healthy } } } }"


def _daemons_beating(port: int) -> bool:
    """Whether the daemons that evaluate sensors and schedules have each reported in."""
    try:
        reply = requests.post(f"http://127.0.0.1:{port}/graphql", json={"query": DAEMONS},
                              timeout=10).json()
        statuses = reply["data"]["instance"]["daemonHealth"]["allDaemonStatuses"]
    except (requests.RequestException, KeyError, TypeError, ValueError):
        return False
    healthy = {d["daemonType"] for d in statuses if d["healthy"]}
    return {"SENSOR", "SCHEDULER", "ASSET"} <= healthy


@pytest.mark.slow
def test_make_dev_starts_no_schedule_sensor_or_run_even_with_automation_in_the_shell(
    tmp_path: Path,
) -> None:
    """The real `make dev` (webserver and daemon), with JGB_AUTOMATION=on exported by the
    shell: every schedule and sensor is STOPPED, and the daemon launches no run."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO_ROOT / "dagster.yaml").read_text())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Sensor intervals of 1 s: a sensor left RUNNING would tick within seconds of the
    # daemon's start, so a few seconds after its heartbeat are enough to see it launch.
    env = {**os.environ, "DAGSTER_HOME": str(home), "JGB_AUTOMATION": "on",
           "ASSETS_DIR": str(tmp_path / "assets"), "JGB_WATCH_INTERVAL_S": "1",
           "JGB_AUTOMATION_INTERVAL_S": "1"}
    dev = subprocess.Popen(["make", "-s", "dev", f"DEV_PORT={port}"], cwd=REPO_ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        nodes = None
        while time.monotonic() < deadline and dev.poll() is None:
            try:
                reply = requests.post(f"http://127.0.0.1:{port}/graphql",
                                  json={"query": INSTIGATORS}, timeout=10).json()
                nodes = reply["data"]["repositoriesOrError"]["nodes"]
                if nodes:
                    break
            except (requests.RequestException, KeyError, TypeError, ValueError):
                pass
            time.sleep(2)
        assert nodes, "make dev did not serve the code location"
        while time.monotonic() < deadline and not _daemons_beating(port):
            time.sleep(1)
        assert _daemons_beating(port), "make dev's daemon never evaluated sensors"
        time.sleep(8)  # several 1 s ticks: a RUNNING sensor would have launched by now
    finally:
        os.killpg(dev.pid, signal.SIGTERM)
        try:
            dev.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(dev.pid, signal.SIGKILL)
            dev.wait()

    schedules = {s["name"]: s["scheduleState"]["status"] for n in nodes for s in n["schedules"]}
    sensors = {s["name"]: s["sensorState"]["status"] for n in nodes for s in n["sensors"]}
    assert len(schedules) == 7 and set(schedules.values()) == {"STOPPED"}, schedules
    assert len(sensors) == 2 and set(sensors.values()) == {"STOPPED"}, sensors
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_runs() == []
