"""FRED's staging table, declared once: one table, one cadence per catalogue frequency.

Each catalogue series is its own asset (`fred/<SERIES_ID>`, built in defs/fred from the
catalogue); `cadence_for(series.frequency)` says when each is due. FRED stamps its updates in
St. Louis (Central) time: reference-data/FORMATS.md §1.4-1.5.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import polars as pl

from pipelines.lib import polling
from pipelines.lib.cadence import BusinessDays, Cadence, Days, Gap, Months
from pipelines.lib.datasets import Dataset, KnownGap, Publisher, ReleaseProbe, WarehouseCheck
from pipelines.sources.fred.probe import release_request, release_version
from pipelines.sources.fred.tables import FRED_OBSERVATIONS
from pipelines.validation import checks as c
from pipelines.validation import expectations as x
from pipelines.validation.context import AuditContext
from pipelines.validation.units import units_match_magnitude

CHICAGO = "America/Chicago"

# H.15 yields (DGS*) and H.10 USD/JPY (DEXJPUS) for business day D reach FRED on the afternoon
# of D+1, typically 15:15-16:20 CT; 17:30 CT, Monday to Friday, leaves an hour of margin
# (Monday's run brings Friday's data).
DAILY = Cadence(
    name="fred_daily", frequency="daily", zone=CHICAGO, cron="30 17 * * 1-5",
    release=time(16, 20),
    description="FRED daily series: H.15 yields, H.10 USD/JPY, SOFR, RRP, Bitcoin.",
    expected_every=timedelta(days=4), late_after=timedelta(days=8),
    lateness=BusinessDays(5), max_gap=Gap(days=7),
    # The DGS10 probe is polled densely 15:00-16:40 CT (sources/fred/probe.py).
    window=polling.Window("fred_daily", CHICAGO, time(15, 0), time(16, 40)),
)
# H.4.1 (WALCL, WDTGAL, WTREGEN) is released Thursdays at 16:30 ET for the Wednesday level;
# Friday repeats the run for weeks when a holiday pushes the release back a day.
WEEKLY = Cadence(
    name="fred_weekly", frequency="weekly", zone=CHICAGO, cron="30 17 * * 4,5",
    release=time(15, 30),
    description="FRED H.4.1 weekly series: Fed total assets and the TGA.",
    expected_every=timedelta(days=9), late_after=timedelta(days=16),
    lateness=Days(14), max_gap=Gap(days=8),
)
# Monthly FRED series: TIC-based Japan flows appear with the TIC release (mid-month, days
# 14-20) and the OECD Japan rates around the middle of the month, both 1-3 months late.
MONTHLY = Cadence(
    name="fred_monthly", frequency="monthly", zone=CHICAGO, cron="30 17 14-20 * *",
    release=time(15, 0),
    description="FRED monthly series: OECD Japan rates and TIC flows for Japan.",
    expected_every=timedelta(days=36), late_after=timedelta(days=50),
    lateness=Months(4),  # OECD series lag 1-3 months
    max_gap=Gap(months=1),
)
CADENCES = {"daily": DAILY, "weekly": WEEKLY, "monthly": MONTHLY}


def cadence_for(frequency: str) -> Cadence:
    """The cadence of a catalogue frequency (daily, weekly, monthly)."""
    return CADENCES[frequency]


def _value_in_catalogue_units(batch: pl.DataFrame, ctx: AuditContext) -> list[pl.Expr]:
    """`value` re-expressed in the catalogue's unit via value_usd_bn, so ranges compare."""
    if batch.schema.get("value") != pl.Float64:
        return []
    scale = ctx.series.usd_bn_scale if ctx.series is not None else None
    if scale is None or "value_usd_bn" not in batch.columns:
        expr = pl.col("value")
    else:
        expr = pl.coalesce(pl.col("value_usd_bn") / scale, pl.col("value"))
    return [expr.alias("_value_in_catalogue_units")]


def _expectations(ctx: AuditContext, columns: list[str]) -> x.Items:
    items = x.not_null(c.UNITS_MATCH_MAGNITUDE, "units")
    spec = ctx.series
    if spec is not None:
        items += [*x.in_set(c.SERIES_MATCHES_ASSET, "series_id", [spec.id]),
                  *x.between(c.VALUES_IN_PLAUSIBLE_RANGE, "_value_in_catalogue_units",
                             spec.min, spec.max)]
    return items


OBSERVATIONS = Dataset(
    name="fred_observations", publisher="fred", asset_key=("fred",),
    table=FRED_OBSERVATIONS, date_column="date", cadence=DAILY, cadences=CADENCES,
    series_column="series_id", gap_group="series_id",
    companions=("staging.fred_series", "staging.fred_unit_changes", "staging.fred_vintages"),
    description="FRED observations, one asset per catalogue series.",
    checks=(
        c.schema("series_id, date, value, units, value_usd_bn, value_normalised, fetch_mode,"
                 " realtime_start"),
        c.keys("series_id and date"),
        c.CheckDecl(
            c.SERIES_MATCHES_ASSET, c.ERROR,
            "Every row belongs to the asset's FRED series: a mixed-up response must not land"
            " under another series id.",
        ),
        c.future("observation date"),
        c.CheckDecl(
            c.VALUES_IN_PLAUSIBLE_RANGE, c.ERROR,
            "Every value lies within the catalogue's plausible min..max for the series (in the"
            " catalogue's unit): a value outside it is a misread number or a changed series.",
        ),
        c.CheckDecl(
            c.UNITS_MATCH_MAGNITUDE, c.ERROR,
            "Each row states its unit, and the values' magnitude fits that unit (FRED"
            " re-expressed WTREGEN from billions to millions in place): a 1000-fold slip must"
            " never reach net liquidity.",
        ),
        c.gap("daily series: 7 calendar days; weekly: 8 days; monthly: one month"),
        c.ROW_COUNT,
        c.fresh("daily: 5 business days; weekly: 14 days; monthly (OECD, TIC): 4 months"),
    ),
    expectations=_expectations, derived=_value_in_catalogue_units,
    findings=(WarehouseCheck((c.UNITS_MATCH_MAGNITUDE,),
                             lambda con, batch, ctx: units_match_magnitude(ctx.series, batch)),),
    known_gaps=(
        KnownGap("DGS30", date(2002, 2, 19), date(2006, 2, 8),
                 "the 30-year bond was not issued; newer downloads may omit these dates"),
        KnownGap("RRPONTSYD", date(2003, 2, 7), date(2013, 9, 22),
                 "reverse repos were occasional operations until the daily ON RRP exercise"
                 " began on 2013-09-23; '.' marks the days without one"),
    ),
    revision_window="API mode keeps every ALFRED vintage; keyless re-reads the whole series",
    probes=(ReleaseProbe("fred_daily_release", DAILY, release_request, release_version),),
)

PUBLISHER = Publisher("fred", (OBSERVATIONS,))
