"""ALFRED vintages on request: every real-time period of every observation, for "as known on D".

    SELECT date, value FROM staging.fred_vintages
    WHERE series_id = 'DGS10' AND realtime_start <= DATE '2024-06-03'
      AND realtime_end >= DATE '2024-06-03'

A backfill asks for the full real-time range (1776-07-04..9999-12-31), so its answer is the
whole truth for the series: the stored periods are replaced in one transaction.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.ingest.fred.batch import vintages_batch
from pipelines.lib.warehouse import transaction


def replace_vintages(con: duckdb.DuckDBPyConnection, series_id: str, frame: pl.DataFrame) -> int:
    """Replace the series' rows in staging.fred_vintages; returns the rows written."""
    batch = vintages_batch(series_id, frame)
    con.register("_fred_vintages_batch", batch.to_arrow())
    try:
        with transaction(con):
            con.execute("DELETE FROM staging.fred_vintages WHERE series_id = ?", [series_id])
            con.execute(
                "INSERT INTO staging.fred_vintages (series_id, date, realtime_start,"
                " realtime_end, value) SELECT series_id, date, realtime_start, realtime_end,"
                " value FROM _fred_vintages_batch"
            )
    finally:
        con.unregister("_fred_vintages_batch")
    return batch.height
