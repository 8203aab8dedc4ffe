"""Publish the read-only serving copy: `serving/analytics.duckdb` plus one Parquet file per mart.

DuckDB lets one process write a file and no other process read it meanwhile, so analysts never
open the warehouse. Instead each refresh writes a NEW file beside the old one and renames it
over `analytics.duckdb`: a reader holding the old file keeps reading the old inode (never a
half-written table), and nothing a reader does can block the writer. The file is written in
storage version v1.0.0, which every DuckDB 1.x client (most BI drivers) opens.

The copy records a fingerprint of what it holds (`meta.publication`): every table's rows,
columns and comments and every meta.table_status verdict. With `skip_if_unchanged`, a publish
whose fingerprint equals the copy's is skipped; a missing, unreadable or different copy (a run
killed before publishing, a failed publish, a disk that was full) is always replaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.lib.refresh import table_version
from pipelines.lib.sqlident import comment_literal
from pipelines.lib.warehouse import release_freed_memory
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
# Copied, but not part of the fingerprint: logs appended to on every run (check evaluations,
# whose verdicts meta.table_status carries) or on every publish (indicator snapshots).
UNFINGERPRINTED = ("meta.check_results", "marts.indicator_snapshots")
# Bump when the file's layout changes (a new meta.table_status column), so the next run
# republishes even though no data changed.
LAYOUT_VERSION = "2"
_ALIAS = "_serving_new"
# Written beside parquet/ once every file of a publish is in place: the fingerprint they match.
PARQUET_MARKER = "parquet.fingerprint"

PUBLICATION_DDL = """
CREATE TABLE {db}.meta.publication (
    fingerprint VARCHAR NOT NULL,
    published_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE {db}.meta.publication IS 'One row: when this copy was published and the
 fingerprint of its contents (rows, columns, comments, table status). A refresh whose
 fingerprint is the same leaves this file as it is.';
COMMENT ON COLUMN {db}.meta.publication.fingerprint IS 'Hash of everything this copy holds
 except meta.check_results (whose verdicts meta.table_status carries)';
COMMENT ON COLUMN {db}.meta.publication.published_at IS 'When this copy was written (UTC)';
"""


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
    fingerprint: str = ""
    published: bool = True  # False: the copy already held exactly this, and was kept


def publish_serving_copy(
    con: duckdb.DuckDBPyConnection,
    serving_dir: Path,
    *,
    refreshed_at: Mapping[str, datetime] | None = None,
    today: date | None = None,
    known_assets: Collection[str] | None = None,
    skip_if_unchanged: bool = False,
) -> ServingReport:
    """Copy staging, marts and meta.table_status from the warehouse `con` into serving_dir.

    The caller holds the warehouse writer lock, so the copy is one consistent state.
    """
    started = time.monotonic()
    published_at = datetime.now(UTC)
    serving_dir.mkdir(parents=True, exist_ok=True)
    target = serving_dir / SERVING_FILE
    statuses = table_statuses(con, refreshed_at=refreshed_at, today=today,
                              known_assets=known_assets)
    tables = served_tables(con) + _meta_tables(con)
    # Judged before this publish's snapshot row is appended (snapshots are left out of it).
    fingerprint = content_fingerprint(con, tables, statuses)
    served = [(s, t, c) for s, t, c in tables if s in ("marts", "staging")]
    parquet_dir = serving_dir / PARQUET_DIR
    if (skip_if_unchanged and published_fingerprint(target) == fingerprint
            and _read(serving_dir / PARQUET_MARKER) == fingerprint):
        names = tuple(f"{s}.{t}" for s, t, _ in tables) + ("meta.table_status",
                                                          "meta.publication")
        return ServingReport(
            path=target, bytes=target.stat().st_size, tables=names,
            parquet=tuple(parquet_dir / f"{t}.parquet" for _, t, _ in served),
            storage_version=STORAGE_VERSION, published_at=published_at,
            duration_s=time.monotonic() - started, statuses=tuple(statuses),
            fingerprint=fingerprint, published=False,
        )
    tmp = serving_dir / f".{SERVING_FILE.removesuffix('.duckdb')}.{os.getpid()}.duckdb.tmp"
    # Half-written copies of publishes that were killed (any pid): the caller holds the
    # writer lock, so no other publish can own them.
    _remove(*serving_dir.glob(f".{SERVING_FILE.removesuffix('.duckdb')}.*.duckdb.tmp*"))
    append_snapshot(con, published_at)  # marts.indicator_snapshots: what this copy shows
    statuses = table_statuses(con, refreshed_at=refreshed_at, today=today,
                              known_assets=known_assets)
    tables = served_tables(con) + _meta_tables(con)
    served = [(s, t, c) for s, t, c in tables if s in ("marts", "staging")]
    con.execute(f"DETACH DATABASE IF EXISTS {_ALIAS}")  # left over from a crashed publish
    con.execute(
        f"ATTACH {comment_literal(str(tmp))} AS {_ALIAS} (STORAGE_VERSION '{STORAGE_VERSION}')"
    )
    try:
        _copy_tables(con, tables)
        con.execute(PUBLICATION_DDL.format(db=_ALIAS))
        con.execute(f"INSERT INTO {_ALIAS}.meta.publication VALUES (?, ?)",  # noqa: S608
                    [fingerprint, published_at])
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
    release_freed_memory()  # the copy's buffers, before the Parquet files take their own
    _fsync(tmp)
    os.replace(tmp, target)
    _fsync_dir(serving_dir)
    (serving_dir / PARQUET_MARKER).unlink(missing_ok=True)
    parquet = _write_parquet(con, parquet_dir, served)
    _write_marker(serving_dir / PARQUET_MARKER, fingerprint)  # every file is in place
    names = tuple(f"{s}.{t}" for s, t, _ in tables) + ("meta.table_status", "meta.publication")
    return ServingReport(
        path=target, bytes=target.stat().st_size, tables=names, parquet=tuple(parquet),
        storage_version=STORAGE_VERSION, published_at=published_at,
        duration_s=time.monotonic() - started, statuses=tuple(statuses),
        fingerprint=fingerprint,
    )


def content_fingerprint(
    con: duckdb.DuckDBPyConnection,
    tables: list[tuple[str, str, str | None]],
    statuses: list[TableStatus],
) -> str:
    """A hash of what a copy published now would hold: every table's rows, columns and
    comments, and every table-status verdict. Timestamps that move without the data moving
    (published_at; refreshed_at, which a re-read of an unchanged window touches;
    last_success_at, which every good run touches) are left out: they are brought up to date
    whenever anything else changes."""
    columns = dict(con.execute(
        "SELECT schema_name || '.' || table_name, string_agg(column_name || ' ' || data_type"
        " || ' ' || coalesce(comment, ''), '|' ORDER BY column_index) FROM duckdb_columns()"
        " WHERE database_name = current_database() GROUP BY ALL").fetchall())
    parts: list[object] = [LAYOUT_VERSION, STORAGE_VERSION]
    for schema, table, comment in tables:
        name = f"{schema}.{table}"
        if name not in UNFINGERPRINTED:
            parts.append((name, table_version(con, name), comment, columns.get(name)))
    for st in sorted(statuses, key=lambda x: x.qualified):
        if st.qualified in UNFINGERPRINTED:
            continue
        parts.append((st.qualified, st.rows, st.last_date, st.check_status,
                      st.failed_checks, st.freshness_warning, st.is_stale, st.stale_reason,
                      st.failing_since))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def published_fingerprint(path: Path) -> str | None:
    """The fingerprint recorded in an existing copy; None if absent or unreadable."""
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            rows = con.execute("SELECT fingerprint FROM meta.publication").fetchall()
    except duckdb.Error:
        return None
    return rows[0][0] if rows else None


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


PARQUET_BATCH_ROWS = 65_536  # rows per row group: a table is streamed, never held whole


def _parquet_file(con: duckdb.DuckDBPyConnection, schema: str, table: str,
                  comment: str | None, path: Path) -> None:
    """The table as Parquet at `path`, each column's COMMENT in its field metadata
    (`comment`), streamed in row groups so the largest table is never in memory whole."""
    comments = dict(con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name ="
        " current_database() AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
        [schema, table]).fetchall())
    reader = con.sql(f'SELECT * FROM "{schema}"."{table}"').to_arrow_reader(  # noqa: S608
        PARQUET_BATCH_ROWS)
    fields = [f.with_metadata({"comment": comments[f.name]}) if f.name in comments else f
              for f in reader.schema]
    meta = {"table": f"{schema}.{table}", **({"comment": comment} if comment else {})}
    target = pa.schema(fields, metadata=meta)
    with pq.ParquetWriter(path, target, compression="zstd") as writer:
        for batch in reader:
            writer.write_table(pa.Table.from_batches([batch]).cast(target))
    pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed pages too


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
        _parquet_file(con, schema, table, comment, tmp)
        _fsync(tmp)
        os.replace(tmp, path)
        written.append(path)
    for stale in set(folder.rglob("*.parquet")) - set(written):
        stale.unlink()
    for where in {p.parent for p in written}:
        _fsync_dir(where)
    return written


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _write_marker(path: Path, text: str) -> None:
    _remove(*path.parent.glob(f".{path.name}.*.tmp"))  # left by a killed publish
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="ascii")
    _fsync(tmp)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


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
