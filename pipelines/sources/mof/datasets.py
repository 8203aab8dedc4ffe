"""MOF's staging tables, declared once: files, parsers, cadence, checks (see lib/datasets.py)."""

from __future__ import annotations

from datetime import date

import polars as pl

from pipelines.lib.datasets import Dataset, KnownGap, Parsed, Publisher, SourceFile, WarehouseCheck
from pipelines.lib.settings import Settings
from pipelines.sources.mof import cadences, urls
from pipelines.sources.mof.flows_parse import (
    parse_flows_by_investor,
    parse_flows_monthly,
    parse_flows_weekly,
)
from pipelines.sources.mof.jgb_parse import parse_jgb_file, parse_jgb_title_month
from pipelines.sources.mof.tables import (
    JGB_YIELDS,
    MOF_FLOWS_BY_INVESTOR,
    MOF_FLOWS_MONTHLY,
    MOF_FLOWS_WEEKLY,
)
from pipelines.validation import checks as c
from pipelines.validation import expectations as x
from pipelines.validation.context import AuditContext
from pipelines.validation.crosssource import jgb_agrees_with_oecd

PUBLISHER_NAME = "mof"
JGB_TENORS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40)

# --- JGB yields -------------------------------------------------------------------------------


def _title_period(body: bytes) -> str | None:
    month = parse_jgb_title_month(body)
    return month.isoformat() if month else None


def jgb_files(settings: Settings) -> tuple[SourceFile, ...]:
    """History first, then the current month, so the current month wins on a shared date."""
    language = settings.mof_jgb_language
    if language not in ("en", "ja"):
        raise ValueError(f"MOF_JGB_LANGUAGE must be 'en' or 'ja', not {language!r}")
    history, current = {
        "en": (urls.JGB_HISTORY_EN, urls.JGB_CURRENT_EN),
        "ja": (urls.JGB_HISTORY_JA, urls.JGB_CURRENT_JA),
    }[language]
    base = settings.mof_url
    return (
        SourceFile(history.filename, urls.url(base, history), parse_jgb_file),
        SourceFile(current.filename, urls.url(base, current), parse_jgb_file,
                   period_of=_title_period, watched=True),
    )


def combine_jgb(parsed: list[Parsed]) -> pl.DataFrame:
    frames = [p.frame.with_columns(source_file=pl.lit(p.file.name)) for p in parsed]
    return pl.concat(frames).unique(subset=["date", "tenor_years"], keep="last",
                                    maintain_order=True).sort("date", "tenor_years")


def _jgb_expectations(ctx: AuditContext, columns: list[str]) -> x.Items:
    low, high = c.JGB_YIELD_RANGE_PCT
    return [*x.in_set(c.TENOR_KNOWN, "tenor_years", list(JGB_TENORS)),
            *x.between(c.VALUES_IN_PLAUSIBLE_RANGE, "yield_pct", low, high)]


JGB = Dataset(
    name="jgb_yields", publisher=PUBLISHER_NAME, asset_key=("mof", "jgb_yields"),
    table=JGB_YIELDS, date_column="date", cadence=cadences.JGB, op="mof_jgb_yields",
    description=(
        "JGB constant-maturity yields, every tenor since 1974, into staging.jgb_yields."
        " The full-history file is fetched only when it changed; the current-month"
        " file on every refresh."
    ),
    files=jgb_files, combine=combine_jgb,
    checks=(
        c.schema("date, tenor_years, yield_pct, source_file"),
        c.keys("date and tenor_years"),
        c.future("date"),
        c.CheckDecl(
            c.TENOR_KNOWN, c.ERROR,
            "tenor_years is one MOF publishes (1-10, 15, 20, 25, 30, 40): any other is a misread"
            " header.",
        ),
        c.CheckDecl(
            c.VALUES_IN_PLAUSIBLE_RANGE, c.ERROR,
            f"Every yield lies within {c.JGB_YIELD_RANGE_PCT[0]}..{c.JGB_YIELD_RANGE_PCT[1]} %"
            " at every tenor (history: -0.39 % in 2016, 12.1 % in 1974-80): outside it is a"
            " misread cell.",
        ),
        c.gap("10 calendar days, for Golden Week and New Year; the 1-3 year tenors'"
              " 1978-05-22..1980-08-21 gap is known"),
        c.ROW_COUNT,
        c.fresh(cadences.JGB.lateness.describe()),
        c.CheckDecl(
            c.JGB_10Y_AGREES_WITH_OECD, c.WARN,
            f"The monthly mean of MOF's 10-year yield is within {c.CROSS_SOURCE_TOLERANCE_PP} pp"
            f" of OECD's IRLTLT01JPM156N (FRED) in at least {c.CROSS_SOURCE_MIN_SHARE:.0%} of"
            " overlapping months: two publishers of one number should agree.",
        ),
    ),
    expectations=_jgb_expectations,
    findings=(WarehouseCheck((c.JGB_10Y_AGREES_WITH_OECD,),
                             lambda con, batch, ctx: jgb_agrees_with_oecd(con, batch)),),
    known_gaps=tuple(
        KnownGap(tenor, date(1978, 5, 22), date(1980, 8, 21),
                 "MOF publishes no 1-3 year quotes in this window (FORMATS §2.5)")
        for tenor in (1, 2, 3)
    ) + (
        KnownGap("*", date(2019, 4, 27), date(2019, 5, 6),
                 "ten-day Golden Week for the imperial accession: 2019-04-26 to 05-07 is"
                 " 11 days, one more than any other holiday"),
    ),
    gap_group="tenor_years",
    revision_window="the current month's file until the month ends; history is not revised",
)

# --- securities flows -------------------------------------------------------------------------


def _one_file(file: urls.MofFile, parse, watched: bool = False):
    return lambda s: (SourceFile(file.filename, urls.url(s.mof_url, file), parse,
                                 watched=watched),)


def _amounts(*required: tuple[str, str]):
    """The schema rule for a MOF table: its key columns plus every _jpy_100m amount it has."""
    def schema(columns: list[str]) -> dict[str, str]:
        amounts = {name: "BIGINT" for name in columns if name.endswith("_jpy_100m")}
        return {**dict(required), **amounts}
    return schema


_FLOW_CHECKS = (c.mof_range(), c.NET_IDENTITY)


def _monthly_checks(what: str, keys: str, *own: c.CheckDecl) -> tuple[c.CheckDecl, ...]:
    """The checks of a monthly flow table, with the table's `own` after month_is_first_day."""
    return (
        c.schema(what), c.keys(keys), c.future("month"), c.MONTH_FIRST, *own, *_FLOW_CHECKS,
        c.gap("one month"), c.ROW_COUNT, c.fresh(cadences.FLOWS_MONTHLY.lateness.describe()),
    )


def _monthly_expectations(ctx: AuditContext, columns: list[str]) -> x.Items:
    return [*x.month_first_day(), *x.jpy_amounts(ctx, columns)]


def _month_derived(batch: pl.DataFrame, ctx: AuditContext) -> list[pl.Expr]:
    return [*x.month_iso(batch, ctx), *x.net_residuals(batch, ctx)]


FLOWS_WEEKLY = Dataset(
    name="securities_flows_weekly", publisher=PUBLISHER_NAME,
    asset_key=("mof", "securities_flows_weekly"), table=MOF_FLOWS_WEEKLY,
    date_column="week_end", cadence=cadences.FLOWS_WEEKLY, op="mof_securities_flows",
    description="Weekly net purchases of foreign securities by Japanese investors (week.csv),"
    " 100 million yen, into staging.mof_securities_flows_weekly.",
    files=_one_file(urls.FLOWS_WEEKLY, parse_flows_weekly, watched=True),
    checks=(
        c.schema("week_start, week_end and the _jpy_100m amounts"),
        c.keys("week_end"),
        c.future("week_end"),
        c.CheckDecl(
            c.WEEK_SPANS_SEVEN_DAYS, c.ERROR,
            "Each MOF week runs seven days (week_end = week_start + 6): otherwise the period"
            " cell was misread.",
        ),
        *_FLOW_CHECKS,
        c.gap(cadences.FLOWS_WEEKLY.max_gap.describe()),
        c.ROW_COUNT,
        c.fresh(cadences.FLOWS_WEEKLY.lateness.describe()),
    ),
    schema=_amounts(("week_start", "DATE"), ("week_end", "DATE"),
                    ("foreign_long_term_debt_net_jpy_100m", "BIGINT")),
    expectations=lambda ctx, cols: [*x.week_spans_seven_days(), *x.jpy_amounts(ctx, cols)],
    derived=lambda batch, ctx: [*x.week_start_plus_6(batch, ctx), *x.net_residuals(batch, ctx)],
    revision_window="none: weekly values are preliminary and not revised by MOF",
)

FLOWS_MONTHLY = Dataset(
    name="securities_flows_monthly", publisher=PUBLISHER_NAME,
    asset_key=("mof", "securities_flows_monthly"), table=MOF_FLOWS_MONTHLY,
    date_column="month", cadence=cadences.FLOWS_MONTHLY, op="mof_securities_flows",
    description="Monthly net purchases of foreign securities by Japanese investors"
    " (montha1.csv), 100 million yen, into staging.mof_securities_flows_monthly.",
    files=_one_file(urls.FLOWS_MONTHLY, parse_flows_monthly),
    checks=_monthly_checks("month and the _jpy_100m amounts", "month"),
    schema=_amounts(("month", "DATE"), ("foreign_long_term_debt_net_jpy_100m", "BIGINT")),
    expectations=_monthly_expectations, derived=_month_derived,
    revision_window="MOF revises recent months with each monthly release",
)

FLOWS_BY_INVESTOR = Dataset(
    name="securities_flows_by_investor", publisher=PUBLISHER_NAME,
    asset_key=("mof", "securities_flows_by_investor"), table=MOF_FLOWS_BY_INVESTOR,
    date_column="month", cadence=cadences.FLOWS_MONTHLY, op="mof_securities_flows",
    description="Monthly net purchases of foreign long-term debt by investor type: life"
    " insurers, pension trust accounts, banks (monthb3.csv), 100 million yen, into"
    " staging.mof_securities_flows_by_investor.",
    files=_one_file(urls.FLOWS_BY_INVESTOR_LONG_TERM_DEBT, parse_flows_by_investor),
    checks=_monthly_checks(
        "month, investor_type and the _jpy_100m amounts", "month and investor_type",
        c.CheckDecl(
            c.INVESTOR_TYPE_MAPPED, c.WARN,
            "Every investor type has a stable English code: an 'unmapped_' code means MOF added"
            " or renamed a type, which analysts filtering by life_insurers would miss.",
        ),
    ),
    schema=_amounts(("month", "DATE"), ("investor_type", "VARCHAR"),
                    ("acquisition_jpy_100m", "BIGINT"), ("disposition_jpy_100m", "BIGINT"),
                    ("net_jpy_100m", "BIGINT")),
    expectations=lambda ctx, cols: [
        *x.month_first_day(),
        *x.not_matching(c.INVESTOR_TYPE_MAPPED, "investor_type", r"^unmapped_"),
        *x.jpy_amounts(ctx, cols),
    ],
    derived=_month_derived,
    revision_window="MOF revises recent months with each monthly release",
)

PUBLISHER = Publisher(PUBLISHER_NAME, (JGB, FLOWS_WEEKLY, FLOWS_MONTHLY, FLOWS_BY_INVESTOR))
