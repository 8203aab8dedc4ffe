"""meta.table_status's staleness columns from meta.refresh_status, without Dagster (fast)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from pipelines.lib.refresh import FAILED, LOADED, UNCHANGED, read_attempts, record_attempt
from pipelines.serving.status import staleness, table_statuses

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
MARTS = {"a_daily": ("fred/X", "mof/y"), "b_monthly": ("marts/a_daily", "tic/z"),
         "c": ("fred/Q",)}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for schema in ("staging", "marts", "meta"):
        con.execute(f"CREATE SCHEMA {schema}")
    con.execute("CREATE TABLE staging.fred_observations AS SELECT DATE '2026-11-24' AS date")
    con.execute("CREATE TABLE staging.fred_series AS SELECT 'X' AS series_id")
    con.execute("CREATE TABLE staging.y AS SELECT DATE '2026-11-24' AS date")
    con.execute("CREATE TABLE staging.z AS SELECT DATE '2026-09-01' AS month")
    for mart in MARTS:
        con.execute(f"CREATE TABLE marts.{mart} AS SELECT DATE '2026-11-24' AS date")
    return con


def attempt(con, key: str, outcome: str, at: datetime, error: str | None = None) -> None:
    source, _, target = key.partition("/")
    table = {"fred": "staging.fred_observations", "mof": "staging.y", "tic": "staging.z",
             "marts": f"marts.{target}"}[source]
    record_attempt(con, asset_key=key, kind="mart" if source == "marts" else "ingest",
                   table_name=table, source=source, target=target, outcome=outcome,
                   error=error, at=at)


def status(con, **kwargs):
    return {s.qualified: s for s in table_statuses(con, mart_inputs=MARTS, **kwargs)}


def test_a_failure_marks_its_table_and_every_mart_built_from_it_transitively(con) -> None:
    for key in ("fred/X", "fred/Q", "mof/y", "tic/z", "marts/a_daily", "marts/b_monthly",
                "marts/c"):
        attempt(con, key, LOADED, T0)
    attempt(con, "mof/y", FAILED, T0 + timedelta(days=1), "mof (http://h/y.csv): HTTP 503\nx")
    got = status(con)
    assert {k for k, s in got.items() if s.is_stale} == {
        "staging.y", "marts.a_daily", "marts.b_monthly"}
    for table in ("staging.y", "marts.a_daily", "marts.b_monthly"):
        s = got[table]
        assert s.stale_reason == "mof y: mof (http://h/y.csv): HTTP 503 x"
        assert s.failing_since == T0 + timedelta(days=1)
        assert s.last_success_at == T0
    assert got["marts.c"].last_success_at == T0 and got["marts.c"].failing_since is None
    # fred_series is written with fred_observations, by the same assets.
    assert not got["staging.fred_series"].is_stale


def test_failing_since_keeps_the_first_failure_and_a_success_clears_it(con) -> None:
    attempt(con, "fred/X", LOADED, T0)
    attempt(con, "fred/X", FAILED, T0 + timedelta(days=1), "first")
    attempt(con, "fred/X", FAILED, T0 + timedelta(days=2), "second")
    row = read_attempts(con)["fred/X"]
    assert (row.failing_since, row.last_success_at, row.last_error) == (
        T0 + timedelta(days=1), T0, "second")
    assert status(con)["staging.fred_observations"].stale_reason == "fred X: second"
    attempt(con, "fred/X", UNCHANGED, T0 + timedelta(days=3))
    s = status(con)["staging.fred_observations"]
    assert not s.is_stale and s.failing_since is None and s.stale_reason is None
    assert s.last_success_at == T0 + timedelta(days=3)


def test_several_failures_stay_one_line_oldest_first(con) -> None:
    attempt(con, "fred/X", FAILED, T0 + timedelta(hours=2), "HTTP 404")
    attempt(con, "fred/Q", FAILED, T0 + timedelta(hours=1), "HTTP 500 " + "x" * 900)
    s = status(con)["staging.fred_observations"]
    assert s.is_stale and "\n" not in s.stale_reason and len(s.stale_reason) <= 500
    assert s.stale_reason.startswith("fred Q: HTTP 500")
    assert s.stale_reason.endswith("(also failing: fred/X)")
    assert s.failing_since == T0 + timedelta(hours=1)
    assert s.last_success_at is None  # neither ever succeeded


def test_a_series_no_longer_in_the_catalogue_no_longer_counts(con) -> None:
    attempt(con, "fred/X", LOADED, T0)
    attempt(con, "fred/GONE", FAILED, T0, "HTTP 404")
    assert status(con)["staging.fred_observations"].is_stale
    assert not status(con, known_assets={"fred/X"})["staging.fred_observations"].is_stale


def test_a_failed_mart_build_marks_the_mart_and_its_dependants(con) -> None:
    attempt(con, "marts/a_daily", FAILED, T0, "a_daily.sql: Binder Error: column gone")
    got = status(con)
    assert got["marts.a_daily"].is_stale and got["marts.b_monthly"].is_stale
    assert got["marts.b_monthly"].stale_reason.startswith("marts a_daily: a_daily.sql")
    assert not got["marts.c"].is_stale


def test_no_refresh_recorded_is_not_stale() -> None:
    assert staleness([]).is_stale is False
