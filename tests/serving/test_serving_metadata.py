"""The alerts asset reports meta.alerts' standard table metadata."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from pipelines.defs.resources import WarehouseResource
from pipelines.defs.serving import serving_assets


def test_alerts_report_the_row_count_and_schema_of_meta_alerts(warehouse_path: Path) -> None:
    resources = {"warehouse": WarehouseResource(assets_dir=str(warehouse_path.parent))}
    result = dg.materialize(serving_assets(), resources=resources)
    meta = {e.asset_key.to_user_string(): e.materialization.metadata
            for e in result.get_asset_materialization_events()}["serving/alerts"]
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        rows = con.execute("SELECT count(*) FROM meta.alerts").fetchall()[0][0]
        columns = [r[0] for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'meta'"
            " AND table_name = 'alerts' ORDER BY column_index").fetchall()]
    assert meta["dagster/table_name"].value == "meta.alerts"
    assert meta["dagster/row_count"].value == rows == meta["alerts_total"].value
    assert [c.name for c in meta["dagster/column_schema"].schema.columns] == columns
