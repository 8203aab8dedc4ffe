"""`meta.table_status`: how fresh each served table is and whether its checks passed.

BI users never see Dagster, so the serving copy carries one row per staging and mart table
answering "how fresh is this number, and did every check pass?" in a plain query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb

from pipelines.lib.sqlident import ident

# The column that dates a row, in order of preference (the data contract's names).
DATE_COLUMNS = ("date", "month", "week_end", "week", "as_of")
SERVED_SCHEMAS = ("staging", "marts")

# Oldest acceptable age in days of a mart's newest row. Staging tables are judged by their
# own `fresh_as_of` check instead, so the cadence rules live in one place (validation).
MART_MAX_AGE_DAYS: dict[str, int] = {
    "yield_spreads_daily": 7,  # business days + Japanese/US holiday runs (Golden Week)
    "yield_spillover_daily": 7,
    "latest_indicators": 7,
    "us_net_liquidity_weekly": 14,  # H.4.1 Wednesday, published Thursday
    "fx_hedged_yields_monthly": 40,  # current month's row appears with its first yields
    "japan_ust_holdings_monthly": 110,  # TIC month m is released mid m+2
    "capital_flow_monthly": 110,
}
FRESHNESS_CHECK = "fresh_as_of"

TABLE_STATUS_DDL = """
CREATE TABLE {db}.meta.table_status (
    table_name VARCHAR NOT NULL,
    schema_name VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    last_date DATE,
    refreshed_at TIMESTAMPTZ,
    check_status VARCHAR NOT NULL,
    failed_checks VARCHAR,
    freshness_warning VARCHAR,
    published_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE {db}.meta.table_status IS 'One row per staging and mart table in this file:
 row count, newest date, when it was last refreshed and whether its checks passed, as of the
 moment this copy was published (published_at). Read this before trusting a number.';
COMMENT ON COLUMN {db}.meta.table_status.table_name IS 'Table name without schema, e.g.
 yield_spreads_daily';
COMMENT ON COLUMN {db}.meta.table_status.schema_name IS 'staging (typed publisher data, with
 _history vintages) or marts (indicators)';
COMMENT ON COLUMN {db}.meta.table_status.rows IS 'Number of rows in the table';
COMMENT ON COLUMN {db}.meta.table_status.last_date IS 'Newest value of the table''s date column
 (date, month, week_end, week or as_of, the first present); NULL if it has none';
COMMENT ON COLUMN {db}.meta.table_status.refreshed_at IS 'Latest load (UTC): for staging, when a
 changed publisher file was last loaded (raw.loaded_files.loaded_at, else the newest vintage);
 for marts, the last build; NULL when unknown';
COMMENT ON COLUMN {db}.meta.table_status.check_status IS 'Latest outcome of the table''s checks:
 fail (an error check failed: the last batch was rejected and the previous data kept), warn (a
 warning check failed), pass, or none (no checks recorded). _history tables share their table''s';
COMMENT ON COLUMN {db}.meta.table_status.failed_checks IS 'Comma-separated names of the checks
 whose latest outcome failed; details in meta.check_results';
COMMENT ON COLUMN {db}.meta.table_status.freshness_warning IS 'Why the newest row looks too old
 for the table''s cadence; NULL when fresh or when the table has no cadence';
COMMENT ON COLUMN {db}.meta.table_status.published_at IS 'When this serving copy was written (UTC)';
"""


@dataclass(frozen=True)
class TableStatus:
    table_name: str
    schema_name: str
    rows: int
    last_date: date | None
    refreshed_at: datetime | None
    check_status: str
    failed_checks: str | None
    freshness_warning: str | None

    @property
    def qualified(self) -> str:
        return f"{self.schema_name}.{self.table_name}"


@dataclass(frozen=True)
class CheckSummary:
    status: str  # pass | warn | fail | none
    failed: tuple[str, ...]


def served_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    """(schema, table, comment) of every staging and mart table, in a stable order."""
    return [
        (s, t, c)
        for s, t, c in con.execute(
            "SELECT schema_name, table_name, comment FROM duckdb_tables()"
            " WHERE database_name = current_database() AND NOT temporary"
            " AND list_contains(?, schema_name) ORDER BY schema_name, table_name",
            [list(SERVED_SCHEMAS)],
        ).fetchall()
    ]


def table_statuses(
    con: duckdb.DuckDBPyConnection,
    *,
    refreshed_at: Mapping[str, datetime] | None = None,
    today: date | None = None,
) -> list[TableStatus]:
    """One TableStatus per staging and mart table of the warehouse `con` is connected to.

    `refreshed_at` maps "schema.table" to a known refresh time (the Dagster layer passes each
    mart's last materialisation); it wins over what the warehouse itself can tell.
    """
    today = today or datetime.now(UTC).date()
    checks = check_summaries(con)
    loads = load_times(con)
    out: list[TableStatus] = []
    for schema, table, _ in served_tables(con):
        qualified = f"{schema}.{table}"
        base = qualified.removesuffix("_history")
        rows, last = _rows_and_last_date(con, schema, table)
        summary = checks.get(base, CheckSummary("none", ()))
        refreshed = (refreshed_at or {}).get(qualified) or loads.get(base)
        if refreshed is None:
            refreshed = _newest_vintage(con, schema, base.split(".")[1])
        out.append(TableStatus(
            table_name=table, schema_name=schema, rows=rows, last_date=last,
            refreshed_at=refreshed, check_status=summary.status,
            failed_checks=", ".join(summary.failed) or None,
            freshness_warning=_freshness_warning(schema, table, last, summary, today),
        ))
    return out


def write_table_status(
    con: duckdb.DuckDBPyConnection, db: str, statuses: Sequence[TableStatus], published_at: datetime
) -> None:
    """Create `<db>.meta.table_status` (schema meta must exist) and fill it."""
    con.execute(TABLE_STATUS_DDL.format(db=ident(db)))
    con.executemany(
        f"INSERT INTO {ident(db)}.meta.table_status VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
        [
            [s.table_name, s.schema_name, s.rows, s.last_date, s.refreshed_at, s.check_status,
             s.failed_checks, s.freshness_warning, published_at]
            for s in statuses
        ],
    )


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database()"
            " AND schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, table],
        ).fetchall()
    ]


def _rows_and_last_date(
    con: duckdb.DuckDBPyConnection, schema: str, table: str
) -> tuple[int, date | None]:
    columns = _columns(con, schema, table)
    day = next((c for c in DATE_COLUMNS if c in columns), None)
    last = f'max("{day}")::DATE' if day else "NULL::DATE"
    rows, newest = con.execute(
        f'SELECT count(*), {last} FROM "{schema}"."{table}"'  # noqa: S608 (names from catalog)
    ).fetchall()[0]
    return int(rows), newest


def _newest_vintage(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> datetime | None:
    """When staging last saw a value change: the newest valid_from of its _history twin."""
    if "valid_from" not in _columns(con, schema, f"{table}_history"):
        return None
    return con.execute(
        f'SELECT max(valid_from) FROM "{schema}"."{table}_history"'  # noqa: S608
    ).fetchall()[0][0]


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(_columns(con, schema, table))


def check_summaries(con: duckdb.DuckDBPyConnection) -> dict[str, CheckSummary]:
    """"schema.table" -> the worst latest outcome among its checks (meta.check_results).

    meta.check_results keeps every evaluation; only the latest per asset and check counts. A
    table fed by several assets (one per FRED series) fails if any of them fails, and the
    failed check is named with its asset: `fresh_as_of (DGS10)`.
    """
    if not _table_exists(con, "meta", "check_results"):
        return {}
    rows = con.execute(
        "SELECT table_name, asset_key, check_name, passed, upper(severity)"
        " FROM meta.check_results"
        " QUALIFY row_number() OVER (PARTITION BY asset_key, check_name"
        "                            ORDER BY evaluated_at DESC) = 1"
        " ORDER BY table_name, asset_key, check_name"
    ).fetchall()
    by_table: dict[str, list[tuple[str, str, bool, str]]] = {}
    for table, asset, check, passed, severity in rows:
        by_table.setdefault(table, []).append((check, asset, bool(passed), severity))
    summaries: dict[str, CheckSummary] = {}
    for table, results in by_table.items():
        several = len({asset for _, asset, _, _ in results}) > 1
        failed = tuple(dict.fromkeys(
            f"{check} ({asset})" if several else check
            for check, asset, ok, _ in results if not ok
        ))
        if any(not ok and sev == "ERROR" for _, _, ok, sev in results):
            status = "fail"
        elif failed:
            status = "warn"
        else:
            status = "pass"
        summaries[table] = CheckSummary(status, failed)
    return summaries


def load_times(con: duckdb.DuckDBPyConnection) -> dict[str, datetime]:
    """"staging.table" -> the latest loaded_at of the publisher files that feed it.

    raw.loaded_files names datasets, not tables: a dataset feeds `staging.<dataset>` or
    `staging.mof_<dataset>`; FRED files (URL under /fred/ or fredgraph) feed the fred_ tables.
    """
    if not _table_exists(con, "raw", "loaded_files"):
        return {}
    staging = {t for s, t, _ in served_tables(con) if s == "staging"}
    out: dict[str, datetime] = {}
    for dataset, url, loaded_at in con.execute(
        "SELECT dataset, url, loaded_at FROM raw.loaded_files"
    ).fetchall():
        targets = [t for t in (dataset, f"mof_{dataset}") if t in staging]
        if "fred" in url.lower():
            targets += [t for t in staging if t.startswith("fred_")]
        for t in targets:
            key = f"staging.{t}"
            if key not in out or loaded_at > out[key]:
                out[key] = loaded_at
    return out


def _freshness_warning(
    schema: str, table: str, last: date | None, summary: CheckSummary, today: date
) -> str | None:
    if schema == "staging":
        if any(f.split(" ")[0] == FRESHNESS_CHECK for f in summary.failed):
            return (f"newest {last} is older than the source's cadence allows"
                    f" (check {FRESHNESS_CHECK}, see meta.check_results)")
        return None
    limit = MART_MAX_AGE_DAYS.get(table)
    if limit is None:
        return None
    if last is None:
        return "no rows: the mart's inputs have not been loaded"
    age = (today - last).days
    if age > limit:
        return f"newest row {last} is {age} days old; this mart's cadence allows {limit}"
    return None

