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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
class UpsertStats:
    inserted: int
    revised: int
    carried_updates: int
    unchanged: int

    @property
    def written(self) -> int:
        return self.inserted + self.revised + self.carried_updates


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
) -> UpsertStats:
    """Merge `batch` into the table and its history. Call inside a transaction."""
    missing = [c for c in spec.columns if c not in batch.columns]
    if missing:
        raise ValueError(f"batch for {spec.table} lacks columns {missing}")
    ensure_history_table(con, spec)
    con.register("_vintage_batch", batch.select(spec.columns).to_arrow())
    try:
        return _merge(con, spec, known_at)
    finally:
        con.unregister("_vintage_batch")
        con.execute("DROP TABLE IF EXISTS _vintage_delta")


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
    con: duckdb.DuckDBPyConnection, spec: VintagedTable, batch: pl.DataFrame
) -> bool:
    """Every row of `batch` is already in the table with the same values: merging it would
    write nothing, so the caller can skip auditing it (the rows passed their audit on load)."""
    missing = [c for c in spec.columns if c not in batch.columns]
    if missing or batch.is_empty():
        return False
    on = " AND ".join(f"b.{k} = c.{k}" for k in spec.keys)
    differs = " OR ".join(f"b.{c} IS DISTINCT FROM c.{c}" for c in spec.tracked + spec.carried)
    con.register("_current_batch", batch.select(spec.columns).to_arrow())
    try:
        return not con.execute(
            f"SELECT EXISTS (SELECT 1 FROM _current_batch b LEFT JOIN {spec.table} c ON {on}"
            f" WHERE c.{spec.keys[0]} IS NULL OR {differs})"
        ).fetchall()[0][0]
    finally:
        con.unregister("_current_batch")
