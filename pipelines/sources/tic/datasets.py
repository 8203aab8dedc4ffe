"""TIC's staging table, declared once: files, parsers, cadence, checks (see lib/datasets.py)."""

from __future__ import annotations

import email.utils
from datetime import UTC, date, datetime, time, timedelta

import duckdb
import polars as pl

from pipelines.lib import polling
from pipelines.lib.cadence import Cadence, Gap, MonthlyRelease
from pipelines.lib.datasets import Dataset, Parsed, Publisher, SourceFile, WarehouseCheck
from pipelines.lib.settings import Settings
from pipelines.sources.tic import urls
from pipelines.sources.tic.parse import parse_mfh_history, parse_slt_table5
from pipelines.sources.tic.tables import TIC_HOLDINGS, TIC_REVISIONS_DDL
from pipelines.validation import checks as c
from pipelines.validation import expectations as x
from pipelines.validation.context import AuditContext
from pipelines.validation.identities import tic_identities

HISTORY = "mfhhis01.txt"
TABLE5 = "slt_table5.txt"

# TIC is released around the middle of the month (2026 dates fall on the 14th-18th) at
# 16:00 ET; days 14-20 at 16:30 New York cover every date in the calendar. Month m appears
# with the release of m+2 (FORMATS §3.5).
CADENCE = Cadence(
    name="tic", frequency="monthly", zone="America/New_York", cron="30 16 14-20 * *",
    release=time(16, 0), description="TIC major foreign holders of US Treasuries.",
    expected_every=timedelta(days=36), late_after=timedelta(days=50),
    lateness=MonthlyRelease(release_day=20, lag=2), max_gap=Gap(months=1),
    window=polling.Window("tic", "America/New_York", time(15, 50), time(16, 40),
                          days_of_month=frozenset(range(14, 21))),
)


def _history(body: bytes) -> pl.DataFrame:
    parsed = parse_mfh_history(body)
    return parsed.holdings.with_columns(release_date=pl.lit(parsed.release_date))


def _table5(body: bytes) -> pl.DataFrame:
    # Table 5 carries no release stamp; combine_tic dates it from the response.
    return parse_slt_table5(body).holdings.with_columns(release_date=pl.lit(None, pl.Date))


def tic_files(settings: Settings) -> tuple[SourceFile, ...]:
    files = (
        SourceFile(HISTORY, urls.mfh_history_url(settings.tic_url), _history, expect="text"),
        SourceFile(TABLE5, urls.slt_table5_url(settings.tic_url), _table5, expect="text",
                   watched=True),
    )
    for f in files:
        urls.assert_not_legacy(f.url)
    return files


def _release_date(p: Parsed) -> date:
    """Table 5's release: its Last-Modified header, else the day it was fetched."""
    if p.fetched.result.last_modified:
        try:
            return email.utils.parsedate_to_datetime(p.fetched.result.last_modified).date()
        except (TypeError, ValueError):
            pass
    return datetime.now(UTC).date()


def combine_tic(parsed: list[Parsed]) -> pl.DataFrame:
    """Union both files; where both hold a month, the later release wins (Table 5 on a tie)."""
    frames = []
    for order, p in enumerate(parsed):
        frame = p.frame.with_columns(source_file=pl.lit(p.file.name), _order=pl.lit(order))
        if p.file.name == TABLE5:
            frame = frame.with_columns(release_date=pl.lit(_release_date(p)))
        frames.append(frame)
    return (
        pl.concat(frames)
        .sort("release_date", "_order")
        .unique(subset=["holder_code", "month"], keep="last", maintain_order=True)
        .drop("_order")
        .sort("month", "holder_code")
    )


def write_revisions(con: duckdb.DuckDBPyConnection, parsed: list[Parsed]) -> None:
    con.execute(TIC_REVISIONS_DDL)
    for p in parsed:
        if p.file.name != HISTORY:
            continue
        history = parse_mfh_history(p.fetched.body or b"")
        rows = history.revisions.with_columns(release_date=pl.lit(history.release_date))
        con.register("_tic_revisions", rows.to_arrow())
        con.execute(
            "INSERT OR IGNORE INTO staging.tic_revisions"
            " SELECT data_year, revised_on, release_date FROM _tic_revisions"
        )
        con.unregister("_tic_revisions")


def _expectations(ctx: AuditContext, columns: list[str]) -> x.Items:
    return [*x.month_first_day(),
            *x.between(c.VALUES_IN_PLAUSIBLE_RANGE, "holdings_usd_bn", 0,
                       c.TIC_HOLDINGS_MAX_USD_BN, strict_max=True)]


HOLDINGS = Dataset(
    name="tic_holdings", publisher="tic", asset_key=("tic", "tic_holdings"),
    table=TIC_HOLDINGS, date_column="month", cadence=CADENCE, op="tic_major_foreign_holders",
    description=(
        "Holdings of US Treasuries by country (TIC Major Foreign Holders), monthly"
        " since March 2000, billions of USD, into staging.tic_holdings; every revised"
        " value keeps its earlier vintage in staging.tic_holdings_history."
    ),
    files=tic_files, combine=combine_tic, combine_with_unchanged=True,
    also_write=write_revisions, companions=("staging.tic_revisions",),
    checks=(
        c.schema("holder_code, month, country, holder_type, holdings_usd_bn, source_file,"
                 " release_date"),
        c.keys("holder_code and month"),
        c.future("month"),
        c.MONTH_FIRST,
        c.CheckDecl(
            c.VALUES_IN_PLAUSIBLE_RANGE, c.ERROR,
            f"Holdings are >= 0 and < {c.TIC_HOLDINGS_MAX_USD_BN:,.0f} billion USD: a negative"
            " or larger number is a misread cell or a unit slip (millions for billions).",
        ),
        c.CheckDecl(
            c.COUNTRIES_SUM_TO_GRAND_TOTAL, c.ERROR,
            f"Each month, countries + regional groups (where present) + All Other = Grand"
            f" Total within {c.TIC_IDENTITY_TOLERANCE_USD_BN} bn: otherwise a row was lost or"
            " misread.",
        ),
        c.CheckDecl(
            c.OFFICIAL_BILLS_PLUS_BONDS_EQUAL_TOTAL, c.ERROR,
            f"Each month, foreign official Treasury bills + T-bonds & notes = foreign official"
            f" within {c.TIC_IDENTITY_TOLERANCE_USD_BN} bn: otherwise the memo lines were"
            " misread.",
        ),
        c.gap("one month"),
        c.ROW_COUNT,
        c.fresh(CADENCE.lateness.describe()),
    ),
    expectations=_expectations, derived=x.month_iso,
    findings=(WarehouseCheck(
        (c.COUNTRIES_SUM_TO_GRAND_TOTAL, c.OFFICIAL_BILLS_PLUS_BONDS_EQUAL_TOTAL),
        lambda con, batch, ctx: tic_identities(batch)),),
    revision_window="Treasury revises each data year once a year (mfhhis01.txt trailer)",
)

PUBLISHER = Publisher("tic", (HOLDINGS,))
