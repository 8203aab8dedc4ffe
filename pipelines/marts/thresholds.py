"""Threshold levels for marts.threshold_events: a readable YAML file, checked, then a table.

The levels live in `sql/marts/thresholds.yaml` so an analyst can add one without touching SQL.
Every indicator named there must be in the catalogue of `sql/marts/indicator_series.sql`, the
one list of indicators (read here from its `catalogue:begin` .. `catalogue:end` lines), and
its unit must agree: a level written in percent is never compared with basis points.

The file is validated by the pydantic models `IndicatorEntry` and `LevelEntry`, each problem
reported in one line naming the file and the indicator.

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
from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
)

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


class _Hysteresis(BaseModel):
    """The hysteresis keys an indicator sets for its levels and a level may override."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rearm_band: float | None = None
    min_observations: int | None = None
    confirm_after: int | None = None

    @field_validator("rearm_band", mode="before")
    @classmethod
    def _band(cls, value: Any) -> float | None:
        return None if value is None else _band(value)

    @field_validator("min_observations", "confirm_after", mode="before")
    @classmethod
    def _count(cls, value: Any, info: ValidationInfo) -> int | None:
        return None if value is None else _count(value, info.field_name or "")


class LevelEntry(_Hysteresis):
    """One level: a bare number in the YAML, or a mapping that overrides the hysteresis."""

    level: float

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> float:
        if not _number(value):
            raise ValueError(f"level {value!r} is not a finite number")
        return float(value)


class IndicatorEntry(_Hysteresis):
    """`indicators.<name>` in thresholds.yaml: its levels and their default hysteresis."""

    unit: str | None = None
    levels: tuple[LevelEntry, ...]

    @field_validator("levels", mode="before")
    @classmethod
    def _levels(cls, value: Any) -> Any:
        if not isinstance(value, list) or not value:
            raise ValueError("'levels' must be a non-empty list of numbers")
        return [item if isinstance(item, dict) else {"level": item} for item in value]


_ENTRY_SHAPE = ("expected keys 'levels' and 'rearm_band', optionally 'unit', 'min_observations'"
                " and 'confirm_after'")


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


def _band(value: Any) -> float:
    if not _number(value) or value < 0:
        raise ValueError(f"rearm_band {value!r} must be a number >= 0, in the indicator's unit")
    return float(value)


def _count(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} {value!r} must be a whole number >= 1")
    return value


def _validated(entry: Any) -> IndicatorEntry:
    """The entry as a model, or ValueError with the first problem in one line."""
    if not isinstance(entry, dict):
        raise ValueError(_ENTRY_SHAPE)
    try:
        return IndicatorEntry.model_validate(entry)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = first["loc"]
        if first["type"] == "value_error":
            raise ValueError(str(first["ctx"]["error"])) from None
        if loc[:1] == ("levels",) and len(loc) > 1:
            item = entry["levels"][loc[1]]
            raise ValueError("a level is a number or {level, rearm_band, min_observations,"
                             f" confirm_after}}, not {item!r}") from None
        raise ValueError(_ENTRY_SHAPE) from None


def _entry_levels(
    indicator: Any, entry: Any, where: str, catalogue: dict[str, Indicator]
) -> list[ThresholdLevel]:
    source = catalogue.get(indicator) if isinstance(indicator, str) else None
    if source is None:
        raise ThresholdConfigError(
            f"{where}: unknown indicator; marts.indicator_series knows"
            f" {', '.join(sorted(catalogue))}"
        )
    try:
        model = _validated(entry)
    except ValueError as exc:
        raise ThresholdConfigError(f"{where}: {exc}") from None
    unit = source.unit if model.unit is None else model.unit
    if unit != source.unit:
        raise ThresholdConfigError(f"{where}: unit {unit!r}, but {indicator} is in {source.unit}")
    out: list[ThresholdLevel] = []
    for spec in model.levels:
        band = spec.rearm_band if spec.rearm_band is not None else model.rearm_band
        if band is None:
            raise ThresholdConfigError(
                f"{where}: level {spec.level:g}: no rearm_band (the hysteresis band, in {unit});"
                " set it for the indicator or the level (0 turns hysteresis off)")
        out.append(ThresholdLevel(
            indicator, spec.level, unit, band,
            _first(spec.min_observations, model.min_observations, DEFAULT_MIN_OBSERVATIONS),
            _first(spec.confirm_after, model.confirm_after, DEFAULT_CONFIRM_AFTER),
            source.source,
        ))
    thresholds = [lv.threshold for lv in out]
    if len(set(thresholds)) != len(thresholds):
        raise ThresholdConfigError(f"{where}: levels repeat: {thresholds}")
    return out


def _first(*values: int | None) -> int:
    return next(v for v in values if v is not None)


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
