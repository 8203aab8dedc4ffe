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


def test_betas_match_numpy_over_the_last_n_pairs() -> None:
    con = staging_connection()
    rng = random.Random(11)
    ust, jgb = 4.0, 0.5
    ust_rows, jgb_rows = [], []
    for i in range(340):
        day = date(2023, 1, 2) + timedelta(days=i)
        jgb_move = rng.gauss(0, 0.03)
        jgb += jgb_move
        ust += 0.8 * jgb_move + rng.gauss(0, 0.05)
        if i % 17 != 5:  # a few US holidays
            ust_rows.append((day, round(ust, 2)))
        if i % 13 != 3:  # a few Tokyo holidays
            jgb_rows.append((day, round(jgb, 3)))
    add_fred(con, "DGS10", ust_rows)
    add_jgb(con, [(d, {10: y}) for d, y in jgb_rows])

    table = build(con, "yield_spillover_daily")

    ust_chg = {d: (v - p) * 100 for (_, p), (d, v) in zip(ust_rows, ust_rows[1:], strict=False)}
    jgb_chg = {d: (v - p) * 100 for (_, p), (d, v) in zip(jgb_rows, jgb_rows[1:], strict=False)}
    jgb_days = [d for d, _ in jgb_rows]
    same = [(d, ust_chg[d], jgb_chg[d]) for d in sorted(ust_chg) if d in jgb_chg]
    previous_day = {d: max((j for j in jgb_days if j < d), default=None) for d in ust_chg}
    nxt = [
        (d, ust_chg[d], jgb_chg[p]) for d in sorted(ust_chg) if (p := previous_day[d]) in jgb_chg
    ]
    rows = by(table, "date")
    for pairs, column, n in ((same, "beta_same_day", 250), (same, "beta_same_day", 60),
                             (nxt, "beta_next_day", 250), (nxt, "beta_next_day", 60)):
        assert rows[pairs[n - 2][0]][f"{column}_{n}d"] is None  # one pair short of a window
        for end in (n - 1, len(pairs) - 1):
            window = pairs[end - n + 1 : end + 1]
            expected = _slope([u for _, u, _ in window], [j for _, _, j in window])
            assert rows[pairs[end][0]][f"{column}_{n}d"] == pytest.approx(expected, abs=1e-9)
    assert rows[same[-1][0]]["beta_same_day_250d"] == pytest.approx(0.8, abs=0.2)
