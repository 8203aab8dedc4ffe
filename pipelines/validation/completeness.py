"""Completeness judged on what is new: gaps in the newly loaded window, truncated file copies.

Old history is judged once, when it is first loaded; after that only the dates a batch adds
(plus the last date already in staging, so the seam is checked too) are looked at, so a
known hole in 1978 does not fail every daily run, and a hole in this week's data does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from pipelines.validation import checks as c
from pipelines.validation.context import AuditContext
from pipelines.validation.findings import Finding, not_applicable
from pipelines.validation.suites import date_column
from pipelines.validation.warehouse import staging_rows


@dataclass(frozen=True)
class Cadence:
    """Longest step allowed between consecutive dates: `days`, or `months` for monthly data."""

    days: int = 0
    months: int = 0

    def describe(self) -> str:
        return f"{self.months} month(s)" if self.months else f"{self.days} days"


@dataclass(frozen=True)
class KnownGap:
    """A window in which a publisher genuinely has missing dates, per group (FRED series id or
    JGB tenor): a gap whose missing days fall inside it is accepted."""

    group: str | int  # "*": every group
    first_missing: date
    last_missing: date
    why: str


KNOWN_GAPS: dict[str, tuple[KnownGap, ...]] = {
    c.JGB_YIELDS: tuple(
        KnownGap(tenor, date(1978, 5, 22), date(1980, 8, 21),
                 "MOF publishes no 1-3 year quotes in this window (FORMATS §2.5)")
        for tenor in (1, 2, 3)
    ) + (
        KnownGap("*", date(2019, 4, 27), date(2019, 5, 6),
                 "ten-day Golden Week for the imperial accession: 2019-04-26 to 05-07 is"
                 " 11 days, one more than any other holiday"),
    ),
    c.FRED_OBSERVATIONS: (
        KnownGap("DGS30", date(2002, 2, 19), date(2006, 2, 8),
                 "the 30-year bond was not issued; newer downloads may omit these dates"),
        KnownGap("RRPONTSYD", date(2003, 2, 7), date(2013, 9, 22),
                 "reverse repos were occasional operations until the daily ON RRP exercise"
                 " began on 2013-09-23; '.' marks the days without one"),
    ),
}

FRED_CADENCE = {"daily": Cadence(days=7), "weekly": Cadence(days=8), "monthly": Cadence(months=1)}
_CADENCE = {
    c.JGB_YIELDS: Cadence(days=10),  # Golden Week and New Year close Tokyo for up to 9 days
    c.TIC_HOLDINGS: Cadence(months=1),
    c.MOF_FLOWS_WEEKLY: Cadence(days=8),
    c.MOF_FLOWS_MONTHLY: Cadence(months=1),
    c.MOF_FLOWS_BY_INVESTOR: Cadence(months=1),
}
_GROUP = {c.FRED_OBSERVATIONS: "series_id", c.JGB_YIELDS: "tenor_years"}


def gap_in_new_window(
    table: str, con: duckdb.DuckDBPyConnection, batch: pl.DataFrame, ctx: AuditContext
) -> Finding:
    """Steps between consecutive new dates (per series or tenor) longer than the cadence."""
    name = c.NO_GAP_IN_NEW_WINDOW
    cadence = _cadence(table, ctx)
    if cadence is None:
        return not_applicable(name, "no catalogue entry, so the cadence is unknown")
    day, group = date_column(table), _GROUP.get(table)
    if batch.schema.get(day) != pl.Date or (group and group not in batch.columns):
        return not_applicable(name, f"batch has no {day!r} date column (see schema_matches)")
    steps = _new_steps(table, con, batch, ctx, day, group)
    too_long = _too_long(steps, cadence)
    accepted = [row for row in too_long if _known(table, row, cadence)]
    bad = [row for row in too_long if row not in accepted]
    return Finding(
        name, not bad, len(bad),
        [f"{_label(r)}{r['prev']}..{r['date']} ({(r['date'] - r['prev']).days} days)"
         for r in bad[:10]],
        {"cadence": cadence.describe(), "new_dates": steps.height,
         "known_gaps_accepted": [f"{_label(r)}{r['prev']}..{r['date']}" for r in accepted]},
    )


def _cadence(table: str, ctx: AuditContext) -> Cadence | None:
    if table == c.FRED_OBSERVATIONS:
        return FRED_CADENCE[ctx.series.frequency] if ctx.series is not None else None
    return _CADENCE[table]


def _new_steps(
    table: str, con: duckdb.DuckDBPyConnection, batch: pl.DataFrame, ctx: AuditContext,
    day: str, group: str | None,
) -> pl.DataFrame:
    """New dates (after the last one staged, per group) with the date before each: prev, date."""
    keys = [group] if group else []
    dates = batch.select(*keys, pl.col(day).alias("date")).drop_nulls().unique()
    where, params = ("series_id = ?", [ctx.series.id]) if (
        table == c.FRED_OBSERVATIONS and ctx.series is not None) else ("", [])
    staged = staging_rows(con, table, [*keys, day], where, params)
    if staged is not None and staged.height:
        if group:
            last = staged.group_by(group).agg(pl.col(day).max().alias("last"))
            last = last.with_columns(pl.col(group).cast(dates.schema[group]))
            dates = dates.join(last, on=group, how="left")
        else:
            dates = dates.with_columns(last=pl.lit(staged[day].max(), pl.Date))
        new = dates.filter(pl.col("last").is_null() | (pl.col("date") > pl.col("last")))
        seams = new.select(*keys, pl.col("last").alias("date")).drop_nulls().unique()
        dates = pl.concat([new.drop("last"), seams])
    ordered = dates.sort([*keys, "date"])
    prev = pl.col("date").shift(1)
    return ordered.with_columns(prev=prev.over(keys) if keys else prev).with_columns(
        group=pl.col(group).cast(pl.String) if group else pl.lit(None, pl.String))


def _too_long(steps: pl.DataFrame, cadence: Cadence) -> list[dict]:
    rows = steps.filter(pl.col("prev").is_not_null())
    if cadence.months:
        index = pl.col("date").dt.year() * 12 + pl.col("date").dt.month()
        prev_index = pl.col("prev").dt.year() * 12 + pl.col("prev").dt.month()
        rows = rows.filter(index - prev_index > cadence.months)
    else:
        rows = rows.filter((pl.col("date") - pl.col("prev")).dt.total_days() > cadence.days)
    return rows.select("group", "prev", "date").sort("date").to_dicts()


def _known(table: str, row: dict, cadence: Cadence) -> bool:
    """The gap's missing days lie in a known gap, give or take one cadence step at each end."""
    slack = cadence.days or 31 * cadence.months
    return any(
        str(gap.group) in ("*", row["group"])
        and (gap.first_missing - row["prev"]).days <= slack
        and (row["date"] - gap.last_missing).days <= slack
        for gap in KNOWN_GAPS.get(table, ())
    )


def _label(row: dict) -> str:
    return f"{row['group']}: " if row["group"] is not None else ""


def row_count_not_below_previous_copy(ctx: AuditContext) -> Finding:
    """Each file's new copy keeps (almost) all the rows its previous copy had for the period."""
    name = c.ROW_COUNT_NOT_BELOW_PREVIOUS_COPY
    compared, bad = [], []
    for f in ctx.files:
        if f.rows_before is None:
            continue
        if f.period_key_before is not None and f.period_key_before != f.period_key:
            continue  # e.g. the current-month JGB file started a new month
        allowed = max(1, math.ceil(c.ROW_DROP_TOLERANCE * f.rows_before))
        compared.append(f.url)
        if f.rows_now < f.rows_before - allowed:
            period = f" for {f.period_key}" if f.period_key else ""
            what = f" ({f.shrank})" if f.shrank else ""
            bad.append(f"{f.url}{period}: {f.rows_now} rows, previous accepted copy"
                       f" {f.rows_before}{what}")
    if not compared:
        return not_applicable(name, "no previous copy of the same file for the same period")
    return Finding(name, not bad, len(bad), bad, {"files_compared": compared})
