"""Clean batches for each staging table, as the staging layer would build them.

Each builder gives a batch that passes every check as of AS_OF, so a test changes one thing
and sees exactly the check it meant to break.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import polars as pl

from pipelines.lib.warehouse import ensure_schemas
from pipelines.sources.fred.catalogue import SeriesSpec, load_catalogue
from pipelines.sources.mof.flows_columns import DIFFERENCE_COLUMNS, FLOW_COLUMNS
from pipelines.validation.context import AuditContext, FileRows

AS_OF = date(2026, 11, 26)  # a Thursday after the 20th
CATALOGUE: dict[str, SeriesSpec] = {spec.id: spec for spec in load_catalogue()}


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_schemas(con)
    return con


def ctx(
    series: str | None = None, as_of: date = AS_OF, files: tuple[FileRows, ...] = ()
) -> AuditContext:
    return AuditContext(as_of=as_of, series=CATALOGUE[series] if series else None, files=files)


def business_days(end: date, count: int) -> list[date]:
    days = np.busday_offset(np.datetime64(end), -np.arange(count), roll="backward")
    return sorted(d.astype(object) for d in days)


def month_starts(last: date, count: int) -> list[date]:
    index = last.year * 12 + last.month - 1
    return [date((index - i) // 12, (index - i) % 12 + 1, 1) for i in reversed(range(count))]


def fred_rows(spec: SeriesSpec, dates: list[date], value: float, units: str | None = None
              ) -> pl.DataFrame:
    """Rows as staging.fred_observations holds them, in keyless mode."""
    units = units or spec.units
    scale = spec.usd_bn_scale
    frame = pl.DataFrame({"date": dates, "value": [float(value)] * len(dates)},
                         schema={"date": pl.Date, "value": pl.Float64})
    return frame.select(
        series_id=pl.lit(spec.id),
        date="date",
        value="value",
        units=pl.lit(units),
        value_usd_bn=(pl.col("value") * scale) if scale else pl.lit(None, pl.Float64),
        fetch_mode=pl.lit("keyless"),
        realtime_start=pl.lit(None, pl.Date),
    ).with_columns(value_normalised=pl.coalesce("value_usd_bn", "value")).select(
        "series_id", "date", "value", "units", "value_usd_bn", "value_normalised", "fetch_mode",
        "realtime_start")


def fred_batch(series: str = "DGS10", end: date = AS_OF, count: int = 30) -> pl.DataFrame:
    spec = CATALOGUE[series]
    if spec.frequency == "daily":
        dates = business_days(end, count)
    elif spec.frequency == "weekly":
        dates = [end - timedelta(days=7 * i) for i in reversed(range(count))]
    else:
        dates = month_starts(end, count)
    value = {"DGS10": 4.1, "WALCL": 6_700_000.0, "IRLTLT01JPM156N": 1.5}.get(series, spec.min + 1)
    return fred_rows(spec, dates, value)


def jgb_batch(end: date = AS_OF, count: int = 20, tenors: tuple[int, ...] = (2, 10, 30),
              source_file: str = "jgbcme.csv") -> pl.DataFrame:
    days = business_days(end, count)
    return pl.DataFrame(
        [(d, t, 0.5 + t / 10) for d in days for t in tenors],
        schema={"date": pl.Date, "tenor_years": pl.Int16, "yield_pct": pl.Float64}, orient="row",
    ).with_columns(source_file=pl.lit(source_file))


_TIC_HOLDERS = (
    # code, type, label, holdings
    ("japan", "country", "Japan", 1100.0),
    ("china_mainland", "country", "China, Mainland", 700.0),
    ("united_kingdom", "country", "United Kingdom", 900.0),
    ("all_other", "total", "All Other", 2000.0),
    ("grand_total", "total", "Grand Total", 4700.0),
    ("foreign_official", "memo", "Foreign Official", 3800.0),
    ("foreign_official_bills", "memo", "Foreign Official Treasury Bills", 400.0),
    ("foreign_official_bonds_notes", "memo", "Foreign Official T-Bonds & Notes", 3400.0),
)


def tic_batch(months: list[date] | None = None) -> pl.DataFrame:
    months = months or month_starts(date(2026, 9, 1), 3)
    return pl.DataFrame(
        [(code, m, label, kind, value, None, "slt_table5.txt", AS_OF)
         for m in months for code, kind, label, value in _TIC_HOLDERS],
        schema={"holder_code": pl.String, "month": pl.Date, "country": pl.String,
                "holder_type": pl.String, "holdings_usd_bn": pl.Float64,
                "old_series_usd_bn": pl.Float64,  # Table 5 rows never carry one
                "source_file": pl.String, "release_date": pl.Date},
        orient="row",
    )


def _flow_values() -> dict[str, int]:
    """Outward/inward: acquisition 1000, disposition 900, net 100 for each asset class."""
    values = {}
    for name in FLOW_COLUMNS:
        if "acquisition" in name:
            values[name] = 1000
        elif "disposition" in name:
            values[name] = 900
        elif "equity_and_long_term" in name:
            values[name] = 200
        elif "total_net" in name:
            values[name] = 300
        else:
            values[name] = 100
    return values


def mof_weekly_batch(last_week_end: date = date(2026, 11, 21), count: int = 8) -> pl.DataFrame:
    ends = [last_week_end - timedelta(days=7 * i) for i in reversed(range(count))]
    values = _flow_values()
    return pl.DataFrame(
        [{"week_start": e - timedelta(days=6), "week_end": e, **values} for e in ends],
        schema={"week_start": pl.Date, "week_end": pl.Date,
                **dict.fromkeys(FLOW_COLUMNS, pl.Int64)},
    )


def mof_monthly_batch(last: date = date(2026, 10, 1), count: int = 6) -> pl.DataFrame:
    values = {**_flow_values(), **dict.fromkeys(DIFFERENCE_COLUMNS, 0)}
    return pl.DataFrame(
        [{"month": m, **values} for m in month_starts(last, count)],
        schema={"month": pl.Date, **dict.fromkeys((*FLOW_COLUMNS, *DIFFERENCE_COLUMNS),
                                                  pl.Int64)},
    )


def mof_by_investor_batch(last: date = date(2026, 10, 1), count: int = 3) -> pl.DataFrame:
    types = (("all_investors", "各部門計"), ("banks", "銀行等（銀行勘定）"),
             ("life_insurers", "生命保険会社"))
    return pl.DataFrame(
        [(m, code, label, 1000, 900, 100) for m in month_starts(last, count)
         for code, label in types],
        schema={"month": pl.Date, "investor_type": pl.String, "investor_label_ja": pl.String,
                "acquisition_jpy_100m": pl.Int64, "disposition_jpy_100m": pl.Int64,
                "net_jpy_100m": pl.Int64},
        orient="row",
    )
