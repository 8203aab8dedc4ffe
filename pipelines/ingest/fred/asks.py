"""Keyless mode: the day each monthly series was last asked while its next month was due.

fredgraph.csv says nothing about when a series last changed, so a monthly series whose next
month may exist (OECD and TIC months appear weeks after the month ends) used to be asked at
every refresh until the month appeared. A monthly release comes once: after one answer on a
day, another request the same day would only re-read what that answer held. So a due monthly
series is asked at most once per day (plan.asked_today); the record is written only for a
request that was answered and published without error, so a failure is retried at once.
"""

from __future__ import annotations

from datetime import date

import duckdb

from pipelines.lib.refresh import create_once, table_exists

TABLE = "meta.fred_keyless_asks"

# In `meta`, like meta.fred_update_checks: bookkeeping, so the serving copy is not rebuilt.
DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.fred_keyless_asks (
    series_id VARCHAR PRIMARY KEY,
    asked_on DATE NOT NULL,
    asked_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
COMMENT ON TABLE meta.fred_keyless_asks IS 'Keyless mode: the day each monthly series was last
 asked for its next month (fredgraph.csv answered, nothing failed); asked at most once a day.';
"""


def asked_on(con: duckdb.DuckDBPyConnection, series_ids: list[str]) -> dict[str, date]:
    """The day each of these series was last asked (absent: never, or not since the table)."""
    if not series_ids or not table_exists(con, TABLE):
        return {}
    return dict(con.execute(
        "SELECT series_id, asked_on FROM meta.fred_keyless_asks"
        " WHERE list_contains(?, series_id)", [series_ids]).fetchall())


def record_asks(con: duckdb.DuckDBPyConnection, series_ids: list[str], today: date) -> None:
    """These series were asked on `today` and their answers published (one statement)."""
    if not series_ids:
        return
    create_once(con, TABLE, DDL)
    con.execute(
        "INSERT INTO meta.fred_keyless_asks (series_id, asked_on)"
        " SELECT unnest(?), ? ON CONFLICT (series_id) DO UPDATE SET"
        " asked_on = excluded.asked_on, asked_at = now()", [series_ids, today])
