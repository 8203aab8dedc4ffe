"""Standard table metadata: row count and column schema (with comments) from the table."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from pipelines.defs.marts.assets import MART_ASSETS
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.tablemeta import table_metadata
from pipelines.lib.tables import create_table
from pipelines.lib.warehouse import Warehouse, ensure_schemas
from pipelines.staging import tic
from tests.marts.staging_rows import add_tic


def _observations() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA staging; CREATE TABLE staging.obs (series_id VARCHAR NOT NULL,"
                " date DATE, value_pct DOUBLE);"
                "COMMENT ON COLUMN staging.obs.value_pct IS 'Yield, percent';"
                "INSERT INTO staging.obs VALUES ('DGS10', '2026-11-25', 4.1),"
                " ('DGS10', '2026-11-26', 4.2), ('DGS2', '2026-11-26', 3.9)")
    return con


def test_metadata_counts_rows_and_lists_columns_with_types_and_comments() -> None:
    meta = table_metadata(_observations(), "staging.obs")
    assert meta["dagster/table_name"] == "staging.obs"
    assert meta["dagster/row_count"].value == 3
    columns = meta["dagster/column_schema"].schema.columns
    assert [(c.name, c.type, c.description) for c in columns] == [
        ("series_id", "VARCHAR", None), ("date", "DATE", None),
        ("value_pct", "DOUBLE", "Yield, percent")]
    assert [c.constraints.nullable for c in columns] == [False, True, True]


def test_a_shared_table_counts_only_the_assets_own_rows() -> None:
    meta = table_metadata(_observations(), "staging.obs", where=("series_id", "DGS10"))
    assert meta["dagster/row_count"].value == 2


def test_a_missing_table_gives_no_metadata() -> None:
    assert table_metadata(_observations(), "staging.absent") == {}


def test_a_built_mart_reports_its_rows_and_schema(tmp_path: Path) -> None:
    assets_dir = tmp_path / "assets"
    assets_dir.mkdir()
    with Warehouse(assets_dir / "warehouse.duckdb").connect() as con:
        ensure_schemas(con)
        create_table(con, tic.TIC_HOLDINGS)
        for month, value in (("2025-01-01", 1000.0), ("2025-02-01", 1010.0)):
            add_tic(con, month, {"japan": ("country", value), "grand_total": ("total", 8000.0)})
    asset = next(a for a in MART_ASSETS if a.key.path[-1] == "japan_ust_holdings_monthly")
    result = dg.materialize(
        [asset], resources={"warehouse": WarehouseResource(assets_dir=str(assets_dir))})
    (event,) = result.get_asset_materialization_events()
    meta = event.materialization.metadata
    with Warehouse(assets_dir / "warehouse.duckdb").connect() as con:
        rows = con.execute("SELECT count(*) FROM marts.japan_ust_holdings_monthly").fetchall()
        described = con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = 'marts'"
            " AND table_name = 'japan_ust_holdings_monthly' ORDER BY column_index").fetchall()
    assert meta["dagster/row_count"].value == rows[0][0] == 2
    schema = meta["dagster/column_schema"].schema
    assert [(c.name, c.description) for c in schema.columns] == described
    assert all(c.description for c in schema.columns)  # every mart column carries a comment
