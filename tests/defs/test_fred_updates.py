"""API mode asks FRED once per refresh which series changed (fred/series/updates), and the
replica answers that question in FRED's documented JSON shape. Request counts from the
replica's own log; expectations from the test's own requests to fred/series."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests

from pipelines.replica import Replica
from tests.defs.conftest import AS_OF
from tests.defs.test_fred_assets import (
    API_KEY,
    OBSERVATIONS,
    SMALL,
    api_get,
    run,
    settled_count,
    small_catalogue,
)

UPDATES = "/fred/series/updates"
STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d-0[56]")


@pytest.fixture
def api_dir(pipeline_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FRED_API_KEY", API_KEY)
    return pipeline_env


def _fred_paths(rep: Replica, since: int) -> list[str]:
    return sorted(r.path for r in rep.requests[since:] if r.path.startswith("/fred/")
                  and r.status != 429)


def test_replica_lists_updates_newest_first_in_pages_within_two_weeks(replica: Replica) -> None:
    first = api_get(replica, UPDATES, limit="5")
    assert (first["order_by"], first["sort_order"], first["filter_value"]) == \
        ("last_updated", "desc", "all")
    assert (first["offset"], first["limit"], len(first["seriess"])) == (0, 5, 5)
    pages = [first] + [api_get(replica, UPDATES, limit="5", offset=str(o))
                       for o in range(5, first["count"], 5)]
    items = [i for p in pages for i in p["seriess"]]
    assert len(items) == first["count"] and all(STAMP.fullmatch(i["last_updated"]) for i in items)
    stamps = [i["last_updated"][:19] for i in items]
    assert stamps == sorted(stamps, reverse=True)
    # Each item says what fred/series says, and only updates of the last 14 days are listed.
    for item in items[:3]:
        (meta,) = api_get(replica, "/fred/series", series_id=item["id"])["seriess"]
        assert (item["last_updated"], item["units"]) == (meta["last_updated"], meta["units"])
    oldest = (AS_OF - timedelta(days=14)).isoformat()
    assert min(stamps) >= oldest
    # A time range (YYYYMMDDHhmm, both ends) narrows the list; one end alone is refused.
    day = max(stamps)[:10].replace("-", "")
    narrowed = api_get(replica, UPDATES, start_time=day + "0000", end_time=day + "2359")
    assert {i["id"] for i in narrowed["seriess"]} == \
        {i["id"] for i in items if i["last_updated"].startswith(max(stamps)[:10])}
    time.sleep(1.1)  # out of the replica's 2/s limit
    alone = requests.get(f"{replica.url}{UPDATES}", timeout=10, params={
        "api_key": API_KEY, "file_type": "json", "start_time": day + "0000"})
    assert alone.status_code == 400 and "end_time" in alone.json()["error_message"]


def test_a_no_change_api_refresh_is_one_request_and_a_new_day_fetches_only_updated_series(
    replica: Replica, api_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset = small_catalogue(tmp_path, SMALL)
    assert run(api_dir, asset).success  # first load: fred/series + observations per series

    before = settled_count(replica)
    assert run(api_dir, asset).success
    assert _fred_paths(replica, before) == [UPDATES]  # was 3 fred/series (18 for the catalogue)

    # The replica publishes a day; FRED's own fred/series says which series it touched.
    stamps = {sid: api_get(replica, "/fred/series", series_id=sid)["seriess"][0]["last_updated"]
              for sid in SMALL}
    new_day = replica.publish_day()
    monkeypatch.setenv("AS_OF_DATE", new_day.isoformat())
    touched = sorted(sid for sid in SMALL if api_get(replica, "/fred/series", series_id=sid)
                     ["seriess"][0]["last_updated"] != stamps[sid])
    assert touched  # the daily rate at least
    before = settled_count(replica)
    assert run(api_dir, asset).success
    assert _fred_paths(replica, before) == sorted(
        [UPDATES] + ["/fred/series"] * len(touched) + [OBSERVATIONS] * len(touched))
    asked = {r.query.split("series_id=")[1].split("&")[0] for r in replica.requests[before:]
             if r.path == "/fred/series"}
    assert sorted(asked) == touched

    # Three weeks without a complete check: older than FRED keeps, so fred/series per series.
    monkeypatch.setenv("AS_OF_DATE", (new_day + timedelta(days=21)).isoformat())
    before = settled_count(replica)
    assert run(api_dir, asset).success
    assert _fred_paths(replica, before) == ["/fred/series"] * len(SMALL)


def test_window_start_falls_back_after_two_weeks() -> None:
    from pipelines.ingest.fred.updates import window_start

    today = date(2026, 11, 20)
    assert window_start(None, today) is None
    assert window_start(today - timedelta(days=14), today) is None
    assert window_start(today - timedelta(days=13), today).date() == date(2026, 11, 6)


def test_a_check_made_while_fred_was_stale_never_hides_an_update_after_what_staging_holds() -> None:
    """The full fault matrix's frozen-file case in API mode: a run on D1 while FRED served D0
    recorded its check on D1; the next run must still ask from before staging's last_updated
    (a day's margin for time zones), or an update FRED made on D0 evening is never fetched."""
    from datetime import UTC, datetime

    from pipelines.ingest.fred.updates import window_start

    today = date(2026, 11, 19)
    held_d0 = datetime(2026, 11, 17, 21, 19, tzinfo=UTC)
    assert window_start(today, today).date() == date(2026, 11, 18)
    assert window_start(today, today, [held_d0, None]).date() == date(2026, 11, 16)
    # A stamp older than FRED keeps (a monthly series) does not widen the question.
    old = datetime(2026, 10, 1, tzinfo=UTC)
    assert window_start(today, today, [old]).date() == date(2026, 11, 18)


def test_a_check_covers_only_the_series_it_refreshed() -> None:
    import duckdb

    from pipelines.ingest.fred.updates import last_check, record_check

    con = duckdb.connect()
    record_check(con, ["DGS10", "IR3TIB01JPM156N"], date(2026, 11, 2))
    record_check(con, ["DGS10"], date(2026, 11, 20))  # the daily job ran again
    assert last_check(con, ["DGS10"]) == date(2026, 11, 20)
    assert last_check(con, ["DGS10", "IR3TIB01JPM156N"]) == date(2026, 11, 2)
    assert last_check(con, ["DGS10", "WALCL"]) is None  # WALCL never checked
