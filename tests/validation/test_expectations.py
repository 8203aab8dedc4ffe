"""Every declared expectation, fed a crafted bad batch, fails with the right unexpected count.

A clean batch passes every check; each case breaks one thing. Counts are rows (or months,
gaps, files) that broke the expectation, as the analyst's report shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest

from pipelines.lib.datasets import registered
from pipelines.lib.publish import ERROR, WARN, CheckOutcome
from pipelines.validation import checks as c
from pipelines.validation.audit import audit
from pipelines.validation.context import AuditContext, FileRows
from tests.validation import batches as b

TABLES = tuple(registered())  # every staging table the publishers declare


def outcomes(table: str, batch: pl.DataFrame, context: AuditContext) -> dict[str, CheckOutcome]:
    result = audit(table, b.connect(), batch, context)
    assert [o.name for o in result] == [d.name for d in c.declared_checks(table)]
    return {o.name: o for o in result}


def set_first(batch: pl.DataFrame, column: str, value: Any, n: int = 1) -> pl.DataFrame:
    """Set `column` to `value` on the first `n` rows."""
    first = pl.int_range(pl.len()) < n
    return batch.with_columns(
        pl.when(first).then(pl.lit(value, batch.schema[column])).otherwise(pl.col(column))
        .alias(column))


def duplicate_first(batch: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([batch, batch.head(1)])


def drop_dates(batch: pl.DataFrame, column: str, first: date, last: date) -> pl.DataFrame:
    return batch.filter(~pl.col(column).is_between(first, last))


CLEAN: dict[str, tuple[Callable[[], pl.DataFrame], str | None]] = {
    c.FRED_OBSERVATIONS: (b.fred_batch, "DGS10"),
    c.JGB_YIELDS: (b.jgb_batch, None),
    c.TIC_HOLDINGS: (b.tic_batch, None),
    c.MOF_FLOWS_WEEKLY: (b.mof_weekly_batch, None),
    c.MOF_FLOWS_MONTHLY: (b.mof_monthly_batch, None),
    c.MOF_FLOWS_BY_INVESTOR: (b.mof_by_investor_batch, None),
}


@pytest.mark.parametrize("table", TABLES)
def test_clean_batch_passes_every_check(table: str) -> None:
    make, series = CLEAN[table]
    result = outcomes(table, make(), b.ctx(series))
    assert {n: o.sample for n, o in result.items() if not o.passed} == {}


@dataclass(frozen=True)
class Case:
    id: str
    table: str
    mutate: Callable[[pl.DataFrame], pl.DataFrame]
    check: str
    count: int
    series: str | None = None
    make: Callable[[], pl.DataFrame] | None = None
    context: dict[str, Any] | None = None


FRED, JGB, TIC = c.FRED_OBSERVATIONS, c.JGB_YIELDS, c.TIC_HOLDINGS
WEEKLY, MONTHLY, INVESTOR = c.MOF_FLOWS_WEEKLY, c.MOF_FLOWS_MONTHLY, c.MOF_FLOWS_BY_INVESTOR
SHRUNK = (FileRows("https://example.test/file.csv", rows_now=90, rows_before=100,
                   period_key="2026-11"),)
LATE = {"as_of": date(2027, 3, 1)}
ALL_TABLES = (FRED, JGB, TIC, WEEKLY, MONTHLY, INVESTOR)


def _common_cases() -> list[Case]:
    cases = []
    for table in ALL_TABLES:
        series = "DGS10" if table == FRED else None
        short = table.split(".")[1]
        cases += [
            Case(f"{short}-duplicate-key", table, duplicate_first, c.KEYS_UNIQUE, 2, series),
            Case(f"{short}-truncated-copy", table, lambda x: x, c.ROW_COUNT_NOT_BELOW_PREVIOUS_COPY,
                 1, series, context={"files": SHRUNK}),
            Case(f"{short}-stale", table, lambda x: x, c.FRESH_AS_OF, 1, series, context=LATE),
        ]
    return cases


def _null_key(column: str) -> Callable[[pl.DataFrame], pl.DataFrame]:
    return lambda x: set_first(x, column, None)


CASES: list[Case] = [
    *_common_cases(),
    # FRED
    Case("fred-missing-column", FRED, lambda x: x.drop("fetch_mode"), c.SCHEMA_MATCHES, 1, "DGS10"),
    Case("fred-value-as-text", FRED, lambda x: x.with_columns(pl.col("value").cast(pl.String)),
         c.SCHEMA_MATCHES, 30, "DGS10"),
    Case("fred-null-key", FRED, _null_key("date"), c.KEYS_UNIQUE, 1, "DGS10"),
    Case("fred-other-series", FRED, lambda x: set_first(x, "series_id", "DGS2", 3),
         c.SERIES_MATCHES_ASSET, 3, "DGS10"),
    Case("fred-future-date", FRED, lambda x: set_first(x, "date", date(2026, 12, 1)),
         c.NO_FUTURE_DATES, 1, "DGS10"),
    Case("fred-out-of-range", FRED, lambda x: set_first(x, "value", 99.0, 2),
         c.VALUES_IN_PLAUSIBLE_RANGE, 2, "DGS10"),
    Case("fred-units-null", FRED, lambda x: set_first(x, "units", None),
         c.UNITS_MATCH_MAGNITUDE, 1, "DGS10"),
    Case("fred-billions-declared-millions", FRED,
         lambda x: x.with_columns(pl.col("value") / 1000, pl.col("value_usd_bn") / 1000),
         c.UNITS_MATCH_MAGNITUDE, 20, "WALCL", lambda: b.fred_batch("WALCL", count=20)),
    Case("fred-gap", FRED, lambda x: drop_dates(x, "date", date(2026, 11, 2), date(2026, 11, 10)),
         c.NO_GAP_IN_NEW_WINDOW, 1, "DGS10"),
    Case("fred-weekly-gap", FRED,
         lambda x: drop_dates(x, "date", date(2026, 11, 5), date(2026, 11, 5)),
         c.NO_GAP_IN_NEW_WINDOW, 1, "WALCL", lambda: b.fred_batch("WALCL", count=10)),
    Case("fred-monthly-gap", FRED,
         lambda x: drop_dates(x, "date", date(2026, 6, 1), date(2026, 7, 1)),
         c.NO_GAP_IN_NEW_WINDOW, 1, "IRLTLT01JPM156N",
         lambda: b.fred_batch("IRLTLT01JPM156N", end=date(2026, 9, 1), count=12)),
    # JGB
    Case("jgb-missing-column", JGB, lambda x: x.drop("source_file"), c.SCHEMA_MATCHES, 1),
    Case("jgb-future-date", JGB, lambda x: set_first(x, "date", date(2026, 11, 27)),
         c.NO_FUTURE_DATES, 1),
    Case("jgb-unknown-tenor", JGB, lambda x: set_first(x, "tenor_years", 11, 3), c.TENOR_KNOWN, 3),
    Case("jgb-too-high", JGB, lambda x: set_first(x, "yield_pct", 25.0, 2),
         c.VALUES_IN_PLAUSIBLE_RANGE, 2),
    Case("jgb-too-low", JGB, lambda x: set_first(x, "yield_pct", -0.6), c.VALUES_IN_PLAUSIBLE_RANGE,
         1),
    Case("jgb-gap-one-tenor", JGB,
         lambda x: x.filter(~((pl.col("tenor_years") == 10)
                              & pl.col("date").is_between(date(2026, 11, 2), date(2026, 11, 13)))),
         c.NO_GAP_IN_NEW_WINDOW, 1),
    # TIC
    Case("tic-holdings-as-text", TIC,
         lambda x: x.with_columns(pl.col("holdings_usd_bn").cast(pl.String)), c.SCHEMA_MATCHES, 24),
    Case("tic-future-month", TIC, lambda x: set_first(x, "month", date(2026, 12, 1)),
         c.NO_FUTURE_DATES, 1),
    Case("tic-mid-month", TIC, lambda x: set_first(x, "month", date(2026, 7, 15)),
         c.MONTH_IS_FIRST_DAY, 1),
    Case("tic-negative", TIC, lambda x: set_first(x, "holdings_usd_bn", -1.0),
         c.VALUES_IN_PLAUSIBLE_RANGE, 1),
    Case("tic-millions-for-billions", TIC, lambda x: set_first(x, "holdings_usd_bn", 1_100_000.0),
         c.VALUES_IN_PLAUSIBLE_RANGE, 1),
    Case("tic-country-off", TIC, lambda x: set_first(x, "holdings_usd_bn", 1101.0),
         c.COUNTRIES_SUM_TO_GRAND_TOTAL, 1),
    Case("tic-lost-country-row", TIC, lambda x: x.slice(1), c.COUNTRIES_SUM_TO_GRAND_TOTAL, 1),
    Case("tic-bills-off", TIC,
         lambda x: x.with_columns(pl.when(pl.col("holder_code") == "foreign_official_bills")
                                  .then(401.0).otherwise(pl.col("holdings_usd_bn"))
                                  .alias("holdings_usd_bn")),
         c.OFFICIAL_BILLS_PLUS_BONDS_EQUAL_TOTAL, 3),
    Case("tic-missing-month", TIC, lambda x: drop_dates(x, "month", date(2026, 8, 1),
                                                         date(2026, 8, 1)),
         c.NO_GAP_IN_NEW_WINDOW, 1),
    # MOF weekly
    Case("weekly-missing-key-series", WEEKLY,
         lambda x: x.drop("foreign_long_term_debt_net_jpy_100m"), c.SCHEMA_MATCHES, 1),
    Case("weekly-future", WEEKLY, lambda x: set_first(x, "week_end", date(2026, 11, 28)),
         c.NO_FUTURE_DATES, 1),
    Case("weekly-six-day-week", WEEKLY,
         lambda x: x.with_columns(pl.col("week_start") + timedelta(days=1)),
         c.WEEK_SPANS_SEVEN_DAYS, 8),
    Case("weekly-negative-gross", WEEKLY,
         lambda x: set_first(x, "foreign_long_term_debt_acquisition_jpy_100m", -5),
         c.VALUES_IN_PLAUSIBLE_RANGE, 1),
    Case("weekly-yen-for-100m-yen", WEEKLY,
         lambda x: set_first(x, "foreign_long_term_debt_net_jpy_100m", 10_000_000_000, 2),
         c.VALUES_IN_PLAUSIBLE_RANGE, 2),
    Case("weekly-net-misread", WEEKLY,
         lambda x: set_first(x, "foreign_long_term_debt_net_jpy_100m", 110),
         c.NET_EQUALS_ACQUISITION_MINUS_DISPOSITION, 1),
    Case("weekly-missing-week", WEEKLY,
         lambda x: drop_dates(x, "week_end", date(2026, 11, 7), date(2026, 11, 7)),
         c.NO_GAP_IN_NEW_WINDOW, 1),
    # MOF monthly
    Case("monthly-missing-column", MONTHLY, lambda x: x.drop("month"), c.SCHEMA_MATCHES, 1),
    Case("monthly-future", MONTHLY, lambda x: set_first(x, "month", date(2026, 12, 1)),
         c.NO_FUTURE_DATES, 1),
    Case("monthly-mid-month", MONTHLY, lambda x: set_first(x, "month", date(2026, 5, 31)),
         c.MONTH_IS_FIRST_DAY, 1),
    Case("monthly-out-of-range", MONTHLY,
         lambda x: set_first(x, "japanese_total_net_jpy_100m", -20_000_000),
         c.VALUES_IN_PLAUSIBLE_RANGE, 1),
    Case("monthly-net-misread", MONTHLY,
         lambda x: set_first(x, "japanese_equity_net_jpy_100m", 50, 3),
         c.NET_EQUALS_ACQUISITION_MINUS_DISPOSITION, 3),
    Case("monthly-missing-month", MONTHLY,
         lambda x: drop_dates(x, "month", date(2026, 7, 1), date(2026, 8, 1)),
         c.NO_GAP_IN_NEW_WINDOW, 1),
    # MOF by investor
    Case("investor-type-as-number", INVESTOR,
         lambda x: x.with_columns(pl.col("net_jpy_100m").cast(pl.String)), c.SCHEMA_MATCHES, 9),
    Case("investor-null-type", INVESTOR, _null_key("investor_type"), c.KEYS_UNIQUE, 1),
    Case("investor-future", INVESTOR, lambda x: set_first(x, "month", date(2026, 12, 1)),
         c.NO_FUTURE_DATES, 1),
    Case("investor-mid-month", INVESTOR, lambda x: set_first(x, "month", date(2026, 8, 2)),
         c.MONTH_IS_FIRST_DAY, 1),
    Case("investor-unmapped", INVESTOR, lambda x: set_first(x, "investor_type", "unmapped_abc"),
         c.INVESTOR_TYPE_MAPPED, 1),
    Case("investor-negative-gross", INVESTOR, lambda x: set_first(x, "disposition_jpy_100m", -1),
         c.VALUES_IN_PLAUSIBLE_RANGE, 1),
    Case("investor-net-misread", INVESTOR, lambda x: set_first(x, "net_jpy_100m", 103),
         c.NET_EQUALS_ACQUISITION_MINUS_DISPOSITION, 1),
    Case("investor-missing-month", INVESTOR,
         lambda x: drop_dates(x, "month", date(2026, 9, 1), date(2026, 9, 1)),
         c.NO_GAP_IN_NEW_WINDOW, 1),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_batch_fails_its_check(case: Case) -> None:
    make = case.make or CLEAN[case.table][0]
    context = b.ctx(case.series, **(case.context or {}))
    result = outcomes(case.table, case.mutate(make()), context)
    outcome = result[case.check]
    assert not outcome.passed, outcome
    assert outcome.unexpected_count == case.count, outcome
    assert outcome.sample, outcome
    decl = next(d for d in c.declared_checks(case.table) if d.name == case.check)
    assert outcome.severity == decl.severity
    assert outcome.blocks == (decl.severity == ERROR)


def test_every_declared_check_has_a_failing_case() -> None:
    covered = {(case.table, case.check) for case in CASES}
    covered |= {(JGB, c.JGB_10Y_AGREES_WITH_OECD)}  # test_warehouse_checks.py
    declared = {(t, d.name) for t in TABLES for d in c.declared_checks(t)}
    assert declared - covered == set()


def test_samples_name_the_offending_values() -> None:
    bad = set_first(b.jgb_batch(), "yield_pct", 25.0, 2)
    outcome = outcomes(JGB, bad, b.ctx())[c.VALUES_IN_PLAUSIBLE_RANGE]
    assert list(outcome.sample) == ["yield_pct: 25.0", "yield_pct: 25.0"]
    gap = drop_dates(b.fred_batch(), "date", date(2026, 11, 2), date(2026, 11, 10))
    outcome = outcomes(FRED, gap, b.ctx("DGS10"))[c.NO_GAP_IN_NEW_WINDOW]
    assert list(outcome.sample) == ["DGS10: 2026-10-30..2026-11-11 (12 days)"]


def test_freshness_is_a_warning_that_does_not_block() -> None:
    outcome = outcomes(FRED, b.fred_batch(), b.ctx("DGS10", **LATE))[c.FRESH_AS_OF]
    assert (outcome.passed, outcome.severity, outcome.blocks) == (False, WARN, False)


def test_without_catalogue_entry_the_series_checks_pass_and_say_why() -> None:
    result = outcomes(FRED, b.fred_batch(), b.ctx(None))
    for name in (c.SERIES_MATCHES_ASSET, c.VALUES_IN_PLAUSIBLE_RANGE, c.NO_GAP_IN_NEW_WINDOW):
        assert result[name].passed
        assert "not_applicable" in result[name].details
