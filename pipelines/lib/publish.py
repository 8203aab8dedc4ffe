"""Write–audit–publish for one staging batch.

A parsed batch is audited before it touches staging. If every error-severity check passes,
it is merged (with vintages) in one transaction together with the bookkeeping that says which
raw body it came from; otherwise it is kept in the `quarantine` schema with its check results
and `BatchRejected` is raised, so staging, marts and serving keep the previous good data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from pipelines.lib.errors import PipelineError
from pipelines.lib.fetch_log import flag_bodies
from pipelines.lib.tables import TableDef, create_table
from pipelines.lib.vintages import UpsertStats, Window, upsert_with_vintages
from pipelines.lib.warehouse import transaction

ERROR = "ERROR"
WARN = "WARN"
# No publisher file we read comes near this (the JGB history is ~200k rows); a batch this big
# means a misread file or a runaway upstream, and would hold the writer lock for minutes.
MAX_BATCH_ROWS = 2_000_000

QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS quarantine.batches (
    quarantine_table VARCHAR PRIMARY KEY,
    target_table VARCHAR NOT NULL,
    dataset VARCHAR NOT NULL,
    rejected_at TIMESTAMPTZ NOT NULL,
    rows BIGINT NOT NULL,
    source_url VARCHAR,
    raw_sha256 VARCHAR,
    failed_checks VARCHAR NOT NULL,
    check_results JSON NOT NULL
);
COMMENT ON TABLE quarantine.batches IS 'Batches refused by an error-severity check: where the
 rows are kept, which raw body they came from, and every check result.';
"""


@dataclass(frozen=True)
class CheckDecl:
    """One declared check: its asset-check name, severity, and the reason an analyst gives."""

    name: str
    severity: str
    description: str


@dataclass(frozen=True)
class CheckOutcome:
    """One expectation's verdict on a batch, in the form Dagster and meta.table_status show."""

    name: str
    passed: bool
    severity: str
    description: str
    unexpected_count: int = 0
    sample: Sequence[Any] = ()
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def blocks(self) -> bool:
        return not self.passed and self.severity == ERROR

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "passed": self.passed, "severity": self.severity,
            "description": self.description, "unexpected_count": self.unexpected_count,
            "sample": [str(s) for s in list(self.sample)[:10]], "details": self.details,
        }


class BatchTooLarge(PipelineError):
    """A batch over the row cap, refused before any audit or write."""


class BatchRejected(PipelineError):
    def __init__(self, dataset: str, outcomes: Sequence[CheckOutcome], quarantine_table: str):
        self.dataset = dataset
        self.outcomes = list(outcomes)
        self.quarantine_table = quarantine_table
        failed = [o for o in outcomes if o.blocks]
        reasons = "; ".join(
            f"{o.name}: {o.description} ({o.unexpected_count} unexpected"
            f"{', e.g. ' + ', '.join(map(str, list(o.sample)[:3])) if o.sample else ''})"
            for o in failed
        )
        super().__init__(
            f"{dataset}: batch rejected by {len(failed)} error check(s), kept in"
            f" {quarantine_table}; staging keeps the previous data. {reasons}"
        )


@dataclass(frozen=True)
class PublishReport:
    dataset: str
    table: str
    rows_in_batch: int
    stats: UpsertStats
    outcomes: tuple[CheckOutcome, ...]


Audit = Callable[[duckdb.DuckDBPyConnection, pl.DataFrame], Sequence[CheckOutcome]]


def publish_batch(
    con: duckdb.DuckDBPyConnection,
    table: TableDef,
    batch: pl.DataFrame,
    *,
    dataset: str,
    audit: Audit | None = None,
    known_at: datetime | None = None,
    source_url: str | None = None,
    raw_sha256: str | None = None,
    also_in_transaction: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    max_rows: int = MAX_BATCH_ROWS,
    window: Window | None = None,
) -> PublishReport:
    """Audit `batch`; merge it into `table` if no error check fails, else quarantine it."""
    if batch.height > max_rows:
        raise BatchTooLarge(
            f"{dataset}: batch of {batch.height:,} rows from {source_url or 'an unknown source'}"
            f" exceeds the cap of {max_rows:,} rows; nothing written. Check the file in the raw"
            " landing zone; raise max_rows only if the publisher really grew."
        )
    known_at = known_at or datetime.now(UTC)
    create_table(con, table)
    outcomes = tuple(audit(con, batch)) if audit is not None else ()
    if any(o.blocks for o in outcomes):
        name = quarantine(con, table, batch, dataset=dataset, outcomes=outcomes,
                          when=known_at, source_url=source_url, raw_sha256=raw_sha256)
        raise BatchRejected(dataset, outcomes, name)
    with transaction(con):
        stats = upsert_with_vintages(con, table.vintaged, batch, known_at=known_at,
                                     window=window)
        if also_in_transaction is not None:
            also_in_transaction(con)
    return PublishReport(dataset, table.name, batch.height, stats, outcomes)


def quarantine(
    con: duckdb.DuckDBPyConnection,
    table: TableDef,
    batch: pl.DataFrame,
    *,
    dataset: str,
    outcomes: Sequence[CheckOutcome],
    when: datetime,
    source_url: str | None,
    raw_sha256: str | None,
) -> str:
    """Keep a refused batch and its check results for inspection; returns the table name."""
    con.execute(QUARANTINE_DDL)
    name = f"quarantine.{table.short_name}__{when:%Y%m%dT%H%M%S%f}"
    con.register("_quarantine_batch", batch.to_arrow())
    try:
        with transaction(con):
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM _quarantine_batch")  # noqa: S608
            con.execute(
                "INSERT INTO quarantine.batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [name, table.name, dataset, when, batch.height, source_url, raw_sha256,
                 ", ".join(o.name for o in outcomes if o.blocks),
                 json.dumps([o.as_dict() for o in outcomes], default=str)],
            )
    finally:
        con.unregister("_quarantine_batch")
    failed = ", ".join(o.name for o in outcomes if o.blocks)
    flag_bodies(con, (raw_sha256 or "").split(", "), f"rejected by {failed}; rows in {name}")
    return name
