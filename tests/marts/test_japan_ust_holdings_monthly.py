"""marts.japan_ust_holdings_monthly: share, changes vs calendar months, rank among countries."""

from __future__ import annotations

from datetime import date

import pytest

from tests.marts.staging_rows import add_tic, build, by, staging_connection


def _month(japan: float, china: float) -> dict[str, tuple[str, float]]:
    return {
        "japan": ("country", japan),
        "china_mainland": ("country", china),
        "united_kingdom": ("country", 700.0),
        "belgium": ("country", 300.0),
        "oil_exporters": ("regional_group", 5000.0),  # bigger than any country: never ranked
        "all_other": ("total", 2000.0),
        "grand_total": ("total", 8000.0),
        "foreign_official": ("memo", 3800.0),
    }


@pytest.fixture(scope="module")
def table() -> dict[date, dict]:
    con = staging_connection()
    japan = {"2024-01-01": 1100.0, "2024-02-01": 1120.0, "2024-04-01": 1130.0,  # no March
             "2024-05-01": 1090.0, "2025-01-01": 1150.0}
    for month, value in japan.items():
        add_tic(con, month, _month(value, 1200.0 if month == "2024-05-01" else 800.0))
    return by(build(con, "japan_ust_holdings_monthly"), "month")


def test_levels_and_share(table: dict[date, dict]) -> None:
    row = table[date(2024, 1, 1)]
    assert (row["japan_usd_bn"], row["china_usd_bn"], row["uk_usd_bn"]) == (1100, 800, 700)
    assert (row["foreign_total_usd_bn"], row["foreign_official_usd_bn"]) == (8000, 3800)
    assert row["japan_share_pct"] == pytest.approx(13.75)


def test_changes_compare_calendar_months_and_are_null_when_absent(
    table: dict[date, dict],
) -> None:
    assert table[date(2024, 2, 1)]["japan_chg_1m_usd_bn"] == pytest.approx(20.0)
    april = table[date(2024, 4, 1)]
    assert april["japan_chg_1m_usd_bn"] is None  # March missing
    assert april["japan_chg_3m_usd_bn"] == pytest.approx(30.0)
    assert table[date(2024, 5, 1)]["japan_chg_3m_usd_bn"] == pytest.approx(-30.0)
    latest = table[date(2025, 1, 1)]
    assert latest["japan_chg_12m_usd_bn"] == pytest.approx(50.0)
    assert latest["japan_chg_1m_usd_bn"] is None


def test_rank_is_among_countries_only(table: dict[date, dict]) -> None:
    assert table[date(2024, 1, 1)]["japan_rank"] == 1
    assert table[date(2024, 1, 1)]["largest_holder"] == "japan"
    assert table[date(2024, 5, 1)]["japan_rank"] == 2
    assert table[date(2024, 5, 1)]["largest_holder"] == "china_mainland"
