"""Search every store a run writes for secrets: files (bytes and names) under the assets dir
and DAGSTER_HOME, every string column of the warehouse and the serving copy (raw.fetch_log,
raw.loaded_files, problem texts, quarantine, meta), the Parquet files, the Dagster events of
the run and any captured text. Both DuckDB and Parquet compress strings, so a byte search
alone could miss a stored secret."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import dagster as dg
import duckdb


def string_columns_holding(con: duckdb.DuckDBPyConnection, needle: str) -> list[str]:
    """schema.table.column of every VARCHAR/JSON cell containing `needle`."""
    hits = []
    for schema, table, column in con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns()"
        " WHERE data_type IN ('VARCHAR', 'JSON') AND NOT internal"
    ).fetchall():
        found = con.execute(
            f'SELECT count(*) FROM "{schema}"."{table}"'  # noqa: S608 (names from the catalog)
            f' WHERE strpos("{column}"::VARCHAR, ?) > 0', [needle]).fetchall()[0][0]
        if found:
            hits.append(f"{schema}.{table}.{column}")
    return hits


def secret_hits(secrets: Iterable[str], *, roots: Iterable[Path] = (),
                results: Iterable[dg.ExecuteInProcessResult] = (),
                texts: dict[str, str] | None = None) -> list[str]:
    """Where any of `secrets` was found; [] when nowhere."""
    secrets = [s for s in secrets if s]
    hits: list[str] = []
    databases: list[Path] = []
    for root in roots:
        for path in root.rglob("*") if root.exists() else ():
            if not path.is_file():
                continue
            data = path.read_bytes()
            for s in secrets:
                if s.encode() in data or s.encode("utf-16-le") in data or s in str(path):
                    hits.append(str(path))
            if path.suffix == ".duckdb" and not path.name.startswith("."):
                databases.append(path)
            if path.suffix == ".parquet":
                con = duckdb.connect()
                con.execute("CREATE TABLE p AS SELECT * FROM read_parquet(?)", [str(path)])
                hits += [f"{path.name}:{c}" for s in secrets
                         for c in string_columns_holding(con, s)]
                con.close()
    for db in databases:
        with duckdb.connect(str(db), read_only=True) as con:
            hits += [f"{db.name}:{c}" for s in secrets for c in string_columns_holding(con, s)]
    for n, result in enumerate(results):
        events = "\n".join(repr(e) for e in result.all_events)
        hits += [f"run {n} Dagster events" for s in secrets if s in events]
    for name, text in (texts or {}).items():
        hits += [name for s in secrets if s in text]
    return hits
