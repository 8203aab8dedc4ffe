"""Reading staging for the checks that compare a batch with what is already loaded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import polars as pl

from pipelines.lib.sqlident import ident


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = ident(table).split(".")
    rows = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    return bool(rows[0][0])


def columns_of(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    schema, name = ident(table).split(".")
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    return {r[0] for r in rows}


def query(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()
) -> pl.DataFrame:
    """Run a query and fetch the whole result (DuckDB 2.0 refuses new work on a half-read one)."""
    frame = pl.from_arrow(con.sql(sql, params=list(params) or None).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def staging_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[str],
    where: str = "",
    params: Sequence[Any] = (),
) -> pl.DataFrame | None:
    """`columns` of a staging table (optionally filtered), or None if it or a column is absent."""
    if not table_exists(con, table) or not set(columns) <= columns_of(con, table):
        return None
    cols = ", ".join(ident(col) for col in columns)
    # Identifiers are checked by ident(); `where` is a literal from our own modules, with `?`s.
    sql = f"SELECT {cols} FROM {ident(table)}" + (f" WHERE {where}" if where else "")  # noqa: S608
    return query(con, sql, params)
