"""FRED has no file to watch: the watcher asks about DGS10 (sources/fred/probe.py) and runs
fred_daily once per release, in both modes, against the replica over real HTTP."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest
import requests
from pytest_httpserver import HTTPServer

from pipelines.definitions import SENSORS
from pipelines.defs import sensors
from pipelines.defs.resources import PublishersResource
from pipelines.replica import Replica
from tests.defs.conftest import AS_OF

API_KEY = "k3y0fthet3st0nlyabcdefghijklmnop"  # 32 lowercase alphanumerics, as FRED issues
# Thursday 2026-11-19, 15:10 in Chicago (CST, UTC-6): inside FRED's 15:00-16:40 window.
IN_WINDOW = datetime(2026, 11, 19, 21, 10, tzinfo=UTC)


@pytest.fixture
def replica(monkeypatch: pytest.MonkeyPatch) -> Iterator[Replica]:
    monkeypatch.setenv("AS_OF_DATE", AS_OF.isoformat())
    rep = Replica.start(as_of=AS_OF)
    yield rep
    rep.stop()


def _newest_dgs10(replica: Replica) -> str:
    """The last day DGS10 has a value on the replica, read with csv (no pipeline code)."""
    text = requests.get(f"{replica.url}/graph/fredgraph.csv", params={"id": "DGS10"},
                        timeout=10).text
    rows = [r for r in csv.reader(io.StringIO(text)) if r and r[0][:1].isdigit()]
    return max(r[0] for r in rows if r[1] not in ("", "."))


def _last_updated(replica: Replica) -> str:
    time.sleep(1.0)  # the replica allows a key 2 requests a second, as FRED's limit is per key
    body = requests.get(f"{replica.url}/fred/series", timeout=10, params={
        "series_id": "DGS10", "api_key": API_KEY, "file_type": "json"}).json()
    return body["seriess"][0]["last_updated"]


class Ticks:
    """The watcher ticked on a clock this test moves."""

    def __init__(self, resource: PublishersResource, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = IN_WINDOW
        self.cursor: str | None = None
        self.resource = resource
        monkeypatch.setattr(sensors, "clock", lambda: self.now)

    def after(self, minutes: int) -> list[tuple[str, str]]:
        self.now += timedelta(minutes=minutes)
        context = dg.build_sensor_context(cursor=self.cursor,
                                          resources={"publishers": self.resource})
        result = SENSORS["publisher_file_watcher"](context)
        assert isinstance(result, dg.SensorResult)
        self.cursor = result.cursor
        return [(r.job_name or "", r.run_key or "") for r in result.run_requests or []
                if r.job_name == "fred_daily"]

    def state(self) -> dict[str, str | None]:
        return json.loads(self.cursor or "{}")["fred_daily_release"]


def _resource(replica: Replica, api_key: str | None, monkeypatch: pytest.MonkeyPatch
              ) -> PublishersResource:
    if api_key:
        monkeypatch.setenv("FRED_API_KEY", api_key)
    else:
        monkeypatch.delenv("FRED_API_KEY", raising=False)
    return PublishersResource(fred_graph_url=replica.url, fred_api_url=replica.url,
                              mof_url=replica.url, tic_url=replica.url)


def test_keyless_a_new_dgs10_day_runs_fred_daily_once_on_the_next_dense_poll(
        replica: Replica, monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = Ticks(_resource(replica, None, monkeypatch), monkeypatch)
    day = _newest_dgs10(replica)
    assert ticks.after(0) == [("fred_daily", f"fred_daily_release:DGS10 through {day}")]
    assert ticks.after(2) == []  # asked again in the window: same day, no run
    replica.publish_day()
    new_day = _newest_dgs10(replica)
    assert new_day > day
    assert ticks.after(1) == []  # one minute after the last poll: not due
    assert ticks.after(1) == [("fred_daily", f"fred_daily_release:DGS10 through {new_day}")]
    assert ticks.after(2) == []
    probes = [r for r in replica.requests if r.path.endswith("fredgraph.csv")]
    assert len(probes) == 4 + 2  # four polls, and the two reads of this test


def test_api_mode_runs_on_fred_s_last_updated_stamp_and_never_shows_the_key(
        replica: Replica, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    ticks = Ticks(_resource(replica, API_KEY, monkeypatch), monkeypatch)
    first = ticks.after(0)
    assert len(first) == 1 and first[0][0] == "fred_daily"
    stamp = datetime.fromisoformat(first[0][1].split(" updated ")[1])
    assert stamp == datetime.strptime(_last_updated(replica) + "00", "%Y-%m-%d %H:%M:%S%z")
    time.sleep(1.0)
    assert ticks.after(2) == []
    replica.publish_day()
    time.sleep(1.0)
    assert len(ticks.after(2)) == 1
    said = capsys.readouterr()
    assert "fred_daily_release: GET 200" in said.err  # the sensor's own log line
    assert API_KEY not in (ticks.cursor or "") + said.out + said.err
    sent = [r for r in replica.requests if r.path == "/fred/series"]
    assert len(sent) == 3 + 1  # three polls, one read of this test


def test_an_error_page_is_one_warning_and_keeps_the_last_release(
        httpserver: HTTPServer, replica: Replica, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    ticks = Ticks(_resource(replica, None, monkeypatch), monkeypatch)
    assert ticks.after(0)
    known = ticks.state()["version"]
    # FRED answers 200 with an HTML maintenance page.
    httpserver.expect_request("/graph/fredgraph.csv").respond_with_data(
        "<html><body>Down for maintenance</body></html>", content_type="text/html")
    ticks.resource = PublishersResource(fred_graph_url=httpserver.url_for("").rstrip("/"),
                                        mof_url=replica.url, tic_url=replica.url)
    capsys.readouterr()
    assert ticks.after(2) == []
    warned = [line for line in capsys.readouterr().err.splitlines() if "WARNING" in line]
    assert len(warned) == 1, warned
    assert "fred_daily_release: http://localhost" in warned[0]
    assert "/graph/fredgraph.csv could not be checked: ParseError:" in warned[0]
    assert ticks.state()["version"] == known
    ticks.resource = _resource(replica, None, monkeypatch)
    assert ticks.after(2) == []  # healed: same release, no second run
