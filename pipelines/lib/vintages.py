"""Upserts that keep history: a changed value keeps its old vintage, an unchanged one costs nothing.

Each staging table `staging.X` holds the latest value per key. Its twin `staging.X_history`
holds every value that was ever current, with the interval `[valid_from, valid_to)` in which
it was, so an analyst can ask what was known on a given day:

    SELECT * FROM staging.jgb_yields_history
    WHERE valid_from <= TIMESTAMPTZ '2026-06-01' AND coalesce(valid_to, 'infinity') > '2026-06-01'

Revisions are detected on the `tracked` columns, compared as numbers (`4.69` and `4.6900000000`
are one value). `carried` columns (the unit string as published, the file a row came from) are
refreshed in place without creating a vintage, so a publisher re-expressing a series in another
unit is not mistaken for thousands of revisions.

A value the publisher no longer has is *withdrawn*: its history row is closed (`valid_to`) and
it leaves the current table. Only values inside the window that was actually re-fetched
(`Window`: a date range per file, within one series) can be withdrawn; anything outside it was
simply not asked about.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb
import polars as pl

from pipelines.lib.sqlident import comment_literal, ident


@dataclass(frozen=True)
class VintagedTable:
    table: str  # schema-qualified, e.g. "staging.jgb_yields"
    keys: tuple[str, ...]
    tracked: tuple[str, ...]
    carried: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in (self.table, *self.columns):
            ident(name)  # every identifier spliced into SQL below is checked here

    @property
    def history(self) -> str:
        return f"{self.table}_history"

    @property
    def columns(self) -> tuple[str, ...]:
        return self.keys + self.tracked + self.carried


@dataclass(frozen=True)
class Window:
    """What a batch answers for: rows of `table` where `scope` matches (e.g. one series) and
    `column` lies in one of `ranges` (inclusive; None = open). Rows there that the batch lacks
    are withdrawn."""

    column: str
    ranges: tuple[tuple[date | None, date | None], ...]
    scope: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in (self.column, *self.scope):
            ident(name)


@dataclass(frozen=True)
class UpsertStats:
    inserted: int
    revised: int
    carried_updates: int
    unchanged: int
    withdrawn: int = 0

    @property
    def written(self) -> int:
        return self.inserted + self.revised + self.carried_updates + self.withdrawn


def ensure_history_table(con: duckdb.DuckDBPyConnection, spec: VintagedTable) -> None:
    """Create `X_history` from `X`'s key and tracked columns, with comments, if missing."""
    cols = ", ".join(spec.keys + spec.tracked)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {spec.history} AS SELECT {cols},"
        f" NULL::TIMESTAMPTZ AS valid_from, NULL::TIMESTAMPTZ AS valid_to"
        f" FROM {spec.table} WHERE false"
    )
    schema, name = spec.table.split(".")
    comments = con.execute(
        "SELECT column_name, comment FROM duckdb_columns()"
        " WHERE schema_name = ? AND table_name = ? AND comment IS NOT NULL",
        [schema, name],
    ).fetchall()
    for column, comment in comments:
        if column in spec.keys + spec.tracked:
            con.execute(f"COMMENT ON COLUMN {spec.history}.{column} IS {comment_literal(comment)}")
    con.execute(
        f"COMMENT ON COLUMN {spec.history}.valid_from IS"
        " 'When this pipeline first saw this value (UTC)'"
    )
    con.execute(
        f"COMMENT ON COLUMN {spec.history}.valid_to IS"
        " 'When a different value replaced it; NULL while it is the current value'"
    )
    text = f"Every value {spec.table} has held, with the interval in which it was current"
    con.execute(f"COMMENT ON TABLE {spec.history} IS {comment_literal(text)}")


def upsert_with_vintages(
    con: duckdb.DuckDBPyConnection,
    spec: VintagedTable,
    batch: pl.DataFrame,
    *,
    known_at: datetime,
    window: Window | None = None,
) -> UpsertStats:
    """Merge `batch` into the table and its history; withdraw what `window` covers and the
    batch lacks. Call inside a transaction."""
    missing = [c for c in spec.columns if c not in batch.columns]
    if missing:
        raise ValueError(f"batch for {spec.table} lacks columns {missing}")
    ensure_history_table(con, spec)
    con.register("_vintage_batch", batch.select(spec.columns).to_arrow())
    try:
        withdrawn = _withdraw(con, spec, window, known_at) if window is not None else 0
        stats = _merge(con, spec, known_at)
        return dataclasses.replace(stats, withdrawn=withdrawn)
    finally:
        con.unregister("_vintage_batch")
        con.execute("DROP TABLE IF EXISTS _vintage_delta")
        con.execute("DROP TABLE IF EXISTS _vintage_gone")


def _gone_table(
    con: duckdb.DuckDBPyConnection, spec: VintagedTable, window: Window
) -> None:
    """`_vintage_gone`: keys of the rows inside `window` that `_vintage_batch` lacks."""
    where, params = [], []
    for column, value in window.scope.items():
        where.append(f"c.{column} = ?")
        params.append(value)
    spans = []
    for lo, hi in window.ranges:
        parts = ["true"]
        if lo is not None:
            parts.append(f"c.{window.column} >= ?")
            params.append(lo)
        if hi is not None:
            parts.append(f"c.{window.column} <= ?")
            params.append(hi)
        spans.append("(" + " AND ".join(parts) + ")")
    where.append("(" + (" OR ".join(spans) or "false") + ")")
    on = " AND ".join(f"b.{k} = c.{k}" for k in spec.keys)
    keys = ", ".join(f"c.{k}" for k in spec.keys)
    con.execute(
        f"CREATE TEMP TABLE _vintage_gone AS SELECT {keys} FROM {spec.table} c"
        f" WHERE {' AND '.join(where)}"
        f" AND NOT EXISTS (SELECT 1 FROM _vintage_batch b WHERE {on})",
        params,
    )


def _withdraw(
    con: duckdb.DuckDBPyConnection, spec: VintagedTable, window: Window, known_at: datetime
) -> int:
    """Close and remove the rows inside `window` that the batch no longer holds."""
    _gone_table(con, spec, window)
    gone = con.execute("SELECT count(*) FROM _vintage_gone").fetchall()[0][0]
    if gone:
        g_on = " AND ".join(f"h.{k} = g.{k}" for k in spec.keys)
        con.execute(
            f"UPDATE {spec.history} AS h SET valid_to = ? FROM _vintage_gone AS g"
            f" WHERE {g_on} AND h.valid_to IS NULL",
            [known_at],
        )
        d_on = " AND ".join(f"{spec.table}.{k} = g.{k}" for k in spec.keys)
        con.execute(f"DELETE FROM {spec.table} USING _vintage_gone AS g WHERE {d_on}")
    return int(gone)


def _merge(con: duckdb.DuckDBPyConnection, spec: VintagedTable, known_at: datetime) -> UpsertStats:
    on = " AND ".join(f"b.{k} = c.{k}" for k in spec.keys)
    changed = " OR ".join(f"b.{t} IS DISTINCT FROM c.{t}" for t in spec.tracked)
    con.execute(
        f"CREATE TEMP TABLE _vintage_delta AS SELECT b.*, c.{spec.keys[0]} IS NULL AS _is_new"
        f" FROM _vintage_batch b LEFT JOIN {spec.table} c ON {on}"
        f" WHERE c.{spec.keys[0]} IS NULL OR {changed}"
    )
    inserted, revised = con.execute(
        "SELECT count(*) FILTER (_is_new), count(*) FILTER (NOT _is_new) FROM _vintage_delta"
    ).fetchall()[0]
    carried_updates = 0
    if spec.carried:
        same = " AND ".join(f"b.{t} IS NOT DISTINCT FROM c.{t}" for t in spec.tracked)
        differs = " OR ".join(f"b.{c} IS DISTINCT FROM c.{c}" for c in spec.carried)
        sets = ", ".join(f"{c} = b.{c}" for c in spec.carried)
        carried_updates = con.execute(
            f"UPDATE {spec.table} AS c SET {sets} FROM _vintage_batch AS b"
            f" WHERE {on} AND {same} AND ({differs})"
        ).fetchall()[0][0]
    if inserted or revised:
        h_on = " AND ".join(f"h.{k} = d.{k}" for k in spec.keys)
        con.execute(
            f"UPDATE {spec.history} AS h SET valid_to = ? FROM _vintage_delta AS d"
            f" WHERE {h_on} AND h.valid_to IS NULL AND NOT d._is_new",
            [known_at],
        )
        hist_cols = ", ".join(spec.keys + spec.tracked)
        con.execute(
            f"INSERT INTO {spec.history} ({hist_cols}, valid_from, valid_to)"
            f" SELECT {hist_cols}, ?, NULL FROM _vintage_delta",
            [known_at],
        )
        cols = ", ".join(spec.columns)
        con.execute(
            f"INSERT OR REPLACE INTO {spec.table} ({cols}) SELECT {cols} FROM _vintage_delta"
        )
    total = con.execute("SELECT count(*) FROM _vintage_batch").fetchall()[0][0]
    unchanged = total - inserted - revised - carried_updates
    return UpsertStats(int(inserted), int(revised), int(carried_updates), int(unchanged))


def batch_is_current(
    con: duckdb.DuckDBPyConnection, spec: VintagedTable, batch: pl.DataFrame,
    window: Window | None = None,
) -> bool:
    """Every row of `batch` is already in the table with the same values, and nothing in
    `window` would be withdrawn: merging it would write nothing, so the caller can skip
    auditing it (the rows passed their audit on load)."""
    missing = [c for c in spec.columns if c not in batch.columns]
    if missing or batch.is_empty():
        return False
    on = " AND ".join(f"b.{k} = c.{k}" for k in spec.keys)
    differs = " OR ".join(f"b.{c} IS DISTINCT FROM c.{c}" for c in spec.tracked + spec.carried)
    con.register("_current_batch", batch.select(spec.columns).to_arrow())
    try:
        if con.execute(
            f"SELECT EXISTS (SELECT 1 FROM _current_batch b LEFT JOIN {spec.table} c ON {on}"
            f" WHERE c.{spec.keys[0]} IS NULL OR {differs})"
        ).fetchall()[0][0]:
            return False
    finally:
        con.unregister("_current_batch")
    if window is None:
        return True
    con.register("_vintage_batch", batch.select(spec.columns).to_arrow())
    try:
        return _withdraw_count(con, spec, window) == 0  # nothing would be withdrawn
    finally:
        con.unregister("_vintage_batch")


def _withdraw_count(
    con: duckdb.DuckDBPyConnection, spec: VintagedTable, window: Window
) -> int:
    try:
        _gone_table(con, spec, window)
        return int(con.execute("SELECT count(*) FROM _vintage_gone").fetchall()[0][0])
    finally:
        con.execute("DROP TABLE IF EXISTS _vintage_gone")


def clear_vintaged(
    con: duckdb.DuckDBPyConnection, spec: VintagedTable, scope: dict[str, object] | None = None
) -> None:
    """Delete the rows matching `scope` (all rows when empty) from the table and its history,
    before a replay rebuilds them. Call inside a transaction."""
    ensure_history_table(con, spec)
    scope = scope or {}
    for name in scope:
        ident(name)
    where = " AND ".join(f"{k} = ?" for k in scope) or "true"
    for table in (spec.table, spec.history):
        con.execute(f"DELETE FROM {table} WHERE {where}", list(scope.values()))
