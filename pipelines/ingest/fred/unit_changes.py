"""A change of unit by FRED is one event, not a flood of revisions.

When FRED re-expresses a series (WTREGEN: billions until 2025, millions since) every published
value changes while every value in USD billions stays put. Revisions are tracked on
`value_normalised`, so the merge sees no revision; this module records the event itself, one
row in staging.fred_unit_changes, with the number of rows that were merely re-expressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from pipelines.ingest.fred.state import StoredSeries
from pipelines.sources.fred import usd_bn_scale_for_units


@dataclass(frozen=True)
class UnitChange:
    series_id: str
    old_units: str
    new_units: str
    old_usd_bn_scale: float | None
    new_usd_bn_scale: float | None
    rows_reexpressed: int

    def describe(self) -> str:
        return (f"{self.series_id}: FRED now states {self.new_units!r} (was {self.old_units!r});"
                f" {self.rows_reexpressed} rows re-expressed, not revised")


def detect_unit_change(
    con: duckdb.DuckDBPyConnection, stored: StoredSeries, batch: pl.DataFrame
) -> UnitChange | None:
    """Compare the batch's unit with the stored one; count rows that only changed unit."""
    if batch.is_empty():
        return None
    series_id, new_units = batch["series_id"][0], batch["units"][0]
    if stored.units is None or stored.units == new_units:
        return None
    rows = con.execute(
        "SELECT date, value, value_normalised FROM staging.fred_observations"
        " WHERE series_id = ?",
        [series_id],
    ).fetchall()
    old = pl.DataFrame(rows, schema={"date": pl.Date, "old_value": pl.Float64,
                                     "old_normalised": pl.Float64}, orient="row")
    joined = batch.join(old, on="date", how="inner")
    reexpressed = joined.filter(
        (pl.col("value") != pl.col("old_value"))
        & pl.col("value_normalised").eq_missing(pl.col("old_normalised"))
    ).height
    return UnitChange(
        series_id=series_id,
        old_units=stored.units,
        new_units=new_units,
        old_usd_bn_scale=usd_bn_scale_for_units(stored.units),
        new_usd_bn_scale=usd_bn_scale_for_units(new_units),
        rows_reexpressed=reexpressed,
    )


def record_unit_change(
    con: duckdb.DuckDBPyConnection, change: UnitChange, detected_at: datetime
) -> None:
    """Insert the event; call inside the transaction that publishes the re-expressed batch."""
    con.execute(
        "INSERT INTO staging.fred_unit_changes (series_id, detected_at, old_units, new_units,"
        " old_usd_bn_scale, new_usd_bn_scale, rows_reexpressed) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [change.series_id, detected_at, change.old_units, change.new_units,
         change.old_usd_bn_scale, change.new_usd_bn_scale, change.rows_reexpressed],
    )
