"""Freshness per source cadence, as of a date tests can set: a WARN, since old data is still true.

Judged on the newest date in staging and the batch together, and callable without a batch, so
a source that stopped publishing (or a fetch that stopped fetching) still warns every run.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import polars as pl

from pipelines.lib.publish import WARN, CheckOutcome
from pipelines.validation import checks as c
from pipelines.validation.context import AuditContext
from pipelines.validation.findings import Finding
from pipelines.validation.suites import date_column
from pipelines.validation.warehouse import staging_rows

DAILY_MAX_BUSINESS_DAYS = 5
WEEKLY_MAX_DAYS = 14
FRED_MONTHLY_MAX_MONTHS = 4  # OECD series lag 1-3 months
MOF_MONTHLY_MAX_MONTHS = 2  # released around the 8th-12th of the next month
TIC_RELEASE_DAY = 20  # data for month m appear around the 18th of m+2


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
    day = date_column(table)
    where, params = "", []
    if table == c.FRED_OBSERVATIONS and ctx.series is not None:
        where, params = "series_id = ?", [ctx.series.id]
    candidates: list[date] = []
    staged = staging_rows(con, table, [day], where, params)
    if staged is not None and staged.height and staged[day].max() is not None:
        candidates.append(staged[day].max())
    if batch is not None and batch.schema.get(day) == pl.Date and batch[day].drop_nulls().len():
        rows = batch
        if table == c.FRED_OBSERVATIONS and ctx.series is not None and "series_id" in batch.columns:
            rows = batch.filter(pl.col("series_id") == ctx.series.id)
        if rows.height:
            candidates.append(rows[day].max())
    return max(candidates) if candidates else None


def _months(d: date) -> int:
    return d.year * 12 + d.month - 1


def _judge(table: str, ctx: AuditContext, newest: date | None) -> tuple[str, bool, str | None]:
    """(limit stated for analysts, stale?, age as text)."""
    as_of = ctx.as_of
    frequency = ctx.series.frequency if ctx.series is not None else "daily"
    if table == c.TIC_HOLDINGS:
        back = 2 if as_of.day > TIC_RELEASE_DAY else 3
        expected = _months(as_of) - back
        limit = f"newest month >= {expected // 12}-{expected % 12 + 1:02d}"
        age_months = None if newest is None else _months(as_of) - _months(newest)
        return limit, newest is None or _months(newest) < expected, (
            None if age_months is None else f"{age_months} months")
    if table in (c.MOF_FLOWS_MONTHLY, c.MOF_FLOWS_BY_INVESTOR) or (
            table == c.FRED_OBSERVATIONS and frequency == "monthly"):
        max_months = (FRED_MONTHLY_MAX_MONTHS if table == c.FRED_OBSERVATIONS
                      else MOF_MONTHLY_MAX_MONTHS)
        age = None if newest is None else _months(as_of) - _months(newest)
        return f"<= {max_months} months old", age is None or age > max_months, (
            None if age is None else f"{age} months")
    if table == c.MOF_FLOWS_WEEKLY or frequency == "weekly":
        days = None if newest is None else (as_of - newest).days
        return f"<= {WEEKLY_MAX_DAYS} days old", days is None or days > WEEKLY_MAX_DAYS, (
            None if days is None else f"{days} days")
    business = None if newest is None else int(np.busday_count(newest, as_of))
    return (f"<= {DAILY_MAX_BUSINESS_DAYS} business days old",
            business is None or business > DAILY_MAX_BUSINESS_DAYS,
            None if business is None else f"{business} business days")
