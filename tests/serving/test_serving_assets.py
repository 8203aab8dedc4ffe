"""The serving assets materialise against a small warehouse, and the wiring the lead adds holds."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from pytest_httpserver import HTTPServer

from pipelines.defs.resources import WarehouseResource
from pipelines.defs.schedules import SCHEDULES
from pipelines.defs.serving import SERVING_ASSETS


def test_serving_assets_materialise(
    warehouse_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    monkeypatch.setenv("ALERT_WEBHOOK_URL", httpserver.url_for("/hook"))
    assets_dir = warehouse_path.parent
    result = dg.materialize(
        SERVING_ASSETS, resources={"warehouse": WarehouseResource(assets_dir=str(assets_dir))}
    )
    assert result.success
    meta = {
        event.asset_key.to_user_string(): event.materialization.metadata
        for event in result.get_asset_materialization_events()
        if event.asset_key is not None and event.materialization is not None
    }
    analytics = meta["serving/analytics_duckdb"]
    assert analytics["storage_version"].value == "v1.0.0"
    assert analytics["bytes"].value == (assets_dir / "serving" / "analytics.duckdb").stat().st_size
    assert "meta.table_status" in analytics["tables"].value
    assert meta["serving/alerts"]["alerts_this_run"].value == 1
    assert len(httpserver.log) == 1
    assert (assets_dir / "serving" / "report.html").stat().st_size > 1000
    with duckdb.connect(str(assets_dir / "serving" / "analytics.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM meta.alerts").fetchall()[0][0] == 1


def test_definitions_with_serving_schedules_sensors_and_freshness_load() -> None:
    from pipelines.definitions import defs

    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    for key in graph.materializable_asset_keys:
        assert graph.get(key).freshness_policy is not None, key.to_user_string()
    for asset in SERVING_ASSETS:
        assert asset.op.pool == "warehouse"
        assert graph.get(asset.key).group_name == "serving"
        assert graph.get(asset.key).automation_condition is not None
    assert set(graph.get(dg.AssetKey(["serving", "analytics_duckdb"])).parent_keys) == {
        k for k in graph.get_all_asset_keys() if k.path[0] == "marts"}
    sensor = defs.resolve_sensor_def("default_automation_condition_sensor")
    # Safe by default: RUNNING only with JGB_AUTOMATION=on (tests/serving/test_schedules_sensors.py)
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    for schedule in SCHEDULES:
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
