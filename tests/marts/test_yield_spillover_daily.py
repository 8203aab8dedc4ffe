"""marts.yield_spillover_daily: changes per market, holidays, and betas checked with numpy."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest

from tests.marts.staging_rows import add_fred, add_jgb, build, by, staging_connection


def _slope(y: list[float], x: list[float]) -> float:
    return float(np.polyfit(np.array(x), np.array(y), 1)[0])


def test_changes_are_against_each_markets_own_previous_quote() -> None:
    con = staging_connection()
    add_fred(con, "DGS10", [("2024-01-02", 4.00), ("2024-01-03", 4.05), ("2024-01-04", 4.10)])
    # 2024-01-03 is a Tokyo holiday here; 2024-01-05 a US holiday.
    add_jgb(con, [("2024-01-02", {10: 0.60}), ("2024-01-04", {10: 0.62}),
                  ("2024-01-05", {10: 0.65})])

    table = by(build(con, "yield_spillover_daily"), "date")

    assert list(table) == [date(2024, 1, d) for d in (2, 3, 4, 5)]
    tokyo_holiday, after, us_holiday = (table[date(2024, 1, d)] for d in (3, 4, 5))
    assert tokyo_holiday["ust_10y_chg_bp"] == pytest.approx(5.0)
    assert tokyo_holiday["jgb_10y_chg_bp"] is None
    assert tokyo_holiday["jgb_prev_date"] == date(2024, 1, 2)
    assert after["jgb_10y_chg_bp"] == pytest.approx(2.0)  # 01-04 against 01-02
    assert after["jgb_prev_date"] == date(2024, 1, 2)  # previous Tokyo business day
    assert us_holiday["ust_10y_chg_bp"] is None
    assert us_holiday["jgb_10y_chg_bp"] == pytest.approx(3.0)
    assert us_holiday["jgb_10y_chg_prev_day_bp"] == pytest.approx(2.0)


def _prev_weekday(day: date) -> date:
    return day - timedelta(days=3 if day.weekday() == 0 else 1)


def _one_day_changes(quotes: list[tuple[date, float]]) -> dict[date, float]:
    """Change in bp against the previous quote, only where no weekday lies between them."""
    return {d: (v - p) * 100 for (pd, p), (d, v) in zip(quotes, quotes[1:], strict=False)
            if pd >= _prev_weekday(d)}


def test_a_tokyo_holiday_gives_no_multi_day_pair_and_no_reused_move() -> None:
    con = staging_connection()
    # Mon 2024-05-06 is a Tokyo holiday; US open every day.
    us = [("2024-05-02", 4.60), ("2024-05-03", 4.50), ("2024-05-06", 4.49),
          ("2024-05-07", 4.46), ("2024-05-08", 4.49)]
    tokyo = [("2024-05-01", 0.88), ("2024-05-02", 0.89), ("2024-05-03", 0.90),
             ("2024-05-07", 0.92), ("2024-05-08", 0.93)]
    add_fred(con, "DGS10", us)
    add_jgb(con, [(d, {10: v}) for d, v in tokyo])
    table = by(build(con, "yield_spillover_daily"), "date")
    tue, wed = table[date(2024, 5, 7)], table[date(2024, 5, 8)]
    assert tue["jgb_10y_chg_bp"] == pytest.approx(2.0)  # Fri -> Tue: two business days
    assert tue["is_same_day_pair"] is False  # a multi-day JGB move against a one-day UST move
    mon = table[date(2024, 5, 6)]
    assert (mon["is_next_day_pair"], mon["jgb_prev_date"]) == (True, date(2024, 5, 3))
    # Tuesday would reuse Friday's move (Tokyo closed Monday): not a pair
    assert (tue["jgb_prev_date"], tue["is_next_day_pair"]) == (date(2024, 5, 3), False)
    assert (wed["is_same_day_pair"], wed["is_next_day_pair"]) == (True, False)  # Tue not 1-day


def test_betas_match_numpy_over_one_business_day_pairs() -> None:
    con = staging_connection()
    rng = random.Random(11)
    ust, jgb = 4.0, 0.5
    ust_rows, jgb_rows = [], []
    day, i = date(2023, 1, 2), 0
    while len(ust_rows) < 420:
        if day.weekday() < 5:
            jgb_move = rng.gauss(0, 0.03)
            jgb += jgb_move
            ust += 0.8 * jgb_move + rng.gauss(0, 0.05)
            if i % 17 != 5:  # a few US holidays
                ust_rows.append((day, round(ust, 2)))
            if i % 13 != 3:  # a few Tokyo holidays
                jgb_rows.append((day, round(jgb, 3)))
            i += 1
        day += timedelta(days=1)
    add_fred(con, "DGS10", ust_rows)
    add_jgb(con, [(d, {10: y}) for d, y in jgb_rows])

    table = build(con, "yield_spillover_daily")

    ust_chg, jgb_chg = _one_day_changes(ust_rows), _one_day_changes(jgb_rows)
    jgb_days = [d for d, _ in jgb_rows]
    same = [(d, ust_chg[d], jgb_chg[d]) for d in sorted(ust_chg) if d in jgb_chg]
    nxt = []
    for d in sorted(ust_chg):
        j = max((x for x in jgb_days if x < d), default=None)
        if j is not None and j >= _prev_weekday(d) and j in jgb_chg:
            nxt.append((d, ust_chg[d], jgb_chg[j], j))
    assert len({j for *_, j in nxt}) == len(nxt)  # each JGB move used once
    nxt3 = [(d, u, g) for d, u, g, _ in nxt]
    rows = by(table, "date")
    assert {d for d, r in rows.items() if r["is_same_day_pair"]} == {d for d, _, _ in same}
    assert {d for d, r in rows.items() if r["is_next_day_pair"]} == {d for d, _, _ in nxt3}
    for pairs, column, n in ((same, "beta_same_day", 250), (same, "beta_same_day", 60),
                             (nxt3, "beta_next_day", 250), (nxt3, "beta_next_day", 60)):
        assert rows[pairs[n - 2][0]][f"{column}_{n}d"] is None  # one pair short of a window
        for end in (n - 1, len(pairs) - 1):
            window = pairs[end - n + 1 : end + 1]
            expected = _slope([u for _, u, _ in window], [j for _, _, j in window])
            assert rows[pairs[end][0]][f"{column}_{n}d"] == pytest.approx(expected, abs=5e-5)
    assert rows[same[-1][0]]["beta_same_day_250d"] == pytest.approx(0.8, abs=0.2)
