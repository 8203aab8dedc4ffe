"""The attacks of issue 14 against the replica, each a real Dagster run over real HTTP.

Each case copies a good D0 warehouse (or starts empty), lets the replica publish D1 with the
attack, runs the sources it hits and asserts: the reply is refused with one line naming the
source, the (redacted) URL and the cause; staging and the serving copy keep what they should;
the raw bytes are kept; and the secret search over every store finds nothing. Several attacks
on different tables share one run, to keep the suite short.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import pytest
import requests

from pipelines.defs.resources import PublishersResource
from pipelines.lib.warehouse import Warehouse
from pipelines.replica import Replica
from tests.reliability import harness as h
from tests.reliability.conftest import Baselines
from tests.reliability.secret_search import secret_hits

JGB_HISTORY = "/english/policy/jgbs/reference/interest_rate/historical/jgbcme_all.csv"
FLOWS_BY_INVESTOR = h.FLOWS_WEEKLY.replace("week.csv", "monthb3.csv")
JGB_KEY = dg.AssetKey(["mof", "jgb_yields"])
FLOWS_KEYS = h.SOURCES["MOF flows"].keys
PASSWORD = "hunter2pass"


def run(assets: list[dg.AssetsDefinition], folder: Path, keys: Sequence[dg.AssetKey],
        resources: dict[str, Any] | None = None) -> dg.ExecuteInProcessResult:
    """The selected assets only (no downstream), with the harness's fast resources."""
    return dg.materialize(assets, selection=dg.AssetSelection.assets(*keys),
                          resources=resources or h.fast_resources(folder), raise_on_error=False)


def lines(result: dg.ExecuteInProcessResult) -> list[str]:
    """Every error line a failed run shows, the causes of unexpected errors included."""
    messages = list(h.failure_messages(result))
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        while error is not None:
            messages.append(error.message.strip())
            error = error.cause
    return [ln for m in messages for ln in m.splitlines()]


def one_line(result: dg.ExecuteInProcessResult, *needles: str) -> str:
    """The one error line that holds every needle (errors are one line each)."""
    found = [ln for ln in lines(result) if all(n in ln for n in needles)]
    assert found, f"no error line with {needles}: {lines(result)}"
    return found[0]


def staged(folder: Path, table: str, where: str = "") -> tuple[int, int]:
    with h.connect_ro(folder / "warehouse.duckdb") as con:
        return h.table_digest(con, table, where)


def served(folder: Path, table: str, where: str = "") -> tuple[int, int]:
    path = folder / "serving" / "analytics.duckdb"
    with h.connect_ro(path) as con:
        return h.table_digest(con, table, where)


def fetch_rows(folder: Path, path: str) -> list[tuple]:
    with h.connect_ro(folder / "warehouse.duckdb") as con:
        return con.execute(
            "SELECT status, problem, raw_path, body_redacted FROM raw.fetch_log"
            " WHERE strpos(url, ?) > 0 ORDER BY fetch_id", [path]).fetchall()


def no_secrets(folder: Path, *results: dg.ExecuteInProcessResult, extra: Sequence[str] = ()
               ) -> None:
    hits = secret_hits([h.API_KEY, PASSWORD, *extra], roots=[folder], results=results)
    assert hits == []


def copy_of(baselines: Baselines, api: bool, tmp_path: Path) -> Path:
    case = tmp_path / "assets"
    shutil.copytree(baselines.get(api).dir, case)
    return case


def attacked(port: int, catalogue: Path, folder: Path, *, api: bool,
             setup: Callable[[Replica], None], go: Callable[[], dg.ExecuteInProcessResult]
             ) -> dg.ExecuteInProcessResult:
    rep = h.start_replica(h.D1, port)
    try:
        setup(rep)
        with h.environment(rep, folder, catalogue, api=api, as_of=h.D1):
            return go()
    finally:
        rep.stop()


def test_replies_touching_more_than_was_asked_are_refused_and_the_genuine_file_still_loads(
    baselines: Baselines, port: int, catalogue: Path, assets: list[dg.AssetsDefinition],
    tmp_path: Path,
) -> None:
    """FRED rows before the window, an old JGB row in the current file, a day-long
    Retry-After: three tables, one run; none of them changes."""
    case = copy_of(baselines, False, tmp_path)
    dgs10 = "series_id = 'DGS10'"
    before = {"dgs10": staged(case, "staging.fred_observations", dgs10),
              "jgb": staged(case, "staging.jgb_yields"),
              "weekly": staged(case, "staging.mof_securities_flows_weekly"),
              "served_dgs10": served(case, "staging.fred_observations", dgs10),
              "served_jgb": served(case, "staging.jgb_yields")}

    def setup(rep: Replica) -> None:
        rep.inject(f"{h.FREDGRAPH}?id=DGS10", "extra_rows", times=0)
        rep.inject(h.JGB_CURRENT, "old_row", times=0)
        rep.inject(h.FLOWS_WEEKLY, "429", times=0, retry_after=86400)

    keys = (*h.SOURCES["FRED keyless"].keys, JGB_KEY, *FLOWS_KEYS)
    started = time.monotonic()
    result = attacked(port, catalogue, case, api=False, setup=setup,
                      go=lambda: h.materialize(assets, case, keys))
    assert not result.success
    assert time.monotonic() - started < 120  # nobody slept for a day
    fred = one_line(result, "DGS10", "before the requested window start", "2010-01-01")
    assert "DGS10: fred (http://127.0.0.1:" in fred  # one line: series, source, URL, cause
    assert "/graph/fredgraph.csv?id=DGS10&cosd=" in fred
    one_line(result, "jgbcme.csv", "row dated 2020-01-06 lies outside the month")
    one_line(result, "week.csv", "asks to wait 86400 s")
    after = {"dgs10": staged(case, "staging.fred_observations", dgs10),
             "jgb": staged(case, "staging.jgb_yields"),
             "weekly": staged(case, "staging.mof_securities_flows_weekly"),
             "served_dgs10": served(case, "staging.fred_observations", dgs10),
             "served_jgb": served(case, "staging.jgb_yields")}
    assert after == before
    refused = [r for r in fetch_rows(case, "id=DGS10") if r[1] and "window start" in r[1]]
    assert refused and (case / "raw" / refused[-1][2]).read_bytes().count(b"2010-01-01,7.5") == 1
    no_secrets(case, result)

    # The genuine current-month file is not locked out by the refused one.
    again = attacked(port, catalogue, case, api=False, setup=lambda rep: None,
                     go=lambda: run(assets, case, (JGB_KEY,)))
    assert again.success, h.failure_messages(again)
    with h.connect_ro(case / "warehouse.duckdb") as con:
        assert con.execute("SELECT max(date), count(*) FILTER (date = DATE '2020-01-06'"
                           " AND yield_pct = 1.5) FROM staging.jgb_yields").fetchall() == [
            (h.D1, 0)]
    no_secrets(case, again)


def test_a_day_quoted_all_dashes_is_skipped_and_counted_not_called_a_truncation(
    baselines: Baselines, port: int, catalogue: Path, assets: list[dg.AssetsDefinition],
    tmp_path: Path,
) -> None:
    case = copy_of(baselines, False, tmp_path)
    day = f"{h.D1.year}/{h.D1.month}/{h.D1.day},"

    def setup(rep: Replica) -> None:
        body = requests.get(rep.url + h.JGB_CURRENT, timeout=10).content.decode("cp932")
        text = "\r\n".join(day + ",".join(["-"] * 15) if ln.startswith(day) else ln
                           for ln in body.split("\r\n"))
        rep.put(h.JGB_CURRENT, text.encode("cp932"))

    result = attacked(port, catalogue, case, api=False, setup=setup,
                      go=lambda: run(assets, case, (JGB_KEY,)))
    assert result.success, h.failure_messages(result)
    (materialized,) = [e for e in result.get_asset_materialization_events()]
    metadata = materialized.materialization.metadata
    assert metadata["empty_rows_skipped"].value == 1
    assert metadata["empty_dates"].value == [h.D1.isoformat()]
    with h.connect_ro(case / "warehouse.duckdb") as con:
        assert con.execute("SELECT count(*) FROM staging.jgb_yields WHERE date = ?",
                           [h.D1]).fetchall() == [(0,)]
    no_secrets(case, result)


def test_a_slow_publisher_is_cut_off_at_the_deadline_without_holding_the_writer_lock(
    baselines: Baselines, port: int, catalogue: Path, assets: list[dg.AssetsDefinition],
    tmp_path: Path,
) -> None:
    case = copy_of(baselines, False, tmp_path)
    resources = h.fast_resources(case)
    resources["publishers"] = PublishersResource(**{
        **resources["publishers"].model_dump(), "deadline_s": 4.0})
    rep = h.start_replica(h.D1, port)
    outcome: dict[str, Any] = {}
    try:
        rep.inject(FLOWS_BY_INVESTOR, "slow_body", times=0, bytes_per_s=20)
        with h.environment(rep, case, catalogue, api=False, as_of=h.D1):
            worker = threading.Thread(
                target=lambda: outcome.update(result=run(assets, case, FLOWS_KEYS, resources)))
            started = time.monotonic()
            worker.start()
            while not any(r.path.endswith("montha1.csv") for r in rep.requests):
                assert time.monotonic() - started < 60, "the run never reached montha1.csv"
                time.sleep(0.05)
            time.sleep(1.0)  # monthb3.csv is now trickling in
            assert worker.is_alive()
            with Warehouse(case / "warehouse.duckdb", lock_timeout_s=0.5).connect() as con:
                con.execute("SELECT 1")  # another writer gets in while the download waits
            worker.join(timeout=120)
            elapsed = time.monotonic() - started
    finally:
        rep.stop()
    result = outcome["result"]
    assert not result.success and elapsed < 60
    line = one_line(result, "monthb3.csv", "deadline of 4 s passed while reading the body")
    assert "mof (http://127.0.0.1:" in line  # one line: source, URL, cause
    with h.connect_ro(case / "warehouse.duckdb") as con:  # the other two files landed
        weeks = con.execute("SELECT max(week_end) FROM staging.mof_securities_flows_weekly"
                            ).fetchall()[0][0]
    assert weeks > h.D0 - timedelta(days=7)
    no_secrets(case, result)


def test_the_key_never_leaves_by_a_redirect_or_an_echoing_error(
    baselines: Baselines, port: int, catalogue: Path, assets: list[dg.AssetsDefinition],
    tmp_path: Path,
) -> None:
    case = copy_of(baselines, True, tmp_path)
    other = Replica.start(as_of=h.D1)  # a second local server: another host for the client
    dgs10 = "series_id = 'DGS10'"
    before = staged(case, "staging.fred_observations", dgs10)

    def setup(rep: Replica) -> None:
        rep.inject(f"{h.OBSERVATIONS}?series_id=DGS10", "redirect", times=0,
                   location=other.url + "{target}")
        rep.inject(f"{h.OBSERVATIONS}?series_id=DEXJPUS", "echo_400", times=0)

    try:
        result = attacked(port, catalogue, case, api=True, setup=setup,
                          go=lambda: run(assets, case, h.SOURCES["FRED API"].keys))
    finally:
        other.stop()
    assert other.requests == []  # the other host saw nothing, key or not
    one_line(result, "DGS10", "HTTP 302 redirect to another host", "refused")
    one_line(result, "DEXJPUS", "HTTP 400", "api_key=REDACTED")
    assert staged(case, "staging.fred_observations", dgs10) == before
    redirects = [r for r in fetch_rows(case, "series_id=DGS10") if r[0] == 302]
    echoed = [r for r in fetch_rows(case, "series_id=DEXJPUS") if r[0] == 400]
    assert redirects and "redirect to another host" in redirects[0][1]
    assert echoed and all(r[3] for r in echoed)  # marked as redacted
    body = (case / "raw" / echoed[0][2]).read_bytes()
    assert b"api_key=REDACTED" in body and h.API_KEY.encode() not in body
    no_secrets(case, result)


def test_a_304_to_the_first_unconditional_get_is_an_error_not_an_empty_history(
    port: int, catalogue: Path, assets: list[dg.AssetsDefinition], tmp_path: Path,
) -> None:
    case = tmp_path / "assets"
    result = attacked(port, catalogue, case, api=False,
                      setup=lambda rep: rep.inject(JGB_HISTORY, "not_modified", times=0),
                      go=lambda: run(assets, case, (JGB_KEY,)))
    assert not result.success
    one_line(result, "jgbcme_all.csv", "HTTP 304 Not Modified to a request without")
    with h.connect_ro(case / "warehouse.duckdb") as con:
        tables = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'staging'"
                             " AND table_name = 'jgb_yields'").fetchall()[0][0]
        rows = con.execute("SELECT count(*) FROM staging.jgb_yields").fetchall()[0][0] \
            if tables else 0
    assert rows == 0  # not the current month's 255 rows passed off as the whole history
    no_secrets(case, result)


def test_a_base_url_with_credentials_is_refused_and_stored_nowhere(
    port: int, catalogue: Path, assets: list[dg.AssetsDefinition], tmp_path: Path,
) -> None:
    case = tmp_path / "assets"

    def go() -> dg.ExecuteInProcessResult:
        os.environ["FRED_GRAPH_URL"] = os.environ["FRED_GRAPH_URL"].replace(
            "http://", f"http://admin:{PASSWORD}@")
        return run(assets, case, h.SOURCES["FRED keyless"].keys)

    result = attacked(port, catalogue, case, api=False, setup=lambda rep: None, go=go)
    assert not result.success
    one_line(result, "FRED_GRAPH_URL carries credentials", "http://REDACTED@127.0.0.1:")
    no_secrets(case, result, extra=["admin:"])


@pytest.mark.parametrize("frequency", ["monthly"])
def test_a_monthly_series_dated_mid_month_is_refused(frequency: str) -> None:
    from datetime import date

    import polars as pl

    from pipelines.ingest.fred.series import outside_request
    from pipelines.sources.fred import load_catalogue

    spec = next(s for s in load_catalogue() if s.frequency == frequency)
    frame = pl.DataFrame({"date": [date(2026, 9, 1), date(2026, 10, 15)], "value": [1.0, 2.0]})
    problem = outside_request(spec, date(2026, 9, 1), frame)
    assert problem is not None and "row dated 2026-10-15 is off the calendar" in problem
    assert outside_request(spec, date(2026, 9, 1), frame.head(1)) is None
