"""Threshold levels for marts.threshold_events: a readable YAML file, checked, then a table.

The levels live in `sql/marts/thresholds.yaml` so an analyst can add one without touching SQL.
Every indicator named there must be in the catalogue of `sql/marts/indicator_series.sql`, the
one list of indicators (read here from its `catalogue:begin` .. `catalogue:end` lines), and
its unit must agree: a level written in percent is never compared with basis points.

Each level carries its hysteresis (see threshold_events.sql): `rearm_band`, in the indicator's
unit, how far beyond the level the value must go before a crossing counts;
`min_observations`, how many observations on the new side it needs at least; and
`confirm_after`, the number of observations on the new side after which a crossing counts
even inside the band, so that no lasting crossing is ever dropped. Set them per indicator, or
per level with `{level: 1.5, rearm_band: 0.1}`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import yaml

from pipelines.lib.errors import PipelineError

SQL_DIR = Path(__file__).resolve().parents[2] / "sql" / "marts"
THRESHOLDS_PATH = SQL_DIR / "thresholds.yaml"
CATALOGUE_SQL = SQL_DIR / "indicator_series.sql"
LEVELS_TABLE = "marts.threshold_levels"  # written here, read by threshold_events.sql
DEFAULT_MIN_OBSERVATIONS = 1
DEFAULT_CONFIRM_AFTER = 20  # observations: 20 business days for a daily series

_CATALOGUE_ROW = re.compile(
    r"^\s*\(\s*(\d+)\s*,\s*'([a-z0-9_]+)'\s*,\s*'([a-z_0-9]+)'\s*,\s*'(daily|weekly|monthly)'"
    r"\s*,\s*'((?:[^']|'')*)'\s*\)\s*,?\s*$"
)


@dataclass(frozen=True)
class Indicator:
    indicator: str
    unit: str
    frequency: str
    source: str


def indicator_catalogue(path: Path | None = None) -> dict[str, Indicator]:
    """Indicator name -> its catalogue row in indicator_series.sql (the one list)."""
    path = path or CATALOGUE_SQL
    text = path.read_text(encoding="utf-8")
    try:
        block = text.split("-- catalogue:begin", 1)[1].split("-- catalogue:end", 1)[0]
    except IndexError:
        raise ThresholdConfigError(
            f"{path}: no '-- catalogue:begin' .. '-- catalogue:end' block") from None
    found: dict[str, Indicator] = {}
    for line in block.splitlines()[1:]:
        match = _CATALOGUE_ROW.match(line)
        if match:
            _, name, unit, frequency, source = match.groups()
            found[name] = Indicator(name, unit, frequency, source.replace("''", "'"))
    if not found:
        raise ThresholdConfigError(f"{path}: the catalogue block lists no indicator")
    return found


class ThresholdConfigError(PipelineError):
    """thresholds.yaml does not have the expected shape; the message names the file and entry."""


@dataclass(frozen=True)
class ThresholdLevel:
    indicator: str
    threshold: float
    unit: str
    rearm_band: float
    min_observations: int
    confirm_after: int
    source: str


_ENTRY_KEYS = frozenset({"unit", "levels", "rearm_band", "min_observations", "confirm_after"})
_LEVEL_KEYS = frozenset({"level", "rearm_band", "min_observations", "confirm_after"})


def load_thresholds(path: Path | None = None) -> tuple[ThresholdLevel, ...]:
    """Read and check the YAML; levels sorted by indicator then threshold."""
    path = path or THRESHOLDS_PATH
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ThresholdConfigError(f"{path}: cannot read threshold levels: {exc}") from None
    return parse_thresholds(document, str(path))


def parse_thresholds(document: Any, where: str = "thresholds") -> tuple[ThresholdLevel, ...]:
    """Check a document {indicators: {name: {unit, rearm_band, levels: [..], ...}}}."""
    entries = document.get("indicators") if isinstance(document, dict) else None
    if not isinstance(entries, dict):
        raise ThresholdConfigError(f"{where}: expected a mapping 'indicators: {{name: ...}}'")
    catalogue = indicator_catalogue()
    levels: list[ThresholdLevel] = []
    for indicator, entry in entries.items():
        levels.extend(
            _entry_levels(indicator, entry, f"{where}: indicators.{indicator}", catalogue))
    return tuple(sorted(levels, key=lambda level: (level.indicator, level.threshold)))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _band(value: Any, where: str) -> float:
    if not _number(value) or value < 0:
        raise ThresholdConfigError(
            f"{where}: rearm_band {value!r} must be a number >= 0, in the indicator's unit")
    return float(value)


def _count(value: Any, name: str, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ThresholdConfigError(f"{where}: {name} {value!r} must be a whole number >= 1")
    return value


def _entry_levels(
    indicator: Any, entry: Any, where: str, catalogue: dict[str, Indicator]
) -> list[ThresholdLevel]:
    source = catalogue.get(indicator) if isinstance(indicator, str) else None
    if source is None:
        raise ThresholdConfigError(
            f"{where}: unknown indicator; marts.indicator_series knows"
            f" {', '.join(sorted(catalogue))}"
        )
    if not isinstance(entry, dict) or set(entry) - _ENTRY_KEYS or "levels" not in entry:
        raise ThresholdConfigError(
            f"{where}: expected keys 'levels' and 'rearm_band', optionally 'unit',"
            " 'min_observations' and 'confirm_after'")
    unit = entry.get("unit", source.unit)
    if unit != source.unit:
        raise ThresholdConfigError(f"{where}: unit {unit!r}, but {indicator} is in {source.unit}")
    values = entry["levels"]
    if not isinstance(values, list) or not values:
        raise ThresholdConfigError(f"{where}: 'levels' must be a non-empty list of numbers")
    out: list[ThresholdLevel] = []
    for item in values:
        spec = item if isinstance(item, dict) else {"level": item}
        if set(spec) - _LEVEL_KEYS or "level" not in spec:
            raise ThresholdConfigError(
                f"{where}: a level is a number or {{level, rearm_band, min_observations,"
                f" confirm_after}}, not {item!r}")
        level = spec["level"]
        if not _number(level):
            raise ThresholdConfigError(f"{where}: level {level!r} is not a finite number")
        if "rearm_band" not in spec and "rearm_band" not in entry:
            raise ThresholdConfigError(
                f"{where}: level {level}: no rearm_band (the hysteresis band, in {unit});"
                " set it for the indicator or the level (0 turns hysteresis off)")
        out.append(ThresholdLevel(
            indicator, float(level), unit,
            _band(spec.get("rearm_band", entry.get("rearm_band")), where),
            _count(spec.get("min_observations",
                            entry.get("min_observations", DEFAULT_MIN_OBSERVATIONS)),
                   "min_observations", where),
            _count(spec.get("confirm_after", entry.get("confirm_after", DEFAULT_CONFIRM_AFTER)),
                   "confirm_after", where),
            source.source,
        ))
    thresholds = [lv.threshold for lv in out]
    if len(set(thresholds)) != len(thresholds):
        raise ThresholdConfigError(f"{where}: levels repeat: {thresholds}")
    return out


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
            rearm_band DOUBLE NOT NULL,
            min_observations INTEGER NOT NULL,
            confirm_after INTEGER NOT NULL,
            source VARCHAR NOT NULL,
            PRIMARY KEY (indicator, threshold)
        );
        COMMENT ON TABLE marts.threshold_levels IS 'Levels whose crossings marts.threshold_events
 reports, with their hysteresis, loaded from sql/marts/thresholds.yaml before each build; edit
 the YAML, not this.';
        COMMENT ON COLUMN marts.threshold_levels.indicator IS 'Indicator name
 (marts.indicator_series)';
        COMMENT ON COLUMN marts.threshold_levels.threshold IS 'The level, in unit';
        COMMENT ON COLUMN marts.threshold_levels.unit IS 'Unit of the indicator, threshold and
 rearm_band';
        COMMENT ON COLUMN marts.threshold_levels.rearm_band IS 'Hysteresis band, in unit: a
 crossing counts once the value has gone this far beyond the level on the new side (or has
 stayed there confirm_after observations)';
        COMMENT ON COLUMN marts.threshold_levels.min_observations IS 'Observations on the new
 side a crossing needs at least before it counts';
        COMMENT ON COLUMN marts.threshold_levels.confirm_after IS 'Observations on the new side
 after which a crossing counts even inside the band (a lasting crossing is never dropped)';
        COMMENT ON COLUMN marts.threshold_levels.source IS 'Where the indicator comes from';
        """
    )
    if not levels:
        return
    con.executemany(
        "INSERT INTO marts.threshold_levels VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (lv.indicator, lv.threshold, lv.unit, lv.rearm_band, lv.min_observations,
             lv.confirm_after, lv.source)
            for lv in levels
        ],
    )
