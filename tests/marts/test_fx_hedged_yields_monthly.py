"""marts.fx_hedged_yields_monthly: monthly means, the carried JPY leg, a month missing an input."""

from __future__ import annotations

from datetime import date

import pytest

from tests.marts.staging_rows import add_fred, add_jgb, build, by, staging_connection


def _staging():
    con = staging_connection()
    add_fred(con, "DGS10", [("2025-01-06", 4.5), ("2025-01-07", 4.7), ("2025-02-03", 4.4),
                            ("2025-02-04", 4.6), ("2025-03-03", 4.2), ("2025-04-01", 4.3),
                            ("2025-04-02", 4.4), ("2025-05-01", 4.1)])
    add_jgb(con, [("2025-01-06", {10: 1.2}), ("2025-01-07", {10: 1.3}), ("2025-02-03", {10: 1.4}),
                  ("2025-03-03", {10: 1.5}), ("2025-03-04", {10: 1.6}), ("2025-04-01", {10: 1.3})])
    # March has no DGS3MO at all: a month with a missing input.
    add_fred(con, "DGS3MO", [("2025-01-06", 4.3), ("2025-01-07", 4.4), ("2025-02-03", 4.3),
                             ("2025-04-01", 4.3)])
    # OECD has published January and February only.
    add_fred(con, "IR3TIB01JPM156N", [("2025-01-01", 0.6), ("2025-02-01", 0.7)])
    add_fred(con, "DEXJPUS", [("2025-01-06", 155.0), ("2025-01-07", 157.0)],
             units="Japanese Yen to One U.S. Dollar")
    return con


def test_published_month_is_final() -> None:
    january = by(build(_staging(), "fx_hedged_yields_monthly"), "month")[date(2025, 1, 1)]
    assert january["ust_10y_pct"] == pytest.approx(4.6)
    assert january["jgb_10y_pct"] == pytest.approx(1.25)
    assert january["usd_3m_pct"] == pytest.approx(4.35)
    assert (january["jpy_3m_pct"], january["jpy_3m_as_of"]) == (0.6, date(2025, 1, 1))
    assert january["is_provisional"] is False
    assert january["hedge_cost_pct"] == pytest.approx(3.75)
    assert january["hedged_ust_10y_pct"] == pytest.approx(0.85)
    assert january["unhedged_pickup_bp"] == pytest.approx(335.0)
    assert january["hedged_pickup_bp"] == pytest.approx(-40.0)
    assert january["usdjpy"] == pytest.approx(156.0)


def test_unpublished_jpy_leg_carries_the_latest_value_and_is_provisional() -> None:
    table = by(build(_staging(), "fx_hedged_yields_monthly"), "month")
    april = table[date(2025, 4, 1)]
    assert (april["jpy_3m_pct"], april["jpy_3m_as_of"], april["is_provisional"]) == (
        0.7, date(2025, 2, 1), True)
    assert april["hedge_cost_pct"] == pytest.approx(3.6)
    assert april["hedged_pickup_bp"] == pytest.approx((4.35 - 3.6 - 1.3) * 100)
    assert april["usdjpy"] is None


def test_month_missing_an_input() -> None:
    table = by(build(_staging(), "fx_hedged_yields_monthly"), "month")
    assert list(table) == [date(2025, m, 1) for m in (1, 2, 3, 4)]  # May has no JGB quote
    march = table[date(2025, 3, 1)]
    assert march["usd_3m_pct"] is None
    assert march["hedge_cost_pct"] is None and march["hedged_pickup_bp"] is None
    assert march["unhedged_pickup_bp"] == pytest.approx(265.0)
    assert march["is_provisional"] is True


def test_a_jpy_rate_older_than_three_months_is_not_used() -> None:
    con = _staging()  # OECD published January and February 2025 only
    add_fred(con, "DGS10", [("2025-06-02", 4.0), ("2025-06-30", 4.1)])
    add_fred(con, "DGS3MO", [("2025-05-01", 4.2), ("2025-06-02", 4.2)])
    add_jgb(con, [("2025-05-01", {10: 1.3}), ("2025-05-30", {10: 1.3}),
                  ("2025-06-02", {10: 1.4}), ("2025-06-30", {10: 1.5})])
    table = by(build(con, "fx_hedged_yields_monthly"), "month")
    may, june = table[date(2025, 5, 1)], table[date(2025, 6, 1)]
    assert (may["jpy_3m_pct"], may["jpy_3m_age_months"]) == (0.7, 3)  # February, 3 months old
    assert may["hedged_pickup_bp"] == pytest.approx((4.1 - (4.2 - 0.7) - 1.3) * 100)
    assert (june["jpy_3m_pct"], june["jpy_3m_as_of"], june["jpy_3m_age_months"]) == (
        None, date(2025, 2, 1), 4)
    assert june["hedge_cost_pct"] is None and june["hedged_pickup_bp"] is None
    assert june["unhedged_pickup_bp"] == pytest.approx((4.05 - 1.45) * 100)


def test_a_month_not_over_in_the_data_is_partial_and_provisional() -> None:
    con = staging_connection()
    add_fred(con, "DGS10", [("2025-01-06", 4.5), ("2025-01-31", 4.7), ("2025-02-03", 4.4),
                            ("2025-02-14", 4.6)])
    add_jgb(con, [("2025-01-06", {10: 1.2}), ("2025-01-31", {10: 1.3}),
                  ("2025-02-03", {10: 1.4}), ("2025-02-17", {10: 1.5})])
    add_fred(con, "IR3TIB01JPM156N", [("2025-01-01", 0.6), ("2025-02-01", 0.7)])
    table = by(build(con, "fx_hedged_yields_monthly"), "month")
    january, february = table[date(2025, 1, 1)], table[date(2025, 2, 1)]
    assert (january["is_partial_month"], january["is_provisional"]) == (False, False)
    # DGS10 stops on 02-14, before February's last weekday (02-28): a partial mean
    assert (february["is_partial_month"], february["is_provisional"]) == (True, True)


@pytest.mark.parametrize(("fx_days", "partial"), [
    ([("2025-01-24", 155.0)], True),  # H.10 a week late: January's USD/JPY mean is partial
    ([("2025-01-24", 155.0), ("2025-01-31", 157.0)], False),
])
def test_a_late_usdjpy_makes_the_month_partial(fx_days: list, partial: bool) -> None:
    """DGS10 and the MOF 10-year reach Friday 2025-01-31, the month's last weekday."""
    from tests.marts.staging_rows import add_mof_monthly

    con = staging_connection()
    add_fred(con, "DGS10", [("2025-01-30", 4.5), ("2025-01-31", 4.7)])
    add_jgb(con, [("2025-01-30", {10: 1.2}), ("2025-01-31", {10: 1.3})])
    add_fred(con, "DGS3MO", [("2025-01-31", 4.3)])
    add_fred(con, "IR3TIB01JPM156N", [("2025-01-01", 0.6)])
    add_fred(con, "DEXJPUS", fx_days, units="Japanese Yen to One U.S. Dollar")
    add_mof_monthly(con, "2025-01-01", 1000)
    january = by(build(con, "fx_hedged_yields_monthly"), "month")[date(2025, 1, 1)]
    assert january["usdjpy"] == pytest.approx(sum(v for _, v in fx_days) / len(fx_days))
    assert january["is_partial_month"] is partial
    assert january["is_provisional"] is False  # no hedged column uses USD/JPY
    flows = by(build(con, "capital_flow_monthly"), "month")[date(2025, 1, 1)]
    assert (flows["usdjpy"], flows["is_partial_month"]) == (january["usdjpy"], partial)
    assert flows["hedged_pickup_is_provisional"] is False
