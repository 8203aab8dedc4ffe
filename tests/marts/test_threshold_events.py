"""marts.threshold_events and the thresholds.yaml it is configured by."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipelines.marts.build import SQL_DIR
from pipelines.marts.thresholds import (
    INDICATORS,
    ThresholdConfigError,
    load_thresholds,
    parse_thresholds,
)
from tests.marts.staging_rows import add_fred, add_jgb, build, rows, staging_connection


def _events(table: list[dict]) -> list[tuple]:
    return [(r["date"], r["indicator"], r["threshold"], r["direction"]) for r in table]


def test_up_then_back_down_gives_two_events_and_a_jump_crosses_every_level() -> None:
    con = staging_connection()
    jgb_10y = {"2024-03-01": 0.45, "2024-03-04": 0.50, "2024-03-05": 0.52, "2024-03-06": 0.49,
               "2024-03-07": 0.49, "2024-03-08": 0.20, "2024-03-11": 0.80}
    add_jgb(con, [(d, {10: v}) for d, v in jgb_10y.items()])

    table = build(con, "threshold_events")

    assert _events(table) == [
        (date(2024, 3, 4), "jgb_10y_pct", 0.5, "up"),  # reaching the level counts as up
        (date(2024, 3, 6), "jgb_10y_pct", 0.5, "down"),
        (date(2024, 3, 8), "jgb_10y_pct", 0.25, "down"),
        (date(2024, 3, 11), "jgb_10y_pct", 0.25, "up"),
        (date(2024, 3, 11), "jgb_10y_pct", 0.5, "up"),
        (date(2024, 3, 11), "jgb_10y_pct", 0.75, "up"),
    ]
    down = table[1]
    assert (down["value"], down["value_before"], down["date_before"], down["unit"]) == (
        0.49, 0.52, date(2024, 3, 5), "pct")


def test_levels_come_from_the_yaml_given(tmp_path: Path) -> None:
    config = tmp_path / "thresholds.yaml"
    config.write_text("indicators:\n  spread_10y_bp: {unit: bp, levels: [300]}\n"
                      "  usdjpy: {levels: [150]}\n")
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
    assert [r["indicator"] for r in rows(con, "marts.threshold_levels")] == [
        "spread_10y_bp", "usdjpy"]


def test_default_yaml_has_the_agreed_levels() -> None:
    levels = {(lv.indicator, lv.threshold) for lv in load_thresholds()}
    assert levels == {
        *(("jgb_10y_pct", x) for x in (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)),
        *(("spread_10y_bp", x) for x in (300.0, 350.0, 400.0)),
        ("hedged_pickup_bp", 0.0),
    }


def test_every_known_indicator_has_a_series_in_the_sql() -> None:
    sql = (SQL_DIR / "threshold_events.sql").read_text()
    for indicator, source in INDICATORS.items():
        assert f"'{indicator}'" in sql
        assert source.source_table in sql


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"levels": []}, "expected a mapping"),
        ({"indicators": {"jgb_11y_pct": {"levels": [1]}}}, "unknown indicator"),
        ({"indicators": {"jgb_10y_pct": {"unit": "bp", "levels": [1]}}}, "is in pct"),
        ({"indicators": {"jgb_10y_pct": {"levels": []}}}, "non-empty list"),
        ({"indicators": {"jgb_10y_pct": {"levels": ["1%"]}}}, "not a finite number"),
        ({"indicators": {"jgb_10y_pct": {"levels": [True]}}}, "not a finite number"),
        ({"indicators": {"jgb_10y_pct": {"levels": [1, 1.0]}}}, "repeat"),
        ({"indicators": {"jgb_10y_pct": {"level": [1]}}}, "expected keys"),
    ],
)
def test_bad_config_is_rejected_with_a_reason(document: object, message: str) -> None:
    with pytest.raises(ThresholdConfigError, match=message):
        parse_thresholds(document)
