"""Checks that compare a batch with staging or with file history: gaps in the new window,
truncated copies, freshness (also without a batch), TIC's calendar, JGB against OECD."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from pipelines.lib.publish import WARN
from pipelines.lib.tables import TableDef, create_table
from pipelines.sources.fred.tables import FRED_OBSERVATIONS
from pipelines.sources.mof.tables import JGB_YIELDS
from pipelines.sources.tic.tables import TIC_HOLDINGS
from pipelines.validation import checks as c
from pipelines.validation.audit import audit
from pipelines.validation.completeness import gap_in_new_window, row_count_not_below_previous_copy
from pipelines.validation.context import FileRows
from pipelines.validation.crosssource import jgb_agrees_with_oecd
from pipelines.validation.freshness import freshness, freshness_finding
from tests.validation import batches as b


def staged(table: TableDef, rows: pl.DataFrame) -> duckdb.DuckDBPyConnection:
    """A warehouse whose staging table already holds `rows`."""
    con = b.connect()
    create_table(con, table)
    con.register("_rows", rows.select(table.column_names).to_arrow())
    con.execute(f"INSERT INTO {table.name} SELECT * FROM _rows")  # noqa: S608
    con.unregister("_rows")
    return con


# --- gaps: judged on what is new -------------------------------------------------------------


def test_gap_in_old_history_is_not_judged_again() -> None:
    history = b.fred_batch(end=date(2026, 10, 30), count=60)
    holed = history.filter(~pl.col("date").is_between(date(2026, 9, 1), date(2026, 9, 20)))
    con = staged(FRED_OBSERVATIONS, holed)
    rerun = pl.concat([holed, b.fred_batch(end=b.AS_OF, count=19)]).unique(["series_id", "date"])
    finding = gap_in_new_window(c.FRED_OBSERVATIONS, con, rerun, b.ctx("DGS10"))
    assert finding.passed, finding
    assert finding.details["new_dates"] == 20  # 19 new dates plus the seam


def test_gap_at_the_seam_with_staging_fails() -> None:
    con = staged(FRED_OBSERVATIONS, b.fred_batch(end=date(2026, 10, 30), count=20))
    batch = b.fred_batch(end=b.AS_OF, count=10)  # starts 2026-11-13: 14 days after the last
    finding = gap_in_new_window(c.FRED_OBSERVATIONS, con, batch, b.ctx("DGS10"))
    assert (finding.passed, finding.unexpected_count) == (False, 1)
    assert finding.sample == ["DGS10: 2026-10-30..2026-11-13 (14 days)"]


def test_other_series_in_staging_do_not_count() -> None:
    con = staged(FRED_OBSERVATIONS, b.fred_batch("DGS2", end=b.AS_OF, count=5))
    finding = gap_in_new_window(c.FRED_OBSERVATIONS, con, b.fred_batch(), b.ctx("DGS10"))
    assert finding.passed and finding.details["new_dates"] == 30


@pytest.mark.parametrize(("after", "passed"), [(date(2026, 5, 10), True),
                                               (date(2026, 5, 11), False)])
def test_jgb_allows_ten_days_for_golden_week(after: date, passed: bool) -> None:
    batch = _jgb_rows(10, [date(2026, 4, 28), date(2026, 4, 30), after])
    assert gap_in_new_window(c.JGB_YIELDS, b.connect(), batch, b.ctx()).passed is passed


def _jgb_rows(tenor: int, days: list[date]) -> pl.DataFrame:
    return pl.DataFrame(
        {"date": days, "tenor_years": [tenor] * len(days), "yield_pct": [5.0] * len(days),
         "source_file": ["jgbcme_all.csv"] * len(days)},
        schema={"date": pl.Date, "tenor_years": pl.Int16, "yield_pct": pl.Float64,
                "source_file": pl.String})


@pytest.mark.parametrize(("tenor", "accepted"), [(1, True), (3, True), (5, False)])
def test_known_jgb_gap_is_accepted_for_short_tenors_only(tenor: int, accepted: bool) -> None:
    batch = _jgb_rows(tenor, [date(1978, 5, 20), date(1980, 8, 22), date(1980, 8, 23)])
    finding = gap_in_new_window(c.JGB_YIELDS, b.connect(), batch, b.ctx(as_of=date(1980, 9, 1)))
    assert finding.passed is accepted
    assert bool(finding.details["known_gaps_accepted"]) is accepted


def test_dgs30_absent_while_the_bond_was_not_issued_is_accepted() -> None:
    spec = b.CATALOGUE["DGS30"]
    batch = b.fred_rows(spec, [date(2002, 2, 15), date(2006, 2, 9), date(2006, 2, 10)], 5.0)
    ctx = b.ctx("DGS30", as_of=date(2006, 2, 10))
    assert gap_in_new_window(c.FRED_OBSERVATIONS, b.connect(), batch, ctx).passed
    dgs10 = batch.with_columns(series_id=pl.lit("DGS10"))
    ctx10 = b.ctx("DGS10", as_of=date(2006, 2, 10))
    assert not gap_in_new_window(c.FRED_OBSERVATIONS, b.connect(), dgs10, ctx10).passed


# --- truncated copies ------------------------------------------------------------------------

URL = "https://www.mof.go.jp/english/policy/jgbs/reference/interest_rate/jgbcme.csv"


@pytest.mark.parametrize(
    ("files", "passed", "applies"),
    [
        ((FileRows(URL, 150, 165, "2025-10"),), False, True),  # same month, a day lost
        ((FileRows(URL, 165, 165, "2025-10"),), True, True),
        ((FileRows(URL, 30, 165, "2025-11", "2025-10"),), True, False),  # a new month restarts
        ((FileRows(URL, 30, None, "2025-11"),), True, False),  # first copy
        ((FileRows("history", 199_900, 200_000),), True, True),  # within 0.1 %
        ((FileRows("history", 199_000, 200_000),), False, True),
    ],
)
def test_row_count_compares_the_same_file_for_the_same_period(
    files: tuple[FileRows, ...], passed: bool, applies: bool
) -> None:
    finding = row_count_not_below_previous_copy(b.ctx(files=files))
    assert finding.passed is passed
    assert ("not_applicable" not in finding.details) is applies


# --- freshness -------------------------------------------------------------------------------


def test_frozen_source_warns_without_a_batch() -> None:
    con = staged(JGB_YIELDS, b.jgb_batch(end=date(2026, 10, 30)))
    outcome = freshness(c.JGB_YIELDS, con, b.ctx())
    assert (outcome.name, outcome.passed, outcome.severity) == (c.FRESH_AS_OF, False, WARN)
    assert outcome.details["newest"] == "2026-10-30"
    assert freshness(c.JGB_YIELDS, con, b.ctx(as_of=date(2026, 11, 5))).passed


def test_nothing_loaded_is_not_fresh() -> None:
    outcome = freshness(c.TIC_HOLDINGS, b.connect(), b.ctx())
    assert not outcome.passed and outcome.sample == ("no data loaded",)


def test_batch_counts_towards_freshness() -> None:
    con = staged(JGB_YIELDS, b.jgb_batch(end=date(2026, 10, 30)))
    assert freshness_finding(c.JGB_YIELDS, con, b.jgb_batch(), b.ctx()).passed


@pytest.mark.parametrize(
    ("newest", "as_of", "fresh"),
    [
        (date(2026, 9, 1), date(2026, 11, 26), True),  # after the 20th: Sep expected
        (date(2026, 8, 1), date(2026, 11, 26), False),
        (date(2026, 8, 1), date(2026, 11, 10), True),  # before the release: Aug is enough
        (date(2026, 7, 1), date(2026, 11, 10), False),
    ],
)
def test_tic_freshness_follows_the_release_calendar(newest: date, as_of: date, fresh: bool) -> None:
    con = staged(TIC_HOLDINGS, b.tic_batch([newest]))
    assert freshness(c.TIC_HOLDINGS, con, b.ctx(as_of=as_of)).passed is fresh


@pytest.mark.parametrize(
    ("series", "newest", "fresh"),
    [
        ("DGS10", date(2026, 11, 19), True),  # 5 business days
        ("DGS10", date(2026, 11, 18), False),  # 6
        ("WALCL", date(2026, 11, 12), True),  # 14 days
        ("WALCL", date(2026, 11, 11), False),
        ("IRLTLT01JPM156N", date(2026, 7, 1), True),  # 4 months
        ("IRLTLT01JPM156N", date(2026, 6, 1), False),
    ],
)
def test_fred_freshness_by_cadence(series: str, newest: date, fresh: bool) -> None:
    con = staged(FRED_OBSERVATIONS, b.fred_batch(series, end=newest, count=3))
    assert freshness(c.FRED_OBSERVATIONS, con, b.ctx(series)).passed is fresh


@pytest.mark.parametrize(
    ("table", "batch", "fresh"),
    [
        (c.MOF_FLOWS_WEEKLY, b.mof_weekly_batch(date(2026, 11, 14)), True),  # 12 days
        (c.MOF_FLOWS_WEEKLY, b.mof_weekly_batch(date(2026, 11, 7)), False),  # 19 days
        (c.MOF_FLOWS_MONTHLY, b.mof_monthly_batch(date(2026, 9, 1)), True),
        (c.MOF_FLOWS_MONTHLY, b.mof_monthly_batch(date(2026, 8, 1)), False),
        (c.MOF_FLOWS_BY_INVESTOR, b.mof_by_investor_batch(date(2026, 8, 1)), False),
    ],
)
def test_mof_flows_freshness(table: str, batch: pl.DataFrame, fresh: bool) -> None:
    assert freshness_finding(table, b.connect(), batch, b.ctx()).passed is fresh


# --- cross-source ----------------------------------------------------------------------------


def _oecd(months: list[date], values: list[float]) -> pl.DataFrame:
    spec = b.CATALOGUE["IRLTLT01JPM156N"]
    frame = b.fred_rows(spec, months, 0.0)
    return frame.with_columns(value=pl.Series(values), value_normalised=pl.Series(values))


def _mof_10y(months: list[date], values: list[float]) -> pl.DataFrame:
    days = [m.replace(day=d) for m in months for d in (5, 15)]
    return pl.DataFrame(
        {"date": days, "tenor_years": [10] * len(days),
         "yield_pct": [v for v in values for _ in (5, 15)],
         "source_file": ["jgbcme_all.csv"] * len(days)},
        schema={"date": pl.Date, "tenor_years": pl.Int16, "yield_pct": pl.Float64,
                "source_file": pl.String})


MONTHS = b.month_starts(date(2026, 10, 1), 10)


def test_jgb_agrees_with_oecd_within_tolerance() -> None:
    con = staged(FRED_OBSERVATIONS, _oecd(MONTHS, [1.5 + i / 100 for i in range(10)]))
    batch = _mof_10y(MONTHS, [1.55 + i / 100 for i in range(10)])
    finding = jgb_agrees_with_oecd(con, batch)
    assert finding.passed and finding.details["months_compared"] == 10


def test_jgb_disagreeing_with_oecd_warns() -> None:
    con = staged(FRED_OBSERVATIONS, _oecd(MONTHS, [1.5] * 10))
    create_table(con, JGB_YIELDS)
    con.register("_jgb", _mof_10y(MONTHS[:8], [1.5] * 8).to_arrow())
    con.execute("INSERT INTO staging.jgb_yields SELECT * FROM _jgb")
    con.unregister("_jgb")
    batch = _mof_10y(MONTHS[8:], [1.8, 1.8])  # 2 of 10 months off: 80 % < 90 %
    result = audit(c.JGB_YIELDS, con, batch, b.ctx())
    outcome = next(o for o in result if o.name == c.JGB_10Y_AGREES_WITH_OECD)
    assert (outcome.passed, outcome.severity, outcome.unexpected_count) == (False, WARN, 2)
    assert outcome.sample[0].startswith("2026-")
    assert "MOF 1.800 vs OECD 1.500" in outcome.sample[0]


def test_cross_source_without_oecd_does_not_apply() -> None:
    finding = jgb_agrees_with_oecd(b.connect(), b.jgb_batch())
    assert finding.passed and "not_applicable" in finding.details


def test_rrp_sparse_operations_before_the_daily_facility_are_accepted() -> None:
    spec = b.CATALOGUE["RRPONTSYD"]
    early = b.fred_rows(spec, [date(2009, 6, 26), date(2009, 7, 6)], 2.0)
    assert gap_in_new_window(c.FRED_OBSERVATIONS, b.connect(), early, b.ctx("RRPONTSYD")).passed
    late = b.fred_rows(spec, [date(2014, 6, 26), date(2014, 7, 7)], 2.0)
    assert not gap_in_new_window(c.FRED_OBSERVATIONS, b.connect(), late, b.ctx("RRPONTSYD")).passed
