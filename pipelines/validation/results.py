"""The history of check outcomes in `meta.check_results`: one row per check per evaluation.

Dagster shows the latest asset-check results, but BI users never see Dagster and analysts ask
"since when has this warned?", so every evaluation is kept here; the report and
`meta.table_status` read the latest row per asset and check.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import duckdb
import polars as pl

from pipelines.lib.publish import CheckOutcome
from pipelines.lib.refresh import create_once
from pipelines.validation.warehouse import query, table_exists

TABLE = "meta.check_results"

DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.check_results (
    evaluated_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR,
    table_name VARCHAR NOT NULL,
    asset_key VARCHAR NOT NULL,
    check_name VARCHAR NOT NULL,
    severity VARCHAR NOT NULL,
    passed BOOLEAN NOT NULL,
    unexpected_count BIGINT NOT NULL,
    sample JSON,
    description VARCHAR,
    details JSON
);
COMMENT ON TABLE meta.check_results IS 'Every evaluation of every data-quality check on a staging
 batch (write-audit-publish) or on freshness: one row per check per evaluation, kept as history.
 Latest per asset and check: QUALIFY row_number() OVER (PARTITION BY asset_key, check_name
 ORDER BY evaluated_at DESC) = 1.';
COMMENT ON COLUMN meta.check_results.evaluated_at IS 'When the check was evaluated (UTC)';
COMMENT ON COLUMN meta.check_results.run_id IS 'Dagster run id, where the check ran in one';
COMMENT ON COLUMN meta.check_results.table_name IS 'Staging table the batch was for, e.g.
 staging.jgb_yields';
COMMENT ON COLUMN meta.check_results.asset_key IS 'Dagster asset the check belongs to, e.g.
 DGS10 (each FRED series is its own asset)';
COMMENT ON COLUMN meta.check_results.check_name IS 'Stable check name (the Dagster asset-check
 name), e.g. no_gap_in_new_window';
COMMENT ON COLUMN meta.check_results.severity IS 'ERROR: a failure blocked the batch (kept in
 quarantine, staging unchanged); WARN: shown, not blocking';
COMMENT ON COLUMN meta.check_results.passed IS 'True if the check passed (or did not apply; see
 details.not_applicable)';
COMMENT ON COLUMN meta.check_results.unexpected_count IS 'Rows, months, gaps or files that broke
 the expectation (0 when it passed)';
COMMENT ON COLUMN meta.check_results.sample IS 'Up to 10 offending values, as text';
COMMENT ON COLUMN meta.check_results.description IS 'What the check expects and why an analyst
 cares';
COMMENT ON COLUMN meta.check_results.details IS 'Check-specific facts: thresholds, newest date,
 the GX expectations run and their counts';
"""


_SCHEMA = {
    "evaluated_at": pl.Datetime("us", "UTC"), "run_id": pl.String, "table_name": pl.String,
    "asset_key": pl.String, "check_name": pl.String, "severity": pl.String,
    "passed": pl.Boolean, "unexpected_count": pl.Int64, "sample": pl.String,
    "description": pl.String, "details": pl.String,
}


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    create_once(con, TABLE, DDL)


def record_outcomes(
    con: duckdb.DuckDBPyConnection,
    table: str,
    asset_key: str,
    outcomes: Sequence[CheckOutcome],
    run_id: str | None = None,
    evaluated_at: datetime | None = None,
) -> int:
    """Append one row per outcome (all stamped with one evaluation time); returns the count."""
    ensure_table(con)
    when = evaluated_at or datetime.now(UTC)
    rows = [
        [when, run_id, table, asset_key, o.name, o.severity, o.passed, o.unexpected_count,
         json.dumps([str(s) for s in list(o.sample)[:10]]), o.description,
         json.dumps(o.details, default=str)]
        for o in outcomes
    ]
    if rows:
        con.executemany(
            f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows  # noqa: S608
        )
    return len(rows)


def latest_outcomes(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The latest outcome of every check of every asset (empty if nothing was recorded)."""
    if not table_exists(con, TABLE):  # read-only connections must not create it
        return pl.DataFrame(schema=_SCHEMA)
    return query(con, f"""
        SELECT * FROM {TABLE}
        QUALIFY row_number() OVER (PARTITION BY asset_key, check_name
                                   ORDER BY evaluated_at DESC) = 1
        ORDER BY table_name, asset_key, passed, check_name
    """)  # noqa: S608
