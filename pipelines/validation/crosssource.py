"""Cross-source agreement: MOF's daily 10-year JGB yield against OECD's monthly series on FRED.

OECD's IRLTLT01JPM156N is a monthly average of the same benchmark, so the monthly mean of MOF's
quotes should match it to within a few basis points; a wide miss means one side is misread,
mis-dated or re-based. A WARN: each publisher's number is still its own truth.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.validation import checks as c
from pipelines.validation.findings import Finding, not_applicable
from pipelines.validation.warehouse import staging_rows

OECD_SERIES = "IRLTLT01JPM156N"


def _mof_monthly_10y(con: duckdb.DuckDBPyConnection, batch: pl.DataFrame) -> pl.DataFrame:
    """Monthly mean of the 10-year yield over staging and the batch (the batch wins a date)."""
    cols = ["date", "tenor_years", "yield_pct"]
    staged = staging_rows(con, c.JGB_YIELDS, cols, "tenor_years = 10")
    frames = []
    if set(cols) <= set(batch.columns) and batch.schema["yield_pct"].is_numeric():
        frames.append(batch.select(cols).filter(pl.col("tenor_years") == 10)
                      .select("date", pl.col("yield_pct").cast(pl.Float64)))
    if staged is not None:
        frames.append(staged.select("date", pl.col("yield_pct").cast(pl.Float64)))
    if not frames:
        return pl.DataFrame(schema={"month": pl.Date, "mof_pct": pl.Float64})
    daily = pl.concat(frames).unique("date", keep="first")
    return daily.group_by(pl.col("date").dt.truncate("1mo").alias("month")).agg(
        pl.col("yield_pct").mean().alias("mof_pct"))


def jgb_agrees_with_oecd(con: duckdb.DuckDBPyConnection, batch: pl.DataFrame) -> Finding:
    name = c.JGB_10Y_AGREES_WITH_OECD
    oecd = staging_rows(con, c.FRED_OBSERVATIONS, ["date", "value"], "series_id = ?",
                        [OECD_SERIES])
    if oecd is None or oecd.is_empty():
        return not_applicable(name, f"{OECD_SERIES} is not loaded in staging.fred_observations")
    pairs = _mof_monthly_10y(con, batch).join(
        oecd.select(pl.col("date").alias("month"), pl.col("value").alias("oecd_pct")),
        on="month").with_columns(diff=pl.col("mof_pct") - pl.col("oecd_pct")).sort("month")
    if pairs.is_empty():
        return not_applicable(name, "no month has both a MOF 10-year yield and the OECD value")
    off = pairs.filter(pl.col("diff").abs() > c.CROSS_SOURCE_TOLERANCE_PP)
    share = 1 - off.height / pairs.height
    sample = [
        f"{r['month']:%Y-%m}: MOF {r['mof_pct']:.3f} vs OECD {r['oecd_pct']:.3f}"
        f" ({r['diff']:+.3f} pp)"
        for r in off.sort(pl.col("diff").abs(), descending=True).head(10).to_dicts()
    ]
    return Finding(name, share >= c.CROSS_SOURCE_MIN_SHARE, off.height, sample, {
        "months_compared": pairs.height, "share_within_tolerance": round(share, 4),
        "tolerance_pp": c.CROSS_SOURCE_TOLERANCE_PP, "min_share": c.CROSS_SOURCE_MIN_SHARE})
