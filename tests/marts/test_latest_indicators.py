"""marts.latest_indicators: latest value, as_of, and the one-week and one-month changes."""

from __future__ import annotations

from datetime import date

import pytest

from tests.marts.staging_rows import (
    add_jgb,
    add_mof_weekly,
    add_tic,
    build,
    by,
    staging_connection,
)


@pytest.fixture(scope="module")
def table() -> dict[str, dict]:
    con = staging_connection()
    jgb_10y = {"2024-03-01": 0.70, "2024-03-04": 0.72, "2024-03-25": 0.74, "2024-04-01": 0.80,
               "2024-04-05": 0.85}
    add_jgb(con, [(d, {10: v}) for d, v in jgb_10y.items()])
    add_tic(con, "2024-03-01", {"japan": ("country", 1000.0)})
    add_tic(con, "2024-04-01", {"japan": ("country", 1010.0)})
    add_mof_weekly(con, "2024-03-17", "2024-03-23", 100)
    add_mof_weekly(con, "2024-03-24", "2024-03-30", -200)
    add_mof_weekly(con, "2024-03-31", "2024-04-06", 300)
    return by(build(con, "latest_indicators"), "indicator")


def test_daily_indicator(table: dict[str, dict]) -> None:
    row = table["jgb_10y_pct"]
    assert (row["value"], row["as_of"], row["unit"]) == (0.85, date(2024, 4, 5), "pct")
    assert row["chg_1w"] == pytest.approx(0.85 - 0.74)  # latest on or before 03-29
    assert row["chg_1m"] == pytest.approx(0.85 - 0.72)  # latest on or before 03-05


def test_weekly_indicator_is_dated_on_the_mof_week_end(table: dict[str, dict]) -> None:
    row = table["mof_foreign_long_term_debt_net_jpy_100m"]
    assert (row["value"], row["as_of"], row["frequency"]) == (300, date(2024, 4, 6), "weekly")
    assert row["chg_1w"] == pytest.approx(500)
    assert row["chg_1m"] is None  # nothing on or before 2024-03-06


def test_monthly_indicator_has_no_one_week_change(table: dict[str, dict]) -> None:
    row = table["japan_ust_holdings_usd_bn"]
    assert (row["value"], row["as_of"]) == (1010.0, date(2024, 4, 1))
    assert row["chg_1w"] is None
    assert row["chg_1m"] == pytest.approx(10.0)


def test_every_indicator_has_a_row_even_without_data(table: dict[str, dict]) -> None:
    assert len(table) == 19
    assert list(table)[0] == "jgb_10y_pct"
    empty = table["net_liquidity_usd_bn"]
    assert (empty["value"], empty["as_of"], empty["unit"]) == (None, None, "usd_bn")
