"""The serving assets materialise against a small warehouse, and the wiring the lead adds holds."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from pytest_httpserver import HTTPServer

from pipelines.definitions import SCHEDULES
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.serving import serving_assets


def test_serving_assets_materialise(
    warehouse_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    monkeypatch.setenv("ALERT_WEBHOOK_URL", httpserver.url_for("/hook"))
    assets_dir = warehouse_path.parent
    resources = {"warehouse": WarehouseResource(assets_dir=str(assets_dir))}
    result = dg.materialize(serving_assets(), resources=resources)
    assert result.success
    meta = {
        event.asset_key.to_user_string(): event.materialization.metadata
        for event in result.get_asset_materialization_events()
        if event.asset_key is not None and event.materialization is not None
    }
    analytics = meta["serving/analytics_duckdb"]
    assert analytics["storage_version"].value == "v1.0.0"
    assert analytics["published"].value is True
    assert analytics["bytes"].value == (assets_dir / "serving" / "analytics.duckdb").stat().st_size
    assert "meta.table_status" in analytics["tables"].value
    assert meta["serving/alerts"]["alerts_this_run"].value == 1
    assert meta["serving/report"]["written"].value is True
    assert len(httpserver.log) == 1
    report = (assets_dir / "serving" / "report.html").read_text()
    assert len(report) > 1000 and 'data-stale="0"' in report
    with duckdb.connect(str(assets_dir / "serving" / "analytics.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM meta.alerts").fetchall()[0][0] == 1
        (fingerprint,) = con.execute("SELECT fingerprint FROM meta.publication").fetchall()[0]
    assert analytics["fingerprint"].value == fingerprint

    # Nothing changed: the copy and the page are kept as they are, and say so.
    mtimes = {p: p.stat().st_mtime_ns for p in (assets_dir / "serving").glob("*.*")}
    again = dg.materialize(serving_assets(), resources=resources)
    assert again.success
    meta = {e.asset_key.to_user_string(): e.materialization.metadata
            for e in again.get_asset_materialization_events()}
    assert meta["serving/analytics_duckdb"]["published"].value is False
    assert meta["serving/report"]["written"].value is False
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes


def test_a_failing_refresh_is_published_as_stale(warehouse_path: Path) -> None:
    """A failure recorded in meta.refresh_status changes what the copy says: republished."""
    from pipelines.lib.refresh import record_attempt
    from pipelines.lib.warehouse import Warehouse

    assets_dir = warehouse_path.parent
    resources = {"warehouse": WarehouseResource(assets_dir=str(assets_dir))}
    assert dg.materialize(serving_assets(), resources=resources).success
    with Warehouse(warehouse_path).connect() as con:
        record_attempt(con, asset_key="mof/jgb_yields", kind="ingest",
                       table_name="staging.jgb_yields", source="mof", target="jgbcme.csv",
                       outcome="failed", error="mof (http://x/jgbcme.csv): truncated body")
    result = dg.materialize(serving_assets(), resources=resources)
    assert result.success
    with duckdb.connect(str(assets_dir / "serving" / "analytics.duckdb"), read_only=True) as con:
        rows = dict(con.execute("SELECT table_name, stale_reason FROM meta.table_status"
                                " WHERE is_stale").fetchall())
    assert rows["jgb_yields"] == "mof jgbcme.csv: mof (http://x/jgbcme.csv): truncated body"
    assert "yield_spreads_daily" in rows  # built from the JGB (sql/marts depends_on)
    report = (assets_dir / "serving" / "report.html").read_text()
    assert "Stale tables" in report and "truncated body" in report


def test_definitions_with_serving_schedules_sensors_and_freshness_load() -> None:
    from pipelines.definitions import defs

    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    for key in graph.materializable_asset_keys:
        assert graph.get(key).freshness_policy is not None, key.to_user_string()
    for asset in serving_assets():
        # The copy and the alerts read the warehouse; the report reads the serving copy.
        assert asset.op.pool == (None if asset.key.path[-1] == "report" else "warehouse")
        assert graph.get(asset.key).group_name == "serving"
        assert graph.get(asset.key).automation_condition is not None
    # The copy holds staging, marts and alerts: it depends on all of them.
    assert set(graph.get(dg.AssetKey(["serving", "analytics_duckdb"])).parent_keys) == {
        k for k in graph.get_all_asset_keys()
        if k.path[0] in ("marts", "fred", "mof", "tic") or k.path[-1] == "alerts"}
    assert set(graph.get(dg.AssetKey(["serving", "report"])).parent_keys) == {
        dg.AssetKey(["serving", "analytics_duckdb"])}
    # Every ingestion asset and mart has the gate that fails a run in which it failed.
    gated = {k.asset_key for k in graph.asset_check_keys if k.name == "refresh_succeeded"}
    assert gated == {k for k in graph.materializable_asset_keys
                     if k.path[0] in ("marts", "fred", "mof", "tic")}
    assert not any(graph.get_check_spec(k).blocking for k in graph.asset_check_keys)
    sensor = defs.resolve_sensor_def("default_automation_condition_sensor")
    # Safe by default: RUNNING only with JGB_AUTOMATION=on (tests/serving/test_schedules_sensors.py)
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    for schedule in SCHEDULES.values():
        defs.resolve_job_def(schedule.job_name)  # every target job resolves


def test_instance_settings_serialise_writers(tmp_path: Path) -> None:
    """dagster.yaml, as `make setup` copies it: one run at a time, one warehouse slot."""
    from tests.conftest import REPO_ROOT

    (tmp_path / "dagster.yaml").write_text((REPO_ROOT / "dagster.yaml").read_text())
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        config = instance.get_concurrency_config()
        assert config.run_queue_config is not None
        assert config.run_queue_config.max_concurrent_runs == 1
        assert config.pool_config.default_pool_limit == 1
        assert instance.auto_materialize_use_sensors
    finally:
        instance.dispose()
