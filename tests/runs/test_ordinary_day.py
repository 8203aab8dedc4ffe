"""The ordinary next day (some sources new, some not), then a run with nothing new.

Issue 13: on such a day the warehouse got DGS10 and JGB to the new day, but every mart waited
on every ingestion output, so the serving copy kept the old day ("Skipping step … due to
skipped dependencies"). Now every ingestion asset reports an outcome with a data version, the
marts rebuild when an input's data version changed, and the serving copy follows.
"""

from __future__ import annotations

from pathlib import Path

from tests.runs import scenario as s


def test_ordinary_next_day_serves_every_new_value_then_nothing_new_changes_nothing(
    assets_dir: Path, catalogue: Path, replica_at
) -> None:
    before_builds = s.mart_builds(assets_dir)
    old_sha = s.file_sha(s.serving_path(assets_dir))
    d0_last = s.scalar(s.serving_path(assets_dir),
                       "SELECT max(date) FROM marts.yield_spreads_daily")

    result = s.refresh(replica_at(s.D1), assets_dir, catalogue, s.D1)

    assert result.success
    outcomes = s.refresh_status(assets_dir)
    assert {k: v["outcome"] for k, v in outcomes.items() if v["kind"] == "ingest"} == {
        "fred/DGS10": "loaded", "fred/DEXJPUS": "loaded", "fred/WALCL": "loaded",
        "mof/jgb_yields": "loaded", "mof/securities_flows_weekly": "loaded",
        "mof/securities_flows_monthly": "unchanged", "mof/securities_flows_by_investor":
        "unchanged", "tic/tic_holdings": "unchanged"}
    # Nothing downstream was skipped, whatever was unchanged.
    assert not [e for e in result.all_events if e.event_type_value == "STEP_SKIPPED"]
    newest = s.newest_common_date(assets_dir)
    assert newest > d0_last
    # The serving copy holds every new value: the same marts as the warehouse, to the new day.
    assert s.file_sha(s.serving_path(assets_dir)) != old_sha
    assert s.served_marts(assets_dir) == s.warehouse_marts(assets_dir)
    assert s.scalar(s.serving_path(assets_dir),
                    "SELECT max(date) FROM marts.yield_spreads_daily") == newest
    assert s.scalar(s.serving_path(assets_dir),
                    "SELECT max(date) FROM staging.fred_observations WHERE series_id = 'DGS10'"
                    ) == s.scalar(assets_dir / "warehouse.duckdb",
                                  "SELECT max(date) FROM staging.fred_observations"
                                  " WHERE series_id = 'DGS10'")
    # Marts whose inputs did not change were not rebuilt; the others were.
    after_builds = s.mart_builds(assets_dir)
    assert after_builds["japan_ust_holdings_monthly"] == before_builds["japan_ust_holdings_monthly"]
    assert after_builds["yield_spreads_daily"] > before_builds["yield_spreads_daily"]
    status = s.table_status(assets_dir)
    assert not [t for t, row in status.items() if row["is_stale"]]
    assert status["marts.yield_spreads_daily"]["last_date"] == newest
    assert status["marts.yield_spreads_daily"]["refreshed_at"] == \
        s.naive_utc(after_builds["yield_spreads_daily"])
    assert status["staging.jgb_yields"]["last_success_at"] is not None
    assert 'data-stale="0"' in s.report_html(assets_dir)

    # The same day again: the publishers have nothing new.
    sha, report = s.file_sha(s.serving_path(assets_dir)), s.file_sha(
        assets_dir / "serving" / "report.html")
    again = s.refresh(replica_at(s.D1), assets_dir, catalogue, s.D1)

    assert again.success
    assert {v["outcome"] for k, v in s.refresh_status(assets_dir).items()
            if v["kind"] == "ingest"} == {"unchanged"}
    assert {v["outcome"] for v in s.refresh_status(assets_dir).values()
            if v["kind"] == "mart"} == {"current"}
    assert s.mart_builds(assets_dir) == after_builds  # no mart rebuilt
    assert s.file_sha(s.serving_path(assets_dir)) == sha  # the copy was not replaced
    assert s.file_sha(assets_dir / "serving" / "report.html") == report
    published = {e.asset_key.to_user_string(): e.materialization.metadata
                 for e in again.get_asset_materialization_events()}
    assert published["serving/analytics_duckdb"]["published"].value is False
    assert published["serving/report"]["written"].value is False
    # Quiet: no gaps in the asset checks, no list of missing outputs.
    messages = "\n".join(s.run_messages(again))
    assert "emitted no result" not in messages
    assert "did not yield or return expected outputs" not in messages
    assert "Skipping step" not in messages
