"""Threshold levels for marts.threshold_events: a readable YAML file, checked, then a table.

The levels live in `sql/marts/thresholds.yaml` so an analyst can add one without touching SQL.
The SQL can only compare an indicator it has a series for, so every indicator named in the
file must be in INDICATORS (kept in step with `threshold_events.sql` by a test), and its unit
must agree: a level written in percent is never compared with basis points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from pipelines.lib.errors import PipelineError

THRESHOLDS_PATH = Path(__file__).resolve().parents[2] / "sql" / "marts" / "thresholds.yaml"
LEVELS_TABLE = "marts.threshold_levels"  # written here, read by threshold_events.sql


@dataclass(frozen=True)
class IndicatorSource:
    unit: str
    source_table: str
    source_column: str


# The series threshold_events.sql builds for each indicator.
INDICATORS: dict[str, IndicatorSource] = {
    "jgb_10y_pct": IndicatorSource("pct", "staging.jgb_yields", "yield_pct (tenor_years = 10)"),
    "jgb_30y_pct": IndicatorSource("pct", "staging.jgb_yields", "yield_pct (tenor_years = 30)"),
    "ust_10y_pct": IndicatorSource("pct", "staging.fred_observations", "value (DGS10)"),
    "usdjpy": IndicatorSource("yen_per_usd", "staging.fred_observations", "value (DEXJPUS)"),
    "spread_2y_bp": IndicatorSource("bp", "marts.yield_spreads_daily", "spread_2y_bp"),
    "spread_10y_bp": IndicatorSource("bp", "marts.yield_spreads_daily", "spread_10y_bp"),
    "spread_30y_bp": IndicatorSource("bp", "marts.yield_spreads_daily", "spread_30y_bp"),
    "spread_10y_zscore": IndicatorSource("zscore", "marts.yield_spreads_daily",
                                         "spread_10y_zscore"),
    "hedged_pickup_bp": IndicatorSource("bp", "marts.fx_hedged_yields_monthly",
                                        "hedged_pickup_bp"),
}
_ENTRY_KEYS = frozenset({"unit", "levels"})


class ThresholdConfigError(PipelineError):
    """thresholds.yaml does not have the expected shape; the message names the file and entry."""


@dataclass(frozen=True)
class ThresholdLevel:
    indicator: str
    threshold: float
    unit: str
    source_table: str
    source_column: str


def load_thresholds(path: Path | None = None) -> tuple[ThresholdLevel, ...]:
    """Read and check the YAML; levels sorted by indicator then threshold."""
    path = path or THRESHOLDS_PATH
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ThresholdConfigError(f"{path}: cannot read threshold levels: {exc}") from None
    return parse_thresholds(document, str(path))


def parse_thresholds(document: Any, where: str = "thresholds") -> tuple[ThresholdLevel, ...]:
    """Check a loaded document of the form {indicators: {name: {unit, levels: [..]}}}."""
    entries = document.get("indicators") if isinstance(document, dict) else None
    if not isinstance(entries, dict):
        raise ThresholdConfigError(f"{where}: expected a mapping 'indicators: {{name: ...}}'")
    levels: list[ThresholdLevel] = []
    for indicator, entry in entries.items():
        levels.extend(_entry_levels(indicator, entry, f"{where}: indicators.{indicator}"))
    return tuple(sorted(levels, key=lambda level: (level.indicator, level.threshold)))


def _entry_levels(indicator: Any, entry: Any, where: str) -> list[ThresholdLevel]:
    source = INDICATORS.get(indicator) if isinstance(indicator, str) else None
    if source is None:
        raise ThresholdConfigError(
            f"{where}: unknown indicator; threshold_events knows {', '.join(sorted(INDICATORS))}"
        )
    if not isinstance(entry, dict) or set(entry) - _ENTRY_KEYS or "levels" not in entry:
        raise ThresholdConfigError(f"{where}: expected keys 'levels' and optionally 'unit'")
    unit = entry.get("unit", source.unit)
    if unit != source.unit:
        raise ThresholdConfigError(f"{where}: unit {unit!r}, but {indicator} is in {source.unit}")
    values = entry["levels"]
    if not isinstance(values, list) or not values:
        raise ThresholdConfigError(f"{where}: 'levels' must be a non-empty list of numbers")
    for value in values:
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if not is_number or not math.isfinite(value):
            raise ThresholdConfigError(f"{where}: level {value!r} is not a finite number")
    if len(set(values)) != len(values):
        raise ThresholdConfigError(f"{where}: levels repeat: {values}")
    return [
        ThresholdLevel(indicator, float(v), unit, source.source_table, source.source_column)
        for v in values
    ]


def write_threshold_levels(
    con: duckdb.DuckDBPyConnection, levels: tuple[ThresholdLevel, ...]
) -> None:
    """Replace marts.threshold_levels with `levels` (the SQL joins it; it never reads YAML)."""
    con.execute(
        """
        CREATE OR REPLACE TABLE marts.threshold_levels (
            indicator VARCHAR NOT NULL,
            threshold DOUBLE NOT NULL,
            unit VARCHAR NOT NULL,
            source_table VARCHAR NOT NULL,
            source_column VARCHAR NOT NULL,
            PRIMARY KEY (indicator, threshold)
        );
        COMMENT ON TABLE marts.threshold_levels IS 'Levels whose crossings marts.threshold_events
 reports, loaded from sql/marts/thresholds.yaml before each build; edit the YAML, not this.';
        COMMENT ON COLUMN marts.threshold_levels.indicator IS 'Indicator name';
        COMMENT ON COLUMN marts.threshold_levels.threshold IS 'The level, in unit';
        COMMENT ON COLUMN marts.threshold_levels.unit IS 'pct, bp, yen_per_usd or zscore';
        COMMENT ON COLUMN marts.threshold_levels.source_table IS 'Table the indicator is read from';
        COMMENT ON COLUMN marts.threshold_levels.source_column IS 'Column (and filter) read';
        """
    )
    if not levels:
        return
    con.executemany(
        "INSERT INTO marts.threshold_levels VALUES (?, ?, ?, ?, ?)",
        [
            (lv.indicator, lv.threshold, lv.unit, lv.source_table, lv.source_column)
            for lv in levels
        ],
    )
