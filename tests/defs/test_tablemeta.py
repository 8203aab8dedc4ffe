"""Standard table metadata: row count and column schema (with comments) from the table."""

from __future__ import annotations

import duckdb

from pipelines.defs.tablemeta import table_metadata


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
