"""A new staging table needs only its publisher folder plus one line in the publisher list.

The fake publisher (tests/datasets/fake_publisher/: urls, a parser, one declaration) is added
to the code location's publishers, and gets what the built-in ones get: an ingestion asset
with its asset checks, a GX suite, a freshness policy, a job, a schedule, a watched file, a
place among the marts' staging inputs, and, after a real run against a local server, its rows
in staging and a row in meta.table_status.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from pytest_httpserver import HTTPServer

from pipelines.definitions import PUBLISHERS, build_definitions
from pipelines.defs.sensors import watched_files
from pipelines.lib.datasets import staging_tables
from pipelines.serving.status import table_statuses
from pipelines.validation.context import AuditContext
from pipelines.validation.suites import build_suite
from tests.datasets.fake_publisher import datasets as fake
from tests.datasets.fake_publisher.urls import RATES_PATH

KEY = dg.AssetKey(["fake", "fake_rates"])
AS_OF = date(2026, 11, 20)  # a Friday
ROWS = [(date(2026, 11, 16) + timedelta(days=i), 0.5 + i / 100) for i in range(5)]  # Mon-Fri
CSV = "date,rate_pct\n" + "".join(f"{d.isoformat()},{r}\n" for d, r in ROWS)


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return build_definitions(publishers=[*PUBLISHERS, fake.PUBLISHER])


@pytest.fixture
def served(httpserver: HTTPServer, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    httpserver.expect_request(RATES_PATH).respond_with_data(CSV, content_type="text/csv")
    monkeypatch.setenv("FAKE_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("ASSETS_DIR", str(tmp_path / "assets"))
    monkeypatch.setenv("AS_OF_DATE", AS_OF.isoformat())
    yield tmp_path / "assets"


def test_the_new_table_gets_an_asset_with_every_declared_check(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    assert KEY in graph.get_all_asset_keys()
    checks = {k.name for k in graph.asset_check_keys if k.asset_key == KEY}
    # Its declared checks, and the run's refresh gate (defs/outcomes.py) covers it too.
    assert checks == {d.name for d in fake.RATES.checks} | {"refresh_succeeded"}
    # The serving copy publishes it, as it does every ingestion asset.
    analytics = graph.get(dg.AssetKey(["serving", "analytics_duckdb"]))
    assert KEY in analytics.parent_keys


def test_the_new_table_gets_a_freshness_policy_from_its_cadence(defs: dg.Definitions) -> None:
    policy = defs.resolve_asset_graph().get(KEY).freshness_policy
    assert policy is not None
    assert (policy.warn_window.to_timedelta(), policy.fail_window.to_timedelta()) == (
        timedelta(days=4), timedelta(days=8))


def test_the_new_table_gets_a_job_a_schedule_and_a_watched_file(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def("fake_daily")
    assert job.asset_layer.selected_asset_keys == {KEY}
    schedule = defs.resolve_schedule_def("fake_daily_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == (
        "0 18 * * 1-5", "Europe/London", "fake_daily")
    watched = watched_files([fake.PUBLISHER], {"fake_daily": job})
    assert [(w.name, w.window) for w in watched] == [("fake_policy_rates", "fake_rates")]


def test_the_new_table_gets_a_gx_suite_and_is_a_marts_input(defs: dg.Definitions) -> None:
    suite = build_suite("staging.fake_rates", AuditContext(as_of=AS_OF),
                        ["date", "rate_pct", "source_file"])
    assert {e.meta["check"] for e in suite.expectations} == {
        "schema_matches", "keys_unique", "no_future_dates", "values_in_plausible_range"}
    assert staging_tables()["fake/fake_rates"] == "staging.fake_rates"


def test_a_run_loads_its_rows_and_meta_table_status_reports_them(
    defs: dg.Definitions, served: Path
) -> None:
    # The new job, as its schedule would run it, with the code location's resources.
    result = defs.resolve_job_def("fake_daily").execute_in_process(raise_on_error=False)
    assert result.success, result.get_step_failure_events()
    (event,) = result.get_asset_materialization_events()
    assert event.materialization.metadata["outcome"].value == "loaded"
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {d.name: True for d in fake.RATES.checks} | {"refresh_succeeded": True}
    con = duckdb.connect(str(served / "warehouse.duckdb"), read_only=True)
    try:
        staged = con.execute("SELECT date, rate_pct FROM staging.fake_rates ORDER BY date")
        assert staged.fetchall() == ROWS
        status = {s.table_name: s for s in table_statuses(con, today=AS_OF)}
    finally:
        con.close()
    row = status["fake_rates"]
    assert (row.rows, row.last_date, row.check_status, row.is_stale) == (
        5, ROWS[-1][0], "pass", False)
