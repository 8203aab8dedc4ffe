"""One bad series or file: it keeps its last good rows, everything else is brought up to date,
the serving copy and the report say what is stale and why, and the run still fails.

Issue 13: a series the publisher answers with 404 (DGS1, added to the catalogue, which the
replica lacks), a `montha1.csv` the parser refuses, or a TIC Table 5 with '1183.9x' in
Japan's row made Dagster skip every mart downstream of the failed step, the serving copy and
the report ("Dependencies … failed. Not executing"), and nothing in the copy said so.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
import requests

from tests.runs import scenario as s


def _failed_gate(result) -> dict[str, bool]:
    return {k: ok for k, ok in s.check_evaluations(result, "refresh_succeeded").items()
            if not ok}


def _staging_digest(assets_dir: Path, table: str, where: str = "") -> tuple[int, int]:
    with s.connect_ro(assets_dir / "warehouse.duckdb") as con:
        if not where:
            return s.digest(con, table)
        n, h = con.execute(f"SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM {table} t"  # noqa: S608
                           f" WHERE {where}").fetchall()[0]
        return int(n), int(h)


def test_a_404_series_keeps_the_rest_current_and_is_reported_stale(
    tmp_path: Path, baseline: Path, catalogue_with_missing_series: Path, replica_at
) -> None:
    assets_dir = tmp_path / "assets"
    shutil.copytree(baseline, assets_dir)
    d0_last = s.scalar(s.serving_path(assets_dir),
                       "SELECT max(date) FROM marts.yield_spreads_daily")

    result = s.refresh(replica_at(s.D1), assets_dir, catalogue_with_missing_series, s.D1)

    # The run fails, on the gate, naming the series; no other step failed or was skipped.
    assert not result.success
    assert _failed_gate(result) == {"fred/DGS1": False}
    failed_steps = [e.step_key for e in result.get_step_failure_events()]
    assert failed_steps == ["refresh_outcomes"]
    assert not [e for e in result.all_events if e.event_type_value == "STEP_SKIPPED"]
    # Everything else reached the serving copy.
    newest = s.newest_common_date(assets_dir)
    assert newest > d0_last
    assert s.scalar(s.serving_path(assets_dir),
                    "SELECT max(date) FROM marts.yield_spreads_daily") == newest
    assert s.served_marts(assets_dir) == s.warehouse_marts(assets_dir)
    # It says what is stale, why, and since when.
    status = s.table_status(assets_dir)
    stale = {t for t, row in status.items() if row["is_stale"]}
    assert stale == {"staging.fred_observations", "staging.fred_observations_history",
                     "staging.fred_series", "staging.fred_series_history",
                     "staging.fred_unit_changes", "staging.fred_vintages"} & set(status)
    row = status["staging.fred_observations"]
    assert row["stale_reason"].startswith("fred DGS1: ")
    assert "404" in row["stale_reason"] and "\n" not in row["stale_reason"]
    assert isinstance(row["failing_since"], datetime)
    assert row["last_success_at"] is None  # DGS1 never loaded
    # No mart reads DGS1, so none is stale; the other staging tables are current.
    assert not status["marts.yield_spreads_daily"]["is_stale"]
    assert status["staging.jgb_yields"]["failing_since"] is None
    html = s.report_html(assets_dir)
    assert 'data-stale="' in html and "staging.fred_observations" in html and "DGS1" in html

    # Still failing the next day: failing_since stays where the failure began.
    first = row["failing_since"]
    again = s.refresh(replica_at(s.D1), assets_dir, catalogue_with_missing_series, s.D1)
    assert not again.success
    assert s.table_status(assets_dir)["staging.fred_observations"]["failing_since"] == first
    assert s.naive_utc(s.refresh_status(assets_dir)["fred/DGS1"]["failing_since"]) == first


def test_a_refused_file_keeps_its_rows_marts_rebuild_from_what_staging_has_and_it_recovers(
    assets_dir: Path, catalogue: Path, replica_at
) -> None:
    before = _staging_digest(assets_dir, "staging.mof_securities_flows_monthly")
    builds = s.mart_builds(assets_dir)
    d0_success = s.naive_utc(
        s.refresh_status(assets_dir)["mof/securities_flows_monthly"]["last_success_at"])
    rep = replica_at(s.D1)
    rep.put(s.MONTHA1, "期間,対外証券投資\nnot a number,#VALUE!\n".encode("cp932"))

    result = s.refresh(rep, assets_dir, catalogue, s.D1)

    assert not result.success
    assert _failed_gate(result) == {"mof/securities_flows_monthly": False}
    assert [e.step_key for e in result.get_step_failure_events()] == ["refresh_outcomes"]
    # The refused file's table kept its last good rows...
    assert _staging_digest(assets_dir, "staging.mof_securities_flows_monthly") == before
    # ...and the mart that reads it was rebuilt anyway, from what staging has (its other
    # inputs, the JGB and USD/JPY, have a new day).
    after = s.mart_builds(assets_dir)
    assert after["capital_flow_monthly"] > builds["capital_flow_monthly"]
    assert s.served_marts(assets_dir) == s.warehouse_marts(assets_dir)
    status = s.table_status(assets_dir)
    for table in ("staging.mof_securities_flows_monthly", "marts.capital_flow_monthly"):
        row = status[table]
        assert row["is_stale"], table
        assert row["stale_reason"].startswith("mof montha1.csv: "), row["stale_reason"]
        assert row["last_success_at"] == d0_success
        assert row["failing_since"] > d0_success
    assert not status["marts.yield_spreads_daily"]["is_stale"]
    assert not status["staging.mof_securities_flows_weekly"]["is_stale"]
    assert "marts.capital_flow_monthly" in s.report_html(assets_dir)

    # The publisher fixes the file: nothing is stale any more, and the run succeeds.
    fixed = s.refresh(replica_at(s.D1), assets_dir, catalogue, s.D1)
    assert fixed.success
    status = s.table_status(assets_dir)
    assert not [t for t, row in status.items() if row["is_stale"]]
    row = status["marts.capital_flow_monthly"]
    assert row["failing_since"] is None and row["stale_reason"] is None
    assert row["last_success_at"] > d0_success
    assert 'data-stale="0"' in s.report_html(assets_dir)


@pytest.mark.parametrize("day", [s.D0, s.D1], ids=["nothing_else_new", "ordinary_day"])
def test_tic_parse_failure_in_a_dagster_instance_ends_and_serves_the_rest(
    day, tmp_path: Path, baseline: Path, catalogue: Path, replica_at
) -> None:
    """'1183.9x' in Japan's row of slt_table5.txt, in its own process with a persistent
    instance (pools enforced, as `make demo` runs it): the run ends, FAILURE."""
    assets_dir = tmp_path / "assets"
    shutil.copytree(baseline, assets_dir)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(s.ROOT / "dagster.yaml", home / "dagster.yaml")
    before = _staging_digest(assets_dir, "staging.tic_holdings")
    rep = replica_at(day)
    body = requests.get(rep.url + s.TABLE5, timeout=10).text
    japan = next(line for line in body.splitlines() if line.startswith("Japan"))
    value = japan.split("\t")[1]
    rep.put(s.TABLE5, body.replace(japan, japan.replace(value, value + "x", 1)).encode())
    sha = s.file_sha(s.serving_path(assets_dir))

    with s.environment(rep, assets_dir, catalogue, day, DAGSTER_HOME=str(home)) as env:
        proc = s.spawn(env, tmp_path / "run.log")
        try:
            code = proc.wait(timeout=600)
        finally:
            if proc.poll() is None:
                s.stop(proc, 9)
    log = (tmp_path / "run.log").read_text(errors="replace")
    assert code == 1, log[-3000:]
    assert "FAILURE" in log
    assert _staging_digest(assets_dir, "staging.tic_holdings") == before
    status = s.table_status(assets_dir)
    for table in ("staging.tic_holdings", "marts.japan_ust_holdings_monthly",
                  "marts.capital_flow_monthly", "marts.latest_indicators"):
        assert status[table]["is_stale"], table
        reason = status[table]["stale_reason"]
        assert reason.startswith("tic slt_table5.txt: ") and f"{value}x" in reason, reason
    assert not status["staging.jgb_yields"]["is_stale"]
    # A newly stale table is news: the copy was republished to say so.
    assert s.file_sha(s.serving_path(assets_dir)) != sha
    assert s.served_marts(assets_dir) == s.warehouse_marts(assets_dir)
    if day == s.D1:
        assert s.scalar(s.serving_path(assets_dir), "SELECT max(date) FROM"
                        " marts.yield_spreads_daily") == s.newest_common_date(assets_dir)
