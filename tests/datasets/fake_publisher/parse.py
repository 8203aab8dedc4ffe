"""The fake publisher's CSV: `date,rate_pct`, one row per business day."""

from __future__ import annotations

import io

import polars as pl

from pipelines.lib.errors import ParseError


def parse_rates(body: bytes) -> pl.DataFrame:
    try:
        frame = pl.read_csv(io.BytesIO(body), schema={"date": pl.String, "rate_pct": pl.Float64})
    except pl.exceptions.PolarsError as exc:
        raise ParseError(f"not a date,rate_pct CSV: {exc}") from exc
    return frame.with_columns(pl.col("date").str.to_date("%Y-%m-%d"))
