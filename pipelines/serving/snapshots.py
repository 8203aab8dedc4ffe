"""`marts.indicator_snapshots`: what `marts.latest_indicators` said at each publish.

The marts are rebuilt from staging every time, so a restated value (a provisional month
finalised, a TIC revision) replaces the old one and "what did the dashboard show on day D" has
no answer in them. Each publish therefore appends the `latest_indicators` rows it serves, with
its `published_at`, to this table, which no build ever replaces. `sql/examples/known_on_date.sql`
reads it.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

TABLE = "marts.indicator_snapshots"
SOURCE = "marts.latest_indicators"
# The columns copied from latest_indicators (those it lacks are stored as NULL).
COLUMNS = ("indicator", "value", "as_of", "chg_1w", "chg_1m", "unit", "frequency",
           "is_provisional", "input_as_of")

DDL = """
CREATE SCHEMA IF NOT EXISTS marts;
CREATE TABLE IF NOT EXISTS marts.indicator_snapshots (
    published_at TIMESTAMPTZ NOT NULL,
    indicator VARCHAR NOT NULL,
    value DOUBLE,
    as_of DATE,
    chg_1w DOUBLE,
    chg_1m DOUBLE,
    unit VARCHAR,
    frequency VARCHAR,
    is_provisional BOOLEAN,
    input_as_of DATE,
    PRIMARY KEY (published_at, indicator)
);
COMMENT ON TABLE marts.indicator_snapshots IS 'What marts.latest_indicators said at each
 publish of the serving copy: its rows, appended with the publish time and never rewritten, so
 "what did the dashboard show on day D?" is one query (sql/examples/known_on_date.sql). A
 restated value (a provisional month finalised) shows here as a change between snapshots.';
COMMENT ON COLUMN marts.indicator_snapshots.published_at IS 'When the publish that recorded the
 row started (UTC); the dashboard showed these rows from then until the next published_at';
COMMENT ON COLUMN marts.indicator_snapshots.indicator IS 'Indicator name, as in
 marts.latest_indicators';
COMMENT ON COLUMN marts.indicator_snapshots.value IS 'Latest value then, in unit';
COMMENT ON COLUMN marts.indicator_snapshots.as_of IS 'Date that value referred to';
COMMENT ON COLUMN marts.indicator_snapshots.chg_1w IS 'One-week change then, in unit';
COMMENT ON COLUMN marts.indicator_snapshots.chg_1m IS 'One-month change then, in unit';
COMMENT ON COLUMN marts.indicator_snapshots.unit IS 'Unit of value and changes';
COMMENT ON COLUMN marts.indicator_snapshots.frequency IS 'daily, weekly or monthly';
COMMENT ON COLUMN marts.indicator_snapshots.is_provisional IS 'True when the value shown was
 provisional (it could still change)';
COMMENT ON COLUMN marts.indicator_snapshots.input_as_of IS 'Date of the oldest input behind the
 value then (e.g. the JPY 3-month rate''s month for hedged_pickup_bp)';
"""


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database()"
        " AND schema_name = ? AND table_name = ?", [schema, table]).fetchall()}


def append_snapshot(con: duckdb.DuckDBPyConnection, published_at: datetime) -> int:
    """Append the current latest_indicators rows stamped `published_at`; returns the count.

    Nothing to copy (no latest_indicators yet) appends nothing. Called by the publish, under
    the warehouse writer lock, before the serving copy is written, so the copy holds it.
    """
    con.execute(DDL)
    present = _columns(con, "marts", "latest_indicators")
    if not present:
        return 0
    selected = ", ".join(c if c in present else "NULL" for c in COLUMNS)
    con.execute(
        f"INSERT OR IGNORE INTO {TABLE} (published_at, {', '.join(COLUMNS)})"  # noqa: S608
        f" SELECT ?, {selected} FROM {SOURCE} WHERE indicator IS NOT NULL",
        [published_at],
    )
    return int(con.execute(
        f"SELECT count(*) FROM {TABLE} WHERE published_at = ?", [published_at]  # noqa: S608
    ).fetchall()[0][0])


def remove_snapshot(con: duckdb.DuckDBPyConnection, published_at: datetime) -> None:
    """Undo `append_snapshot` for a publish that failed before its copy was in place."""
    if _columns(con, "marts", "indicator_snapshots"):
        con.execute(f"DELETE FROM {TABLE} WHERE published_at = ?", [published_at])  # noqa: S608
