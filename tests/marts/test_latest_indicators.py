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


def test_one_row_per_indicator_with_data_in_display_order(table: dict[str, dict]) -> None:
    """The list is marts.indicator_series': an indicator whose source is empty has no row."""
    assert list(table) == ["jgb_10y_pct", "japan_ust_holdings_usd_bn",
                           "mof_foreign_long_term_debt_net_jpy_100m"]
    assert all(r["is_provisional"] is False for r in table.values())
    assert table["jgb_10y_pct"]["input_as_of"] == date(2024, 4, 5)


def test_a_carried_jpy_rate_or_partial_month_is_provisional_in_the_headline() -> None:
    """The hedged pickup headline says it is provisional, and which JPY month it rests on."""
    from tests.marts.staging_rows import add_fred

    con = staging_connection()
    add_fred(con, "DGS10", [("2025-03-03", 4.2), ("2025-03-31", 4.3), ("2025-04-01", 4.4),
                            ("2025-04-30", 4.4)])
    add_fred(con, "DGS3MO", [("2025-03-03", 4.3), ("2025-04-01", 4.3)])
    add_fred(con, "IR3TIB01JPM156N", [("2025-02-01", 0.5), ("2025-03-01", 0.6)])
    add_jgb(con, [("2025-03-03", {10: 1.5}), ("2025-03-31", {10: 1.5}),
                  ("2025-04-01", {10: 1.3}), ("2025-04-30", {10: 1.3})])
    rows = by(build(con, "latest_indicators"), "indicator")
    pickup = rows["hedged_pickup_bp"]
    # April: 4.4 - (4.3 - 0.6) - 1.3 = -0.6 % = -60 bp, on March's JPY rate
    assert (pickup["value"], pickup["as_of"]) == (-60.0, date(2025, 4, 1))
    assert (pickup["is_provisional"], pickup["input_as_of"]) == (True, date(2025, 3, 1))
    assert pickup["chg_1m"] == pytest.approx(-60.0 - (4.25 - 3.7 - 1.5) * 100)
    assert rows["jgb_10y_pct"]["is_provisional"] is False


def test_changes_of_weekly_and_monthly_indicators_never_span_a_missing_period() -> None:
    """A missing week or month gives a NULL change, not a two-period change under a 1w/1m name.

    Hand arithmetic. TIC Japan: 2024-01 = 1000, 2024-02 absent, 2024-03 = 1030. The month before
    March is February, which has no value, so chg_1m is NULL (the old ASOF lookup fell back to
    January and reported 1030 - 1000 = 30, a two-month change, as the change from the previous
    month). MOF weeks end 2024-01-27 (+50), 2024-03-09 (+100), [03-16 missing], 03-23 (+400):
    as_of 03-23 minus 7 days is 03-16, which has no week, so chg_1w is NULL (the old lookup gave
    400 - 100 = 300, a two-week change). One month before 03-23 is 02-23; the latest week on or
    before it ends 01-27, 27 days earlier, more than a week stale, so chg_1m is NULL too (it
    was 400 - 50 = 350).
    """
    con = staging_connection()
    add_tic(con, "2024-01-01", {"japan": ("country", 1000.0)})
    add_tic(con, "2024-03-01", {"japan": ("country", 1030.0)})
    add_mof_weekly(con, "2024-01-21", "2024-01-27", 50)
    add_mof_weekly(con, "2024-03-03", "2024-03-09", 100)
    add_mof_weekly(con, "2024-03-17", "2024-03-23", 400)

    table = by(build(con, "latest_indicators"), "indicator")

    holdings = table["japan_ust_holdings_usd_bn"]
    assert (holdings["value"], holdings["as_of"]) == (1030.0, date(2024, 3, 1))
    assert holdings["chg_1m"] is None
    flows = table["mof_foreign_long_term_debt_net_jpy_100m"]
    assert (flows["value"], flows["as_of"]) == (400, date(2024, 3, 23))
    assert flows["chg_1w"] is None
    assert flows["chg_1m"] is None


def test_weekly_one_month_change_uses_the_week_covering_the_date_a_month_earlier() -> None:
    """MOF weeks end 2024-02-24 (+100) and 2024-03-30 (-250), and 2024-03-23 (+10).

    as_of 03-30 minus one month is 02-29; the latest week on or before it ends 02-24, 5 days
    earlier (within a week): chg_1m = -250 - 100 = -350. chg_1w = -250 - 10 = -260 (03-23 is
    exactly 7 days before).
    """
    con = staging_connection()
    add_mof_weekly(con, "2024-02-18", "2024-02-24", 100)
    add_mof_weekly(con, "2024-03-17", "2024-03-23", 10)
    add_mof_weekly(con, "2024-03-24", "2024-03-30", -250)

    flows = by(build(con, "latest_indicators"), "indicator")[
        "mof_foreign_long_term_debt_net_jpy_100m"]

    assert flows["chg_1w"] == pytest.approx(-260)
    assert flows["chg_1m"] == pytest.approx(-350)
