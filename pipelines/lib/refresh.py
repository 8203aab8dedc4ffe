"""What each refresh attempt did, and what each derived table was built from.

Two small tables in the warehouse make every run's decisions depend on the warehouse itself,
not on which Dagster instance (or none) ran before:

- `meta.refresh_status`: one row per ingestion asset (a FRED series, a publisher file set)
  and per mart: the outcome of its last attempt, since when it has been failing and when it
  last succeeded. `meta.table_status` in the serving copy is derived from it.
- `meta.mart_builds`: one row per mart: the code version (SQL hash) and input data versions
  it was last built from. A mart is rebuilt when either differs, or when its table is gone.

Data versions are content fingerprints (row count plus an order-independent hash of every
row), so "changed" means the rows changed, whatever a run happened to write.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from pipelines.lib.redact import redact_text
from pipelines.lib.sqlident import ident

LOADED, UNCHANGED, FAILED = "loaded", "unchanged", "failed"
BUILT, CURRENT = "built", "current"  # marts: rebuilt, or already built from these inputs
OUTCOMES = (LOADED, UNCHANGED, FAILED, BUILT, CURRENT)
# A stale_reason is one line; several failing inputs are joined with "; " up to this length.
REASON_CHARS = 300

REFRESH_STATUS_DDL = """
CREATE TABLE IF NOT EXISTS meta.refresh_status (
    asset_key VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    last_attempt_at TIMESTAMPTZ NOT NULL,
    last_success_at TIMESTAMPTZ,
    failing_since TIMESTAMPTZ,
    last_error VARCHAR,
    run_id VARCHAR
);
COMMENT ON TABLE meta.refresh_status IS 'The last refresh attempt of every ingestion asset (one
 FRED series, one publisher file set) and every mart: outcome, since when it has been failing,
 when it last succeeded. meta.table_status in the serving copy is derived from it.';
"""

MART_BUILDS_DDL = """
CREATE TABLE IF NOT EXISTS meta.mart_builds (
    mart VARCHAR PRIMARY KEY,
    code_version VARCHAR NOT NULL,
    inputs_version VARCHAR NOT NULL,
    data_version VARCHAR NOT NULL,
    built_at TIMESTAMPTZ NOT NULL,
    rows BIGINT NOT NULL,
    run_id VARCHAR
);
COMMENT ON TABLE meta.mart_builds IS 'What each mart table was last built from: the hash of its
 SQL (code_version) and the data versions of its inputs (inputs_version). A mart is rebuilt
 when either changes or its table is missing.';
"""


def one_line(text: str, limit: int = REASON_CHARS) -> str:
    """Whitespace collapsed, secrets redacted, cut to `limit` characters."""
    flat = re.sub(r"\s+", " ", redact_text(text)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def now() -> datetime:
    return datetime.now(UTC)


# --- fingerprints ------------------------------------------------------------------------------


def _version(rows: int, digest: int | None) -> str:
    """A short, stable text for (row count, row-hash sum)."""
    text = f"{rows}:{digest or 0}"
    return f"{rows}r-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = ident(table).split(".")
    return bool(con.execute(
        "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database()"
        " AND schema_name = ? AND table_name = ?", [schema, name]).fetchall())


def create_once(con: duckdb.DuckDBPyConnection, table: str, ddl: str) -> None:
    """Run a table's DDL only when the table is missing: re-running its COMMENT statements
    rewrites the catalogue (tens of ms), which a caller per series or per mart would pay."""
    if not table_exists(con, table):
        con.execute(ddl)


def table_version(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The data version of a whole table ('0r-…' when it does not exist)."""
    if not table_exists(con, table):
        return _version(0, None)
    rows, digest = con.execute(
        f"SELECT count(*), sum(hash(t)::HUGEINT) FROM {ident(table)} t"  # noqa: S608
    ).fetchall()[0]
    return _version(int(rows), digest)


def keyed_versions(
    con: duckdb.DuckDBPyConnection, table: str, column: str, keys: Iterable[str]
) -> dict[str, str]:
    """The data version of each key's rows of `table` (one FRED series in fred_observations)."""
    wanted = list(keys)
    out = {k: _version(0, None) for k in wanted}
    if not wanted or not table_exists(con, table):
        return out
    for key, rows, digest in con.execute(
        f"SELECT {ident(column)}, count(*), sum(hash(t)::HUGEINT) FROM {ident(table)} t"  # noqa: S608
        f" WHERE list_contains(?, {ident(column)}) GROUP BY ALL", [wanted],
    ).fetchall():
        out[key] = _version(int(rows), digest)
    return out


def combine(parts: Mapping[str, str] | Sequence[tuple[str, str]]) -> str:
    """One version for several named versions, independent of their order."""
    items = sorted(parts.items() if isinstance(parts, Mapping) else parts)
    return hashlib.sha256(repr(items).encode()).hexdigest()[:20]


# --- meta.refresh_status -----------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    asset_key: str
    kind: str  # ingest | mart
    table_name: str
    source: str
    target: str
    outcome: str
    last_attempt_at: datetime
    last_success_at: datetime | None
    failing_since: datetime | None
    last_error: str | None
    run_id: str | None

    @property
    def failing(self) -> bool:
        return self.failing_since is not None

    @property
    def reason(self) -> str:
        """'<source> <target>: <cause>', one line."""
        return one_line(f"{self.source} {self.target}: {self.last_error or 'failed'}")


def record_attempt(
    con: duckdb.DuckDBPyConnection,
    *,
    asset_key: str,
    kind: str,
    table_name: str,
    source: str,
    target: str,
    outcome: str,
    error: str | None = None,
    run_id: str | None = None,
    at: datetime | None = None,
) -> Attempt:
    """Upsert the asset's row: a failure keeps the first failing time, a success clears it."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    create_once(con, "meta.refresh_status", REFRESH_STATUS_DDL)
    at = at or now()
    ok = outcome != FAILED
    con.execute(
        """
        INSERT INTO meta.refresh_status AS r VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (asset_key) DO UPDATE SET
            kind = excluded.kind, table_name = excluded.table_name, source = excluded.source,
            target = excluded.target, outcome = excluded.outcome,
            last_attempt_at = excluded.last_attempt_at,
            last_success_at = coalesce(excluded.last_success_at, r.last_success_at),
            failing_since = CASE WHEN excluded.failing_since IS NULL THEN NULL
                                 ELSE coalesce(r.failing_since, excluded.failing_since) END,
            last_error = excluded.last_error, run_id = excluded.run_id
        """,
        [asset_key, kind, table_name, source, target, outcome, at, at if ok else None,
         None if ok else at, None if ok else one_line(error or "failed", 1000), run_id],
    )
    return read_attempts(con, asset_key)[asset_key]


def read_attempts(con: duckdb.DuckDBPyConnection, asset_key: str | None = None
                  ) -> dict[str, Attempt]:
    """Every asset's last attempt, or only `asset_key`'s (one row, not the whole table)."""
    if not table_exists(con, "meta.refresh_status"):
        return {}
    sql = ("SELECT asset_key, kind, table_name, source, target, outcome, last_attempt_at,"
           " last_success_at, failing_since, last_error, run_id FROM meta.refresh_status")
    params: list[str] = []
    if asset_key is not None:
        sql += " WHERE asset_key = ?"
        params.append(asset_key)
    return {row[0]: Attempt(*row) for row in con.execute(sql, params).fetchall()}


# --- meta.mart_builds --------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    mart: str
    code_version: str
    inputs_version: str
    data_version: str
    built_at: datetime
    rows: int
    run_id: str | None


def record_build(con: duckdb.DuckDBPyConnection, build: Build) -> None:
    con.execute(MART_BUILDS_DDL)
    con.execute(
        "INSERT OR REPLACE INTO meta.mart_builds VALUES (?, ?, ?, ?, ?, ?, ?)",
        [build.mart, build.code_version, build.inputs_version, build.data_version,
         build.built_at, build.rows, build.run_id],
    )


def read_builds(con: duckdb.DuckDBPyConnection) -> dict[str, Build]:
    if not table_exists(con, "meta.mart_builds"):
        return {}
    return {
        row[0]: Build(*row)
        for row in con.execute(
            "SELECT mart, code_version, inputs_version, data_version, built_at, rows, run_id"
            " FROM meta.mart_builds"
        ).fetchall()
    }
