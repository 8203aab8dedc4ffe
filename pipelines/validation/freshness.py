"""Freshness by the dataset's cadence (`Cadence.lateness`), as of a date tests can set: a WARN,
since old data is still true.

Judged on the newest date in staging and the batch together, and callable without a batch, so
a source that stopped publishing (or a fetch that stopped fetching) still warns every run.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from pipelines.lib.datasets import dataset
from pipelines.lib.publish import WARN, CheckOutcome
from pipelines.validation import checks as c
from pipelines.validation.context import AuditContext
from pipelines.validation.findings import Finding
from pipelines.validation.warehouse import staging_rows


def freshness(table: str, con: duckdb.DuckDBPyConnection, ctx: AuditContext) -> CheckOutcome:
    """The freshness outcome from staging alone (nothing new fetched this run)."""
    return as_outcome(table, freshness_finding(table, con, None, ctx))


def as_outcome(table: str, finding: Finding) -> CheckOutcome:
    decl = next(d for d in c.declared_checks(table) if d.name == c.FRESH_AS_OF)
    return CheckOutcome(decl.name, finding.passed, WARN, decl.description,
                        finding.unexpected_count, tuple(finding.sample), dict(finding.details))


def freshness_finding(
    table: str, con: duckdb.DuckDBPyConnection, batch: pl.DataFrame | None, ctx: AuditContext
) -> Finding:
    """Is the newest date over batch and staging recent enough for the cadence?"""
    newest = _newest(table, con, batch, ctx)
    limit, stale, age = _judge(table, ctx, newest)
    details = {"as_of": ctx.as_of.isoformat(), "newest": newest and newest.isoformat(),
               "limit": limit, "age": age}
    sample = [f"newest {newest.isoformat()}"] if newest else ["no data loaded"]
    return Finding(c.FRESH_AS_OF, not stale, int(stale), sample if stale else (), details)


def _newest(
    table: str, con: duckdb.DuckDBPyConnection, batch: pl.DataFrame | None, ctx: AuditContext
) -> date | None:
    ds = dataset(table)
    day = ds.date_column
    where, params = ds.series_filter(ctx.series.id if ctx.series is not None else None)
    candidates: list[date] = []
    staged = staging_rows(con, table, [day], where, params)
    if staged is not None and staged.height and staged[day].max() is not None:
        candidates.append(staged[day].max())
    if batch is not None and batch.schema.get(day) == pl.Date and batch[day].drop_nulls().len():
        rows = batch
        column = ds.series_column
        if column is not None and ctx.series is not None and column in batch.columns:
            rows = batch.filter(pl.col(column) == ctx.series.id)
        if rows.height:
            candidates.append(rows[day].max())
    return max(candidates) if candidates else None


def _judge(table: str, ctx: AuditContext, newest: date | None) -> tuple[str, bool, str | None]:
    """(limit stated for analysts, stale?, age as text), by the table's cadence (FRED: the
    series' frequency; no series: daily)."""
    frequency = ctx.series.frequency if ctx.series is not None else None
    verdict = dataset(table).cadence_for(frequency).lateness.judge(newest, ctx.as_of)
    return verdict.limit, verdict.stale, verdict.age
