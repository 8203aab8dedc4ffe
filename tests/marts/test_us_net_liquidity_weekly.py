"""marts.us_net_liquidity_weekly: Wednesday levels, as-of joins never looking ahead, units, corr."""

from __future__ import annotations

import math
import random
import statistics
from datetime import date, timedelta

import pytest

from tests.marts.staging_rows import add_fred, build, by, staging_connection

MILLIONS = {"units": "Millions of U.S. Dollars", "usd_bn_scale": 1e-3}
BILLIONS = {"units": "Billions of U.S. Dollars", "usd_bn_scale": 1.0}
WEDNESDAYS = ("2023-12-27", "2024-01-03", "2024-01-10", "2024-01-17")


def _staging(tga_in_millions: bool):
    con = staging_connection()
    add_fred(con, "WALCL", zip(WEDNESDAYS, (7_710_000.0, 7_700_000.0, 7_690_000.0, 7_680_000.0),
                               strict=True), **MILLIONS)
    tga = (760.0, 750.0, 740.0, 730.0)
    if tga_in_millions:  # FRED re-expressed the series: same dollars, other unit
        add_fred(con, "WDTGAL", zip(WEDNESDAYS, (v * 1000 for v in tga), strict=True), **MILLIONS)
        add_fred(con, "WTREGEN", zip(WEDNESDAYS, (v * 1000 for v in tga), strict=True), **MILLIONS)
    else:
        add_fred(con, "WDTGAL", zip(WEDNESDAYS, tga, strict=True), **BILLIONS)
        add_fred(con, "WTREGEN", zip(WEDNESDAYS, tga, strict=True), **BILLIONS)
    # No RRP before 2024-01-02; none on Wednesday 01-10 (the Thursday value must not be used).
    add_fred(con, "RRPONTSYD", [("2024-01-02", 700.0), ("2024-01-03", 690.0),
                                ("2024-01-09", 650.0), ("2024-01-11", 600.0),
                                ("2024-01-17", 580.0)], **BILLIONS)
    add_fred(con, "CBBTCUSD", [("2024-01-02", 45000.0), ("2024-01-03", 42800.0),
                               ("2024-01-11", 46000.0)], units="U.S. Dollars")
    return con


def test_levels_and_as_of_joins_never_use_a_later_day() -> None:
    table = by(build(_staging(tga_in_millions=True), "us_net_liquidity_weekly"), "week")
    assert list(table) == [date.fromisoformat(w) for w in WEDNESDAYS]
    first, jan3, jan10, jan17 = table.values()
    assert first["rrp_usd_bn"] is None and first["net_liquidity_usd_bn"] is None
    assert first["btc_usd"] is None
    assert jan3["net_liquidity_usd_bn"] == pytest.approx(7700 - 750 - 690)
    assert (jan10["rrp_usd_bn"], jan10["rrp_as_of"]) == (650.0, date(2024, 1, 9))
    assert jan10["net_liquidity_usd_bn"] == pytest.approx(7690 - 740 - 650)
    # Bitcoin trades daily: a price 7 days old is past its 3-day maximum age
    assert (jan10["btc_usd"], jan10["btc_as_of"]) == (None, None)
    assert jan17["net_liquidity_chg_1w_usd_bn"] == pytest.approx((7680 - 730 - 580) - 6300)
    assert jan17["btc_usd"] is None  # 01-11 is 6 days old


def test_unit_change_leaves_every_number_unchanged() -> None:
    in_millions = build(_staging(tga_in_millions=True), "us_net_liquidity_weekly")
    in_billions = build(_staging(tga_in_millions=False), "us_net_liquidity_weekly")
    assert in_millions == in_billions
    assert in_millions[1]["tga_usd_bn"] == pytest.approx(750.0)
    assert in_millions[1]["tga_week_avg_usd_bn"] == pytest.approx(750.0)


def test_correlations_of_weekly_log_changes_match_statistics() -> None:
    con = staging_connection()
    rng = random.Random(3)
    weeks = [date(2023, 1, 4) + timedelta(weeks=i) for i in range(40)]
    netliq, btc = [], []
    for week in weeks:
        walcl, tga, rrp = rng.uniform(7000, 8000), rng.uniform(500, 900), rng.uniform(0, 800)
        price = rng.uniform(20000, 60000)
        add_fred(con, "WALCL", [(week, walcl * 1000)], **MILLIONS)
        add_fred(con, "WDTGAL", [(week, tga * 1000)], **MILLIONS)
        add_fred(con, "RRPONTSYD", [(week, rrp)], **BILLIONS)
        add_fred(con, "CBBTCUSD", [(week, price)], units="U.S. Dollars")
        netliq.append(walcl - tga - rrp)
        btc.append(price)

    table = build(con, "us_net_liquidity_weekly")

    d_net = [math.log(b / a) for a, b in zip(netliq, netliq[1:], strict=False)]
    d_btc = [math.log(b / a) for a, b in zip(btc, btc[1:], strict=False)]
    for n in (13, 26):
        column = f"btc_netliq_corr_{n}w"
        assert table[n - 1][column] is None  # row n-1 has only n-1 changes
        for end in (n, len(weeks) - 1):
            expected = statistics.correlation(d_btc[end - n : end], d_net[end - n : end])
            assert table[end][column] == pytest.approx(expected, abs=5e-5)  # 0.0001
    assert all(r["btc_netliq_corr_52w"] is None for r in table)


def _rrp_staging(wednesday_is_business_day: bool):
    """One Wednesday, 2024-07-03, with no RRPONTSYD row; Tuesday had 400 bn."""
    con = staging_connection()
    add_fred(con, "WALCL", [("2024-06-26", 7_200_000.0), ("2024-07-03", 7_210_000.0),
                            ("2024-07-10", 7_220_000.0)], **MILLIONS)
    add_fred(con, "WDTGAL", [("2024-06-26", 700.0), ("2024-07-03", 710.0),
                             ("2024-07-10", 720.0)], **BILLIONS)
    add_fred(con, "RRPONTSYD", [("2024-06-26", 420.0), ("2024-07-02", 400.0),
                                ("2024-07-10", 380.0)], **BILLIONS)
    days = ["2024-06-26", "2024-07-02", "2024-07-10"]
    if wednesday_is_business_day:
        days.append("2024-07-03")  # H.15 published: the Fed was open
    add_fred(con, "DGS10", [(d, 4.3) for d in days])
    return con


def test_rrp_is_zero_on_a_business_day_without_an_operation() -> None:
    table = by(build(_rrp_staging(True), "us_net_liquidity_weekly"), "week")
    week = table[date(2024, 7, 3)]
    assert (week["rrp_usd_bn"], week["rrp_as_of"], week["rrp_no_operation"]) == (
        0.0, date(2024, 7, 3), True)
    assert week["net_liquidity_usd_bn"] == pytest.approx(7210 - 710 - 0)
    assert table[date(2024, 6, 26)]["rrp_no_operation"] is False


def test_rrp_is_carried_only_over_a_holiday_and_for_four_days_at_most() -> None:
    table = by(build(_rrp_staging(False), "us_net_liquidity_weekly"), "week")
    week = table[date(2024, 7, 3)]  # no H.15, no H.10: a Fed holiday
    assert (week["rrp_usd_bn"], week["rrp_as_of"], week["rrp_no_operation"]) == (
        400.0, date(2024, 7, 2), False)
    assert week["net_liquidity_usd_bn"] == pytest.approx(7210 - 710 - 400)
