"""What staging already holds for each FRED series: where the next load starts, and in which unit.

Read once by the main thread before any request is sent, so the fetch workers never touch
DuckDB (one writer, and the snapshot cannot move under them mid-run).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from pipelines.lib.tables import create_table
from pipelines.sources.fred.tables import (
    FRED_OBSERVATIONS,
    FRED_SERIES,
    FRED_UNIT_CHANGES_DDL,
    FRED_VINTAGES_DDL,
)


@dataclass(frozen=True)
class StoredSeries:
    """One series as staging holds it (all None/0 before its first load)."""

    rows: int = 0
    first_date: date | None = None
    last_date: date | None = None
    units: str | None = None  # unit of the stored observations (of the newest row)
    usd_bn_scale: float | None = None
    last_updated: datetime | None = None  # FRED's stamp at the last API load


def ensure_fred_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the FRED staging tables up front, before fetch workers start logging."""
    create_table(con, FRED_OBSERVATIONS)
    create_table(con, FRED_SERIES)
    con.execute(FRED_UNIT_CHANGES_DDL)
    con.execute(FRED_VINTAGES_DDL)


def read_state(
    con: duckdb.DuckDBPyConnection, series_ids: Iterable[str]
) -> dict[str, StoredSeries]:
    """The stored state of each series; a series never loaded maps to an empty StoredSeries."""
    ids = list(series_ids)
    state = {sid: StoredSeries() for sid in ids}
    if not ids:
        return state
    rows = con.execute(
        "SELECT o.series_id, o.rows, o.first_date, o.last_date, o.units, s.usd_bn_scale,"
        "       s.last_updated"
        " FROM (SELECT series_id, count(*) AS rows, min(date) AS first_date,"
        "              max(date) AS last_date, arg_max(units, date) AS units"
        "       FROM staging.fred_observations WHERE list_contains(?, series_id)"
        "       GROUP BY series_id) o"
        " LEFT JOIN staging.fred_series s USING (series_id)",
        [ids],
    ).fetchall()
    for sid, n, first, last, units, scale, last_updated in rows:
        state[sid] = StoredSeries(n, first, last, units, scale, last_updated)
    return state
