"""Publish the read-only serving copy: `serving/analytics.duckdb` plus one Parquet file per mart.

DuckDB lets one process write a file and no other process read it meanwhile, so analysts never
open the warehouse. Instead each refresh writes a NEW file beside the old one and renames it
over `analytics.duckdb`: a reader holding the old file keeps reading the old inode (never a
half-written table), and nothing a reader does can block the writer. The file is written in
storage version v1.0.0, which every DuckDB 1.x client (most BI drivers) opens.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.lib.sqlident import comment_literal
from pipelines.serving.snapshots import append_snapshot, remove_snapshot
from pipelines.serving.status import (
    TableStatus,
    served_tables,
    table_statuses,
    write_table_status,
)

SERVING_FILE = "analytics.duckdb"
PARQUET_DIR = "parquet"
# The oldest storage format DuckDB 2.0 writes that DuckDB 1.0.0 .. 1.5.x all read (tested
# against 1.0.0, 1.1.3, 1.2.2 and 1.5.6); newer versions lock out older BI drivers.
STORAGE_VERSION = "v1.0.0"
# meta tables copied as they are, when present, so check details and alerts are queryable too.
META_TABLES = ("check_results", "alerts")
_ALIAS = "_serving_new"


@dataclass(frozen=True)
class ServingReport:
    path: Path
    bytes: int
    tables: tuple[str, ...]  # schema.table, everything in the file
    parquet: tuple[Path, ...]
    storage_version: str
    published_at: datetime
    duration_s: float
    statuses: tuple[TableStatus, ...]


def publish_serving_copy(
    con: duckdb.DuckDBPyConnection,
    serving_dir: Path,
    *,
    refreshed_at: Mapping[str, datetime] | None = None,
    today: date | None = None,
) -> ServingReport:
    """Copy staging, marts and meta.table_status from the warehouse `con` into serving_dir.

    The caller holds the warehouse writer lock, so the copy is one consistent state.
    """
    started = time.monotonic()
    published_at = datetime.now(UTC)
    serving_dir.mkdir(parents=True, exist_ok=True)
    target = serving_dir / SERVING_FILE
    tmp = serving_dir / f".{SERVING_FILE.removesuffix('.duckdb')}.{os.getpid()}.duckdb.tmp"
    # Half-written copies of publishes that were killed (any pid): the caller holds the
    # writer lock, so no other publish can own them.
    _remove(*serving_dir.glob(f".{SERVING_FILE.removesuffix('.duckdb')}.*.duckdb.tmp*"))
    append_snapshot(con, published_at)  # marts.indicator_snapshots: what this copy shows
    statuses = table_statuses(con, refreshed_at=refreshed_at, today=today)
    tables = served_tables(con) + _meta_tables(con)
    con.execute(f"DETACH DATABASE IF EXISTS {_ALIAS}")  # left over from a crashed publish
    con.execute(
        f"ATTACH {comment_literal(str(tmp))} AS {_ALIAS} (STORAGE_VERSION '{STORAGE_VERSION}')"
    )
    try:
        _copy_tables(con, tables)
        write_table_status(con, _ALIAS, statuses, published_at)
        _utc_timestamps(con)
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute(f"DETACH {_ALIAS}")
        _remove(tmp, Path(f"{tmp}.wal"))
        with contextlib.suppress(duckdb.Error):
            remove_snapshot(con, published_at)
        raise
    con.execute(f"DETACH {_ALIAS}")  # checkpoints: the file alone is the whole database
    _fsync(tmp)
    os.replace(tmp, target)
    _fsync_dir(serving_dir)
    parquet = _write_parquet(con, serving_dir / PARQUET_DIR,
                             [(s, t, c) for s, t, c in tables if s in ("marts", "staging")])
    names = tuple(f"{s}.{t}" for s, t, _ in tables) + ("meta.table_status",)
    return ServingReport(
        path=target, bytes=target.stat().st_size, tables=names, parquet=tuple(parquet),
        storage_version=STORAGE_VERSION, published_at=published_at,
        duration_s=time.monotonic() - started, statuses=tuple(statuses),
    )


def _meta_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    return [
        (s, t, c)
        for s, t, c in con.execute(
            "SELECT schema_name, table_name, comment FROM duckdb_tables()"
            " WHERE database_name = current_database() AND schema_name = 'meta'"
            " AND list_contains(?, table_name) ORDER BY table_name",
            [list(META_TABLES)],
        ).fetchall()
    ]


def _copy_tables(con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str, str | None]]) -> None:
    """CREATE TABLE … AS SELECT each table into the new file, with every COMMENT."""
    source = con.execute("SELECT current_database()").fetchall()[0][0]
    src = '"' + source.replace('"', '""') + '"'
    for schema in sorted({s for s, _, _ in tables} | {"meta"}):
        con.execute(f'CREATE SCHEMA IF NOT EXISTS {_ALIAS}."{schema}"')
    for schema, table, comment in tables:
        dest = f'{_ALIAS}."{schema}"."{table}"'
        con.execute(f'CREATE TABLE {dest} AS SELECT * FROM {src}."{schema}"."{table}"')  # noqa: S608
        if comment:
            con.execute(f"COMMENT ON TABLE {dest} IS {comment_literal(comment)}")
        for column, col_comment in con.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = ?"
            " AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
            [source, schema, table],
        ).fetchall():
            con.execute(
                f'COMMENT ON COLUMN {dest}."{column}" IS {comment_literal(col_comment)}'
            )


# Serving-copy columns of these types become UTC TIMESTAMPs: a TIMESTAMPTZ makes Python
# clients (duckdb_engine/SQLAlchemy, pandas) import pytz, and older drivers misreflect it.
_TZ_TYPES = ("TIMESTAMP WITH TIME ZONE",)
_UTC_NOTE = " Stored as TIMESTAMP in UTC (no time zone attached)."


def _utc_timestamps(con: duckdb.DuckDBPyConnection) -> None:
    """Turn every TIMESTAMPTZ column of the new serving file into a TIMESTAMP in UTC."""
    for schema, table, column, comment in con.execute(
        "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns()"
        " WHERE database_name = ? AND list_contains(?, data_type)",
        [_ALIAS, list(_TZ_TYPES)],
    ).fetchall():
        name = f'{_ALIAS}."{schema}"."{table}"'
        con.execute(f'ALTER TABLE {name} ALTER "{column}" SET DATA TYPE TIMESTAMP'
                    f" USING timezone('UTC', \"{column}\")")
        con.execute(f'COMMENT ON COLUMN {name}."{column}" IS'
                    f" {comment_literal((comment or '').strip() + _UTC_NOTE)}")


def _parquet_table(con: duckdb.DuckDBPyConnection, schema: str, table: str,
                   comment: str | None) -> pa.Table:
    """The table as Arrow, each column's COMMENT in its Parquet field metadata (`comment`)."""
    data = con.sql(f'SELECT * FROM "{schema}"."{table}"').to_arrow_table()  # noqa: S608
    comments = dict(con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name ="
        " current_database() AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
        [schema, table]).fetchall())
    fields = [f.with_metadata({"comment": comments[f.name]}) if f.name in comments else f
              for f in data.schema]
    meta = {"table": f"{schema}.{table}", **({"comment": comment} if comment else {})}
    return data.cast(pa.schema(fields, metadata=meta))


def _write_parquet(con: duckdb.DuckDBPyConnection, folder: Path,
                   tables: list[tuple[str, str, str | None]]) -> list[Path]:
    """One file per mart (`<mart>.parquet`) and staging table (`staging/<table>.parquet`),
    each renamed into place whole; files of dropped tables removed."""
    written: list[Path] = []
    for schema, table, comment in tables:
        where = folder if schema == "marts" else folder / schema
        where.mkdir(parents=True, exist_ok=True)
        _remove(*where.glob(".*.parquet.tmp"))  # left by a killed publish
        path = where / f"{table}.parquet"
        tmp = where / f".{table}.{os.getpid()}.parquet.tmp"
        pq.write_table(_parquet_table(con, schema, table, comment), tmp, compression="zstd")
        _fsync(tmp)
        os.replace(tmp, path)
        written.append(path)
    for stale in set(folder.rglob("*.parquet")) - set(written):
        stale.unlink()
    for where in {p.parent for p in written}:
        _fsync_dir(where)
    return written


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Make the rename itself durable, so a crash cannot bring back the old name."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
