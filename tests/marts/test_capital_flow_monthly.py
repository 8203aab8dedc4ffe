"""marts.capital_flow_monthly: net purchases vs valuation, MOF flows in yen and dollars."""

from __future__ import annotations

from datetime import date

import pytest

from tests.marts.staging_rows import (
    add_fred,
    add_jgb,
    add_mof_investor,
    add_mof_monthly,
    add_tic,
    build,
    by,
    staging_connection,
)

MILLIONS = {"units": "Millions of U.S. Dollars", "usd_bn_scale": 1e-3}


@pytest.fixture(scope="module")
def table() -> dict[date, dict]:
    con = staging_connection()
    add_tic(con, "2025-01-01", {"japan": ("country", 1000.0)})
    add_tic(con, "2025-02-01", {"japan": ("country", 1010.0)})
    add_fred(con, "FORLTTREASNET42609", [("2025-01-01", 5000.0), ("2025-02-01", 12000.0)],
             **MILLIONS)
    add_fred(con, "FORSTTREASNET42609", [("2025-02-01", -3000.0)], **MILLIONS)  # Jan missing
    add_mof_monthly(con, "2025-02-01", 12345)
    add_mof_monthly(con, "2025-03-01", -500)  # a month with MOF data only
    add_mof_investor(con, "2025-01-01", "life_insurers", 200)
    for investor, net in (("life_insurers", -500), ("trust_accounts", 300), ("banks", 1000)):
        add_mof_investor(con, "2025-02-01", investor, net)
    add_fred(con, "DEXJPUS", [("2025-02-03", 150.0), ("2025-02-04", 152.0)])
    add_jgb(con, [("2025-01-06", {10: 1.2}), ("2025-01-07", {10: 1.3}), ("2025-02-03", {10: 1.4})])
    add_fred(con, "DGS10", [("2025-02-03", 4.5)])
    add_fred(con, "DGS3MO", [("2025-02-03", 4.3)])
    add_fred(con, "IR3TIB01JPM156N", [("2025-02-01", 0.7)])
    return by(build(con, "capital_flow_monthly"), "month")


def test_change_in_holdings_splits_into_net_purchases_and_valuation(
    table: dict[date, dict],
) -> None:
    february = table[date(2025, 2, 1)]
    assert february["japan_chg_1m_usd_bn"] == pytest.approx(10.0)
    assert february["japan_lt_treasury_net_purchases_usd_bn"] == pytest.approx(12.0)
    assert february["japan_st_treasury_net_purchases_usd_bn"] == pytest.approx(-3.0)
    assert february["japan_treasury_net_purchases_usd_bn"] == pytest.approx(9.0)
    assert february["valuation_and_other_usd_bn"] == pytest.approx(1.0)


def test_mof_flows_in_yen_and_in_dollars_at_the_months_mean_rate(
    table: dict[date, dict],
) -> None:
    february = table[date(2025, 2, 1)]
    assert february["mof_foreign_long_term_debt_net_jpy_100m"] == 12345
    assert february["usdjpy"] == pytest.approx(151.0)
    assert february["mof_foreign_long_term_debt_net_usd_bn"] == pytest.approx(
        round(12345 * 1e8 / 151.0 / 1e9, 3)
    )
    assert (february["life_insurers_net_jpy_100m"], february["trust_accounts_net_jpy_100m"],
            february["banks_net_jpy_100m"]) == (-500, 300, 1000)


def test_yield_backdrop(table: dict[date, dict]) -> None:
    february = table[date(2025, 2, 1)]
    assert february["jgb_10y_pct"] == pytest.approx(1.4)
    assert february["jgb_10y_chg_1m_bp"] == pytest.approx(15.0)
    assert february["hedged_pickup_bp"] == pytest.approx((4.5 - (4.3 - 0.7) - 1.4) * 100)


def test_months_with_a_missing_input(table: dict[date, dict]) -> None:
    assert list(table) == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
    january, march = table[date(2025, 1, 1)], table[date(2025, 3, 1)]
    assert january["japan_lt_treasury_net_purchases_usd_bn"] == pytest.approx(5.0)
    assert january["japan_treasury_net_purchases_usd_bn"] is None  # no bills figure
    assert january["valuation_and_other_usd_bn"] is None
    assert january["trust_accounts_net_jpy_100m"] is None
    assert january["mof_foreign_long_term_debt_net_usd_bn"] is None
    assert march["japan_chg_1m_usd_bn"] is None
    assert march["mof_foreign_long_term_debt_net_jpy_100m"] == -500
    assert march["mof_foreign_long_term_debt_net_usd_bn"] is None  # no DEXJPUS in March


def test_a_series_break_is_neither_a_flow_nor_valuation() -> None:
    """June 2008 as mfhhis01.txt prints it: 575.3 in May, 628.0 new and 580.4 old in June."""
    con = staging_connection()
    add_tic(con, "2008-05-01", {"japan": ("country", 575.3)})
    add_tic(con, "2008-06-01", {"japan": ("country", 628.0)})
    con.execute("UPDATE staging.tic_holdings SET old_series_usd_bn = 580.4"
                " WHERE month = DATE '2008-06-01'")
    add_fred(con, "FORLTTREASNET42609", [("2008-06-01", 3000.0)], **MILLIONS)
    add_fred(con, "FORSTTREASNET42609", [("2008-06-01", 1000.0)], **MILLIONS)
    june = by(build(con, "capital_flow_monthly"), "month")[date(2008, 6, 1)]
    assert june["japan_chg_1m_usd_bn"] == pytest.approx(5.1, abs=1e-9)
    assert (june["is_series_break"], june["series_break_usd_bn"]) == (True, pytest.approx(47.6))
    assert june["valuation_and_other_usd_bn"] == pytest.approx(5.1 - 4.0, abs=1e-9)  # not 48.7
