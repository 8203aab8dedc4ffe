"""Staging rows for FRED: observations in their stated unit plus USD billions, and series metadata.

`value_normalised` is what revisions are detected on, so it must be bit-identical whichever
unit FRED states: 324.457 billions and 324457.0 millions both become 324.457. Dividing by
1000 (not multiplying by 0.001, which is inexact) and rounding to 1e-9 bn (one dollar) makes it so.
"""

from __future__ import annotations

from datetime import UTC, date

import polars as pl

from pipelines.sources.fred import SeriesMeta, SeriesSpec
from pipelines.sources.fred.tables import FRED_OBSERVATIONS, FRED_SERIES

USD_BN_DECIMALS = 9


def usd_bn(value: pl.Expr, scale: float | None) -> pl.Expr:
    """`value` in USD billions, or a NULL column for units that are not dollar amounts."""
    if scale is None:
        return pl.lit(None, pl.Float64)
    converted = value / round(1 / scale) if scale < 1 else value * scale
    return converted.round(USD_BN_DECIMALS)


def observations_batch(
    series_id: str, frame: pl.DataFrame, *, units: str, scale: float | None, mode: str
) -> pl.DataFrame:
    """One row per date (the current vintage), in FRED_OBSERVATIONS' column order."""
    has_realtime = "realtime_start" in frame.columns
    rows = frame.sort("date", *(["realtime_start"] if has_realtime else []))
    rows = rows.unique(subset=["date"], keep="last", maintain_order=True)
    return rows.select(
        pl.lit(series_id).alias("series_id"),
        pl.col("date"),
        pl.col("value").cast(pl.Float64),
        pl.lit(units).alias("units"),
        usd_bn(pl.col("value"), scale).alias("value_usd_bn"),
        (usd_bn(pl.col("value"), scale) if scale is not None else pl.col("value"))
        .cast(pl.Float64).alias("value_normalised"),
        pl.lit(mode).alias("fetch_mode"),
        (pl.col("realtime_start") if has_realtime else pl.lit(None, pl.Date))
        .alias("realtime_start"),
    ).select(FRED_OBSERVATIONS.column_names)


_SERIES_SCHEMA = {
    "series_id": pl.String, "title": pl.String, "units": pl.String, "units_short": pl.String,
    "frequency": pl.String, "seasonal_adjustment": pl.String,
    "last_updated": pl.Datetime("us", "UTC"), "observation_start": pl.Date,
    "observation_end": pl.Date, "usd_bn_scale": pl.Float64, "metadata_source": pl.String,
}


def series_from_catalogue(
    spec: SeriesSpec, first: date | None, last: date | None
) -> pl.DataFrame:
    """Keyless mode: FRED states nothing, so the catalogue speaks (dates from staging)."""
    row = {
        "series_id": spec.id, "title": spec.title, "units": spec.units, "units_short": None,
        "frequency": spec.frequency, "seasonal_adjustment": None, "last_updated": None,
        "observation_start": first, "observation_end": last,
        "usd_bn_scale": spec.usd_bn_scale, "metadata_source": "catalogue",
    }
    return pl.DataFrame([row], schema=_SERIES_SCHEMA).select(FRED_SERIES.column_names)


def series_from_meta(meta: SeriesMeta, scale: float | None) -> pl.DataFrame:
    """API mode: FRED's own title, unit and last_updated (stored in UTC)."""
    row = {
        "series_id": meta.id, "title": meta.title, "units": meta.units,
        "units_short": meta.units_short, "frequency": meta.frequency,
        "seasonal_adjustment": meta.seasonal_adjustment,
        "last_updated": meta.last_updated.astimezone(UTC),
        "observation_start": meta.observation_start, "observation_end": meta.observation_end,
        "usd_bn_scale": scale, "metadata_source": "api",
    }
    return pl.DataFrame([row], schema=_SERIES_SCHEMA).select(FRED_SERIES.column_names)


def vintages_batch(series_id: str, frame: pl.DataFrame) -> pl.DataFrame:
    """ALFRED rows for staging.fred_vintages (FRED's missing marker rows are absent)."""
    return frame.select(
        pl.lit(series_id).alias("series_id"), "date", "realtime_start", "realtime_end",
        pl.col("value").cast(pl.Float64),
    ).unique(subset=["date", "realtime_start"], keep="last", maintain_order=True)
