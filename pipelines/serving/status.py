"""`meta.table_status`: how fresh each served table is, whether its checks passed, and
whether it is stale because a refresh failed.

BI users never see Dagster, so the serving copy carries one row per staging and mart table
answering "how fresh is this number, did every check pass, and is anything behind it
failing?" in a plain query. Staleness comes from `meta.refresh_status` (lib/refresh.py): a
staging table is stale while the refresh of any series or file feeding it fails; a mart is
stale while its own build or the refresh of anything it is built from (transitively) fails.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape

import duckdb

from pipelines.lib.datasets import registered
from pipelines.lib.refresh import Attempt, one_line, read_attempts, read_builds
from pipelines.lib.sqlident import ident
from pipelines.serving.status_rules import fed_with, mart_max_age_days

# The column that dates a row, in order of preference (the data contract's names).
DATE_COLUMNS = ("date", "month", "week_end", "week", "as_of")
SERVED_SCHEMAS = ("staging", "marts")

FRESHNESS_CHECK = "fresh_as_of"
# Mart-schema tables a mart's build writes besides its own.
BUILT_WITH: dict[str, str] = {"threshold_levels": "threshold_events"}

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
    is_stale BOOLEAN NOT NULL,
    stale_reason VARCHAR,
    failing_since TIMESTAMPTZ,
    last_success_at TIMESTAMPTZ,
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
COMMENT ON COLUMN {db}.meta.table_status.is_stale IS 'TRUE when the last refresh of a series or
 file this table is built from (or, for a mart, its own last build) failed: the table keeps its
 last good rows, so it may lack values the publisher already has. See stale_reason';
COMMENT ON COLUMN {db}.meta.table_status.stale_reason IS 'Why is_stale, in one line: source,
 series or file, and the cause (e.g. fred DGS1: … HTTP 404); further failing inputs are counted
 at the end. NULL when not stale';
COMMENT ON COLUMN {db}.meta.table_status.failing_since IS 'When the oldest of the failures in
 stale_reason began (UTC); NULL when not stale';
COMMENT ON COLUMN {db}.meta.table_status.last_success_at IS 'When every input of this table was
 last refreshed successfully (UTC): for a stale table, the last success of its failing inputs
 (NULL: they never succeeded); otherwise the latest successful refresh, as of published_at';
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
    is_stale: bool = False
    stale_reason: str | None = None
    failing_since: datetime | None = None
    last_success_at: datetime | None = None

    @property
    def qualified(self) -> str:
        return f"{self.schema_name}.{self.table_name}"


@dataclass(frozen=True)
class Staleness:
    is_stale: bool
    stale_reason: str | None
    failing_since: datetime | None
    last_success_at: datetime | None


NOT_KNOWN = Staleness(False, None, None, None)


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
    known_assets: Collection[str] | None = None,
    mart_inputs: Mapping[str, Sequence[str]] | None = None,
) -> list[TableStatus]:
    """One TableStatus per staging and mart table of the warehouse `con` is connected to.

    `refreshed_at` maps "schema.table" to a known refresh time; it wins over what the warehouse
    itself can tell (a mart's last build in meta.mart_builds, a staging table's last load).
    `known_assets`: the asset keys ("fred/DGS10") of the code location; refresh rows of other
    keys (a series since dropped from the catalogue) are ignored. `mart_inputs`: mart name ->
    the asset keys it reads (default: the `depends_on` headers of sql/marts).
    """
    today = today or datetime.now(UTC).date()
    checks = check_summaries(con)
    loads = load_times(con)
    builds = {f"marts.{name}": b.built_at for name, b in read_builds(con).items()}
    attempts = {k: a for k, a in read_attempts(con).items()
                if known_assets is None or k in known_assets}
    if mart_inputs is None:
        from pipelines.marts.build import discover_marts

        mart_inputs = {m.name: m.depends_on for m in discover_marts()}
    out: list[TableStatus] = []
    for schema, table, _ in served_tables(con):
        qualified = f"{schema}.{table}"
        base = qualified.removesuffix("_history")
        rows, last = _rows_and_last_date(con, schema, table)
        summary = checks.get(base, CheckSummary("none", ()))
        refreshed = ((refreshed_at or {}).get(qualified) or builds.get(qualified)
                     or loads.get(base))
        if refreshed is None:
            refreshed = _newest_vintage(con, schema, base.split(".")[1])
        stale = staleness(contributors(base, attempts, mart_inputs))
        out.append(TableStatus(
            table_name=table, schema_name=schema, rows=rows, last_date=last,
            refreshed_at=refreshed, check_status=summary.status,
            failed_checks=", ".join(summary.failed) or None,
            freshness_warning=_freshness_warning(schema, table, last, summary, today),
            is_stale=stale.is_stale, stale_reason=stale.stale_reason,
            failing_since=stale.failing_since, last_success_at=stale.last_success_at,
        ))
    return out


def contributors(
    table: str, attempts: Mapping[str, Attempt], mart_inputs: Mapping[str, Sequence[str]]
) -> list[Attempt]:
    """The refresh rows a table depends on: for staging, the assets loading it; for a mart,
    its own build and, transitively, every asset and mart it reads."""
    schema, name = table.split(".")
    if schema == "staging":
        fed = fed_with().get(table, table)
        return sorted((a for a in attempts.values() if a.kind == "ingest"
                       and a.table_name == fed), key=lambda a: a.asset_key)
    out: dict[str, Attempt] = {}
    pending = [BUILT_WITH.get(name, name)]
    seen: set[str] = set()
    while pending:
        mart = pending.pop()
        if mart in seen:
            continue
        seen.add(mart)
        if f"marts/{mart}" in attempts:
            out[f"marts/{mart}"] = attempts[f"marts/{mart}"]
        for key in mart_inputs.get(mart, ()):
            if key.startswith("marts/"):
                pending.append(key.removeprefix("marts/"))
            elif key in attempts:
                out[key] = attempts[key]
    return [out[k] for k in sorted(out)]


def staleness(rows: Sequence[Attempt]) -> Staleness:
    """is_stale and why, from the refresh rows a table depends on."""
    if not rows:
        return NOT_KNOWN
    failing = sorted((a for a in rows if a.failing),
                     key=lambda a: (a.failing_since, a.asset_key))
    if not failing:
        successes = [a.last_success_at for a in rows if a.last_success_at is not None]
        return Staleness(False, None, None, max(successes, default=None))
    reason = failing[0].reason
    if len(failing) > 1:
        others = ", ".join(a.asset_key for a in failing[1:4])
        more = f" and {len(failing) - 4} more" if len(failing) > 4 else ""
        reason = one_line(f"{reason} (also failing: {others}{more})", 500)
    successes = [a.last_success_at for a in failing]
    last = None if any(s is None for s in successes) else min(successes)  # type: ignore[type-var]
    return Staleness(True, reason, failing[0].failing_since, last)


def write_table_status(
    con: duckdb.DuckDBPyConnection, db: str, statuses: Sequence[TableStatus], published_at: datetime
) -> None:
    """Create `<db>.meta.table_status` (schema meta must exist) and fill it."""
    con.execute(TABLE_STATUS_DDL.format(db=ident(db)))
    con.executemany(
        f"INSERT INTO {ident(db)}.meta.table_status"  # noqa: S608
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [s.table_name, s.schema_name, s.rows, s.last_date, s.refreshed_at, s.check_status,
             s.failed_checks, s.freshness_warning, s.is_stale, s.stale_reason, s.failing_since,
             s.last_success_at, published_at]
            for s in statuses
        ],
    )


def status_html(con: duckdb.DuckDBPyConnection) -> str:
    """A report section from the meta.table_status of the file `con` reads (the serving copy):
    every stale table with its reason, or one line saying none is; '' without the table."""
    if "is_stale" not in _columns(con, "meta", "table_status"):
        return ""
    rows = con.execute(
        "SELECT schema_name || '.' || table_name, stale_reason, failing_since,"
        " last_success_at, published_at FROM meta.table_status"
        " WHERE is_stale AND NOT ends_with(table_name, '_history')"
        " ORDER BY failing_since, schema_name, table_name"
    ).fetchall()
    published = con.execute("SELECT max(published_at) FROM meta.table_status").fetchall()[0][0]
    when = f"{published:%Y-%m-%d %H:%M} UTC" if published else "unknown"
    if not rows:
        return (f'<section id="status" data-stale="0"><p class="note">Every table is current:'
                f" no refresh was failing when this copy was published ({when}).</p></section>")

    def stamp(value: datetime | None) -> str:
        return f"{value:%Y-%m-%d %H:%M} UTC" if value else "never"

    body = "".join(
        f"<tr><td>{escape(t)}</td><td>{stamp(since)}</td><td>{stamp(ok)}</td>"
        f"<td>{escape(reason or '')}</td></tr>" for t, reason, since, ok, _ in rows)
    return (f'<section id="status" data-stale="{len(rows)}"><h2>Stale tables</h2>'
            f'<p class="note">{len(rows)} table(s) keep older data because a refresh is failing'
            f" (as of {when}). Charts built from them may lack the newest values.</p>"
            "<table><tr><th>table</th><th>failing since</th><th>last success</th>"
            f"<th>reason</th></tr>{body}</table></section>")


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

    raw.loaded_files names datasets, not tables: each declared dataset feeds its table and
    the companions written beside it.
    """
    if not _table_exists(con, "raw", "loaded_files"):
        return {}
    feeds = {ds.name: (ds.table_name, *ds.companions) for ds in registered().values()}
    out: dict[str, datetime] = {}
    for dataset, loaded_at in con.execute(
        "SELECT dataset, loaded_at FROM raw.loaded_files"
    ).fetchall():
        for key in feeds.get(dataset, ()):
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
    limit = mart_max_age_days(table)
    if limit is None:
        return None
    if last is None:
        return "no rows: the mart's inputs have not been loaded"
    age = (today - last).days
    if age > limit:
        return f"newest row {last} is {age} days old; this mart's cadence allows {limit}"
    return None

