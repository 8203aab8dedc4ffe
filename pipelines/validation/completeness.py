"""Completeness judged on what is new: gaps in the newly loaded window, truncated file copies.

Old history is judged once, when it is first loaded; after that only the dates a batch adds
(plus the last date already in staging, so the seam is checked too) are looked at, so a
known hole in 1978 does not fail every daily run, and a hole in this week's data does.
"""

from __future__ import annotations

import math

import duckdb
import polars as pl

from pipelines.lib.cadence import Gap
from pipelines.lib.datasets import dataset
from pipelines.validation import checks as c
from pipelines.validation.context import AuditContext
from pipelines.validation.findings import Finding, not_applicable
from pipelines.validation.warehouse import staging_rows


def gap_in_new_window(
    table: str, con: duckdb.DuckDBPyConnection, batch: pl.DataFrame, ctx: AuditContext
) -> Finding:
    """Steps between consecutive new dates (per series or tenor) longer than the cadence."""
    name = c.NO_GAP_IN_NEW_WINDOW
    ds = dataset(table)
    if ds.cadences and ctx.series is None:
        return not_applicable(name, "no catalogue entry, so the cadence is unknown")
    cadence = ds.cadence_for(ctx.series.frequency if ctx.series is not None else None).max_gap
    day, group = ds.date_column, ds.gap_group
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


def _new_steps(
    table: str, con: duckdb.DuckDBPyConnection, batch: pl.DataFrame, ctx: AuditContext,
    day: str, group: str | None,
) -> pl.DataFrame:
    """New dates (after the last one staged, per group) with the date before each: prev, date."""
    keys = [group] if group else []
    dates = batch.select(*keys, pl.col(day).alias("date")).drop_nulls().unique()
    where, params = dataset(table).series_filter(ctx.series.id if ctx.series else None)
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


def _too_long(steps: pl.DataFrame, cadence: Gap) -> list[dict]:
    rows = steps.filter(pl.col("prev").is_not_null())
    if cadence.months:
        index = pl.col("date").dt.year() * 12 + pl.col("date").dt.month()
        prev_index = pl.col("prev").dt.year() * 12 + pl.col("prev").dt.month()
        rows = rows.filter(index - prev_index > cadence.months)
    else:
        rows = rows.filter((pl.col("date") - pl.col("prev")).dt.total_days() > cadence.days)
    return rows.select("group", "prev", "date").sort("date").to_dicts()


def _known(table: str, row: dict, cadence: Gap) -> bool:
    """The gap's missing days lie in a known gap, give or take one cadence step at each end."""
    slack = cadence.days or 31 * cadence.months
    return any(
        str(gap.group) in ("*", row["group"])
        and (gap.first_missing - row["prev"]).days <= slack
        and (row["date"] - gap.last_missing).days <= slack
        for gap in dataset(table).known_gaps
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
