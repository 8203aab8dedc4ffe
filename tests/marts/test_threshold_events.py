"""marts.threshold_events: hysteresis on constructed series, and the thresholds.yaml behind it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from pipelines.marts.build import SQL_DIR
from pipelines.marts.thresholds import (
    ThresholdConfigError,
    indicator_catalogue,
    load_thresholds,
    parse_thresholds,
)
from tests.marts import hysteresis_reference as ref
from tests.marts.staging_rows import add_fred, add_jgb, build, rows, staging_connection


def _events(table: list[dict]) -> list[tuple]:
    return [(r["date"], r["indicator"], r["threshold"], r["direction"]) for r in table]


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "thresholds.yaml"
    path.write_text(text)
    return path


def _business_days(start: date, n: int) -> list[date]:
    days, day = [], start
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _jgb_events(values: list[float], tmp_path: Path, yaml_entry: str,
               start: date = date(2026, 11, 2)) -> list[dict]:
    con = staging_connection()
    days = _business_days(start, len(values))
    add_jgb(con, [(d, {10: v}) for d, v in zip(days, values, strict=True)])
    config = _config(tmp_path, f"indicators:\n  jgb_10y_pct: {yaml_entry}\n")
    return build(con, "threshold_events", thresholds_path=config)


def test_the_demo_wiggle_around_two_percent_gives_no_alert_storm(tmp_path: Path) -> None:
    """Up 2.008, down 1.998, up 2.010, down 1.961: four events before, none now."""
    wiggle = [1.95, 2.008, 1.998, 2.010, 1.961, 1.97, 1.99]
    assert len(ref.raw_crossings(list(enumerate(wiggle)), 2.0)) == 4
    table = _jgb_events(wiggle, tmp_path, "{rearm_band: 0.05, levels: [2.0]}")
    assert table == []


def test_a_crossing_counts_once_beyond_the_band_dated_on_its_first_day(tmp_path: Path) -> None:
    values = [1.95, 2.008, 1.998, 2.010, 2.03, 2.06, 2.04, 1.99, 1.96, 1.94, 1.93]
    days = _business_days(date(2026, 11, 2), len(values))
    table = _jgb_events(values, tmp_path, "{rearm_band: 0.05, levels: [2.0]}")
    assert [(r["date"], r["direction"], r["confirmed_on"], r["value"], r["confirmed_value"])
            for r in table] == [
        (days[3], "up", days[5], 2.010, 2.06),  # the run that reached 2.05, from its start
        (days[7], "down", days[9], 1.99, 1.94),  # back below 1.95: re-armed and fired down
    ]
    up = table[0]
    assert (up["value_before"], up["date_before"], up["observations_to_confirm"]) == (
        1.998, days[2], 3)
    assert (up["rearm_band"], up["unit"], up["is_provisional"]) == (0.05, "pct", False)


def test_a_lasting_crossing_inside_the_band_is_never_dropped(tmp_path: Path) -> None:
    """20 business days on the new side count even if the value never leaves the band."""
    values = [1.98] + [2.01] * 19 + [1.99] + [2.02] * 20
    days = _business_days(date(2026, 11, 2), len(values))
    table = _jgb_events(values, tmp_path, "{rearm_band: 0.05, levels: [2.0]}")
    assert [(r["date"], r["direction"], r["confirmed_on"]) for r in table] == [
        (days[21], "up", days[40])]  # 19 days were not enough; the next 20 were
    assert ref.lasting_crossings(list(zip(days, values, strict=True)), 2.0) == [(days[21], "up")]


def test_how_a_crossing_was_confirmed_is_recorded(tmp_path: Path) -> None:
    """A crossing held inside the band confirms by the count, one beyond it by the band."""
    values = [1.98] + [2.01] * 20 + [2.2, 1.9]
    days = _business_days(date(2026, 11, 2), len(values))
    table = _jgb_events(values, tmp_path, "{rearm_band: 0.05, levels: [2.0]}")
    assert [(r["date"], r["confirmed_on"], r["observations_to_confirm"], r["confirmed_by"])
            for r in table] == [(days[1], days[20], 20, "observations"),
                                (days[22], days[22], 1, "band")]


def test_min_observations_on_the_new_side(tmp_path: Path) -> None:
    values = [1.9, 2.2, 2.2, 1.9, 2.2, 2.2, 2.2, 2.2]
    days = _business_days(date(2026, 11, 2), len(values))
    table = _jgb_events(values, tmp_path,
                        "{levels: [{level: 2.0, rearm_band: 0.05, min_observations: 3}]}")
    assert [(r["date"], r["confirmed_on"]) for r in table] == [(days[4], days[6])]


def test_band_zero_reports_every_crossing_and_a_jump_crosses_every_level(tmp_path: Path) -> None:
    values = [0.45, 0.50, 0.52, 0.49, 0.49, 0.20, 0.80]
    days = _business_days(date(2024, 3, 1), len(values))
    table = _jgb_events(values, tmp_path, "{rearm_band: 0, levels: [0.25, 0.5, 0.75]}",
                        start=date(2024, 3, 1))
    assert _events(table) == [
        (days[1], "jgb_10y_pct", 0.5, "up"),  # reaching the level counts as up
        (days[3], "jgb_10y_pct", 0.5, "down"),
        (days[5], "jgb_10y_pct", 0.25, "down"),
        (days[6], "jgb_10y_pct", 0.25, "up"),
        (days[6], "jgb_10y_pct", 0.5, "up"),
        (days[6], "jgb_10y_pct", 0.75, "up"),
    ]


def test_the_sql_agrees_with_the_plain_python_rule_on_a_random_walk(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    value, values = 1.0, []
    for _ in range(1500):
        value = round(value + rng.gauss(0, 0.02), 3)
        values.append(value)
    days = _business_days(date(2015, 1, 1), len(values))
    levels = (0.9, 1.0, 1.1)
    table = _jgb_events(values, tmp_path, "{rearm_band: 0.03, min_observations: 2,"
                                          " confirm_after: 10, levels: [0.9, 1.0, 1.1]}",
                        start=date(2015, 1, 1))
    series = list(zip(days, values, strict=True))
    for level in levels:
        expected = ref.events(series, level, 0.03, 2, 10)
        got = [(r["date"], r["direction"], r["confirmed_on"]) for r in table
               if r["threshold"] == level]
        assert got == expected
        assert len(got) < len(ref.raw_crossings(series, level))


def test_events_on_provisional_values_say_so(tmp_path: Path) -> None:
    con = staging_connection()
    # January final (OECD published it), February provisional (JPY leg carried from January).
    add_fred(con, "DGS10", [("2025-01-06", 4.0), ("2025-01-31", 4.0), ("2025-02-03", 4.0),
                            ("2025-02-28", 4.0)])
    add_fred(con, "DGS3MO", [("2025-01-06", 4.0), ("2025-02-03", 3.0)])
    add_fred(con, "IR3TIB01JPM156N", [("2025-01-01", 0.5)])
    add_jgb(con, [("2025-01-06", {10: 1.0}), ("2025-01-31", {10: 1.0}),
                  ("2025-02-03", {10: 1.0}), ("2025-02-28", {10: 1.0})])
    config = _config(tmp_path, "indicators:\n  hedged_pickup_bp: {rearm_band: 10,"
                               " levels: [0]}\n")
    (event,) = build(con, "threshold_events", thresholds_path=config)
    # January: 4.0 - (4.0 - 0.5) - 1.0 = -0.5% = -50 bp; February: 4.0 - 2.5 - 1.0 = +50 bp
    assert (event["date"], event["direction"], event["value"]) == (date(2025, 2, 1), "up", 50.0)
    assert event["is_provisional"] is True
    assert event["input_as_of"] == date(2025, 1, 1)


def test_levels_come_from_the_yaml_given(tmp_path: Path) -> None:
    config = _config(tmp_path, "indicators:\n  spread_10y_bp: {unit: bp, rearm_band: 0,"
                               " levels: [300]}\n  usdjpy: {rearm_band: 0.5, levels: [150]}\n")
    con = staging_connection()
    for day, ust, jgb, fx in (("2024-01-02", 3.9, 0.6, 149.0), ("2024-01-03", 3.7, 0.8, 151.0)):
        add_fred(con, "DGS10", [(day, ust)])
        add_fred(con, "DEXJPUS", [(day, fx)])
        add_jgb(con, [(day, {10: jgb})])

    table = build(con, "threshold_events", thresholds_path=config)

    assert _events(table) == [
        (date(2024, 1, 3), "spread_10y_bp", 300.0, "down"),
        (date(2024, 1, 3), "usdjpy", 150.0, "up"),
    ]
    assert [(r["indicator"], r["rearm_band"]) for r in rows(con, "marts.threshold_levels")] == [
        ("spread_10y_bp", 0.0), ("usdjpy", 0.5)]


def test_default_yaml_has_the_agreed_levels_and_bands() -> None:
    levels = {(lv.indicator, lv.threshold, lv.rearm_band) for lv in load_thresholds()}
    assert levels == {
        *(("jgb_10y_pct", x, 0.05) for x in (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)),
        *(("spread_10y_bp", x, 10.0) for x in (300.0, 350.0, 400.0)),
        ("hedged_pickup_bp", 0.0, 10.0),
    }


def test_the_catalogue_is_the_one_list_and_every_indicator_has_a_series() -> None:
    catalogue = indicator_catalogue()
    assert len(catalogue) == 21
    series_sql = (SQL_DIR / "indicator_series.sql").read_text()
    for name in catalogue:
        assert f"SELECT '{name}'" in series_sql, name
    for other in ("latest_indicators.sql", "threshold_events.sql"):
        text = (SQL_DIR / other).read_text()
        assert "'jgb_10y_pct'" not in text and "'spread_10y_bp'" not in text  # no second list


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"levels": []}, "expected a mapping"),
        ({"indicators": {"jgb_11y_pct": {"rearm_band": 0, "levels": [1]}}}, "unknown indicator"),
        ({"indicators": {"jgb_10y_pct": {"unit": "bp", "rearm_band": 0, "levels": [1]}}},
         "is in pct"),
        ({"indicators": {"jgb_10y_pct": {"rearm_band": 0, "levels": []}}}, "non-empty list"),
        ({"indicators": {"jgb_10y_pct": {"rearm_band": 0, "levels": ["1%"]}}},
         "not a finite number"),
        ({"indicators": {"jgb_10y_pct": {"rearm_band": 0, "levels": [True]}}},
         "not a finite number"),
        ({"indicators": {"jgb_10y_pct": {"rearm_band": 0, "levels": [1, 1.0]}}}, "repeat"),
        ({"indicators": {"jgb_10y_pct": {"level": [1]}}}, "expected keys"),
        ({"indicators": {"jgb_10y_pct": {"levels": [1]}}}, "no rearm_band"),
        ({"indicators": {"jgb_10y_pct": {"rearm_band": -1, "levels": [1]}}}, ">= 0"),
        ({"indicators": {"jgb_10y_pct": {"rearm_band": 0, "min_observations": 0,
                                         "levels": [1]}}}, "whole number"),
    ],
)
def test_bad_config_is_rejected_with_a_reason(document: object, message: str) -> None:
    with pytest.raises(ThresholdConfigError, match=message):
        parse_thresholds(document)
