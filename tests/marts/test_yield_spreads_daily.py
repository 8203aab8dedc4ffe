"""marts.yield_spreads_daily on hand-made staging: grain, holidays, tenors, changes, z-score."""

from __future__ import annotations

import random
import statistics
from datetime import date, timedelta

import pytest

from tests.marts.staging_rows import add_fred, add_jgb, build, by, staging_connection

TENORS = {2: "DGS2", 5: "DGS5", 10: "DGS10", 30: "DGS30"}


def _add_ust(con, day: str, yields: dict[int, float]) -> None:
    for tenor, value in yields.items():
        add_fred(con, TENORS[tenor], [(day, value)])


def test_grain_is_dates_both_markets_published_a_10y_yield() -> None:
    con = staging_connection()
    ust = {2: 0.11, 5: 0.36, 10: 0.93, 30: 1.66}
    jgb = {2: -0.121, 5: -0.102, 10: 0.033, 30: 0.655}
    for day in ("2021-01-04", "2021-01-05", "2021-01-07"):  # 2021-01-06: Tokyo holiday (made up)
        _add_ust(con, day, ust)
    _add_ust(con, "2021-01-06", ust)
    for day in ("2021-01-04", "2021-01-05", "2021-01-07", "2021-01-18"):  # 01-18: US holiday
        add_jgb(con, [(day, jgb)])
    add_fred(con, "DEXJPUS", [("2021-01-04", 103.19)])  # absent 01-05: NULL, not filled

    table = by(build(con, "yield_spreads_daily"), "date")

    assert list(table) == [date(2021, 1, 4), date(2021, 1, 5), date(2021, 1, 7)]
    row = table[date(2021, 1, 4)]
    assert row["spread_10y_bp"] == pytest.approx(89.7, abs=1e-9)
    assert row["spread_2y_bp"] == pytest.approx(23.1, abs=1e-9)
    assert row["spread_5y_bp"] == pytest.approx(46.2, abs=1e-9)
    assert row["spread_30y_bp"] == pytest.approx(100.5, abs=1e-9)
    assert row["jgb_2s10s_bp"] == pytest.approx(15.4, abs=1e-9)
    assert row["jgb_10s30s_bp"] == pytest.approx(62.2, abs=1e-9)
    assert row["ust_2s10s_bp"] == pytest.approx(82.0, abs=1e-9)
    assert row["usdjpy"] == 103.19
    assert table[date(2021, 1, 5)]["usdjpy"] is None


def test_tenor_not_yet_issued_gives_null_spread() -> None:
    con = staging_connection()
    _add_ust(con, "1999-08-02", {2: 5.7, 10: 6.0, 30: 6.1})
    add_jgb(con, [("1999-08-02", {2: 0.3, 10: 1.8})])  # JGB 30y starts 1999-09-02

    [row] = build(con, "yield_spreads_daily")

    assert row["jgb_30y_pct"] is None and row["spread_30y_bp"] is None
    assert row["jgb_10s30s_bp"] is None
    assert row["spread_5y_bp"] is None  # no DGS5 and no JGB 5y loaded
    assert row["spread_10y_bp"] == pytest.approx(420.0, abs=1e-9)


def test_daily_and_one_month_changes() -> None:
    con = staging_connection()
    days = {"2021-02-26": (1.40, 0.15), "2021-03-01": (1.45, 0.16), "2021-03-31": (1.74, 0.12)}
    for day, (u, j) in days.items():
        _add_ust(con, day, {10: u})
        add_jgb(con, [(day, {10: j})])

    table = by(build(con, "yield_spreads_daily"), "date")

    first, second, last = table.values()
    assert first["spread_10y_chg_1d_bp"] is None
    assert second["ust_10y_chg_1d_bp"] == pytest.approx(5.0, abs=1e-9)
    assert second["jgb_10y_chg_1d_bp"] == pytest.approx(1.0, abs=1e-9)
    assert second["spread_10y_chg_1d_bp"] == pytest.approx(4.0, abs=1e-9)
    assert second["spread_10y_chg_1m_bp"] is None  # nothing on or before 2021-02-01
    # 2021-03-31 minus one month is 2021-02-28: the latest row on or before it is 02-26.
    assert last["ust_10y_chg_1m_bp"] == pytest.approx(34.0, abs=1e-9)
    assert last["jgb_10y_chg_1m_bp"] == pytest.approx(-3.0, abs=1e-9)
    assert last["spread_10y_chg_1m_bp"] == pytest.approx(37.0, abs=1e-9)


def test_zscore_uses_the_252_rows_ending_at_each_date() -> None:
    con = staging_connection()
    rng = random.Random(7)
    start = date(2019, 1, 1)
    ust = [(start + timedelta(days=i), round(2 + rng.uniform(-0.5, 0.5), 2)) for i in range(300)]
    jgb = [(d, round(rng.uniform(-0.2, 0.2), 3)) for d, _ in ust]
    add_fred(con, "DGS10", ust)
    add_jgb(con, [(d, {10: y}) for d, y in jgb])
    spreads = [(u - j) * 100 for (_, u), (_, j) in zip(ust, jgb, strict=True)]

    table = build(con, "yield_spreads_daily")

    assert [r["spread_10y_zscore"] for r in table[:251]] == [None] * 251
    for end in (251, 299):
        window = spreads[end - 251 : end + 1]
        expected = (window[-1] - statistics.fmean(window)) / statistics.stdev(window)
        assert table[end]["spread_10y_zscore"] == pytest.approx(expected, abs=5e-5)  # 0.0001


def test_zscore_is_null_when_its_252_days_straddle_a_gap_in_the_data() -> None:
    """A DGS30 download without 2002-02-18 .. 2006-02-08: the first 252 days after it would
    compare 2006 with 2001. Windows of more than 450 calendar days give NULL."""
    con = staging_connection()
    rng = random.Random(11)
    days = [date(2001, 3, 1) + timedelta(days=i) for i in range(0, 1950)]
    days = [d for d in days if d.weekday() < 5]
    gap = (date(2002, 2, 18), date(2006, 2, 8))
    ust = {d: round(4 + rng.uniform(-0.5, 0.5), 2) for d in days}
    jgb = {d: round(1 + rng.uniform(-0.2, 0.2), 3) for d in days}
    add_fred(con, "DGS10", list(ust.items()))
    add_fred(con, "DGS30", [(d, v) for d, v in ust.items() if not gap[0] <= d <= gap[1]])
    add_jgb(con, [(d, {10: jgb[d], 30: jgb[d]}) for d in days])

    table = by(build(con, "yield_spreads_daily"), "date")

    for tenor, tenor_days in ((10, days), (30, [d for d in days if not gap[0] <= d <= gap[1]])):
        spreads = [(ust[d] - jgb[d]) * 100 for d in tenor_days]
        nulls = 0
        for end in range(251, len(tenor_days)):
            got = table[tenor_days[end]][f"spread_{tenor}y_zscore"]
            if (tenor_days[end] - tenor_days[end - 251]).days > 450:
                assert got is None, (tenor, tenor_days[end])
                nulls += 1
                continue
            window = spreads[end - 251: end + 1]
            expected = (window[-1] - statistics.fmean(window)) / statistics.stdev(window)
            assert got == pytest.approx(expected, abs=5e-5), (tenor, tenor_days[end])
        # 10y: none; 30y: every day after the gap, as each window still reaches back to 2002
        assert nulls == (0 if tenor == 10 else sum(d > gap[1] for d in tenor_days))
    assert nulls == 102
