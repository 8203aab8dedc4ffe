"""The FRED series catalogue: which series we ingest, in which unit, and how to check them.

The catalogue is YAML so an analyst can add a series without reading code; this module makes
a typo fail at load time, naming the entry, instead of at 3 a.m. inside a fetch.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from pipelines.sources.fred.units import usd_bn_scale_for_units

DEFAULT_CATALOGUE = Path(__file__).with_name("catalogue.yaml")

Frequency = Literal["daily", "weekly", "monthly"]
FREQUENCIES: tuple[str, ...] = get_args(Frequency)

_SERIES_ID = re.compile(r"^[A-Z0-9_]{1,64}$")
_REQUIRED = (
    "id",
    "title",
    "purpose",
    "units",
    "frequency",
    "min",
    "max",
    "revision_window_days",
    "start",
)
_OPTIONAL = ("usd_bn_scale",)


@dataclass(frozen=True)
class SeriesSpec:
    """One catalogue entry. `min`/`max` bound every value, in `units`."""

    id: str
    title: str
    purpose: str
    units: str
    frequency: Frequency
    min: float
    max: float
    revision_window_days: int
    start: date
    usd_bn_scale: float | None = None


def validate_series_id(series_id: object) -> str:
    """Return `series_id` if it is a plausible FRED id, else raise ValueError.

    Ids end up in URLs, file names and SQL literals, so only `[A-Z0-9_]{1,64}` is let through.
    """
    if not isinstance(series_id, str) or not _SERIES_ID.fullmatch(series_id):
        raise ValueError(f"invalid FRED series id {series_id!r}: expected ^[A-Z0-9_]{{1,64}}$")
    return series_id


def load_catalogue(path: Path | str | None = None) -> tuple[SeriesSpec, ...]:
    """Read and validate the catalogue (default: catalogue.yaml beside this module)."""
    source = Path(path) if path is not None else DEFAULT_CATALOGUE
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or not isinstance(document.get("series"), list):
        raise ValueError(f"{source}: expected a mapping with a 'series' list")
    specs = tuple(
        _spec_from_entry(entry, f"{source}: series[{index}]")
        for index, entry in enumerate(document["series"])
    )
    _reject_duplicates(specs, source)
    return specs


def _reject_duplicates(specs: tuple[SeriesSpec, ...], source: Path) -> None:
    seen: set[str] = set()
    for spec in specs:
        if spec.id in seen:
            raise ValueError(f"{source}: series {spec.id} is listed twice")
        seen.add(spec.id)


def _spec_from_entry(entry: Any, where: str) -> SeriesSpec:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a mapping, got {type(entry).__name__}")
    if "id" in entry:
        try:
            validate_series_id(entry["id"])
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        where = f"{where} ({entry['id']})"
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    missing = [key for key in _REQUIRED if key not in entry]
    if unknown or missing:
        raise ValueError(f"{where}: unknown keys {unknown}, missing keys {missing}")
    spec = SeriesSpec(
        id=entry["id"],
        title=_text(entry, "title", where),
        purpose=_text(entry, "purpose", where),
        units=_text(entry, "units", where),
        frequency=_frequency(entry, where),
        min=_number(entry, "min", where),
        max=_number(entry, "max", where),
        revision_window_days=_positive_int(entry, "revision_window_days", where),
        start=_date(entry, "start", where),
        usd_bn_scale=_number(entry, "usd_bn_scale", where) if "usd_bn_scale" in entry else None,
    )
    _check_consistency(spec, where)
    return spec


def _check_consistency(spec: SeriesSpec, where: str) -> None:
    if not spec.min < spec.max:
        raise ValueError(f"{where}: min {spec.min:g} must be below max {spec.max:g}")
    expected = usd_bn_scale_for_units(spec.units)
    if spec.usd_bn_scale != expected:
        hint = "omit it" if expected is None else f"use {expected:g}"
        raise ValueError(
            f"{where}: usd_bn_scale {spec.usd_bn_scale} does not match units {spec.units!r}: {hint}"
        )


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key} must be non-empty text, got {value!r}")
    return value.strip()


def _number(entry: dict[str, Any], key: str, where: str) -> float:
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{where}: {key} must be a finite number, got {value!r}")
    return float(value)


def _positive_int(entry: dict[str, Any], key: str, where: str) -> int:
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{where}: {key} must be a positive whole number, got {value!r}")
    return value


def _frequency(entry: dict[str, Any], where: str) -> Frequency:
    value = entry["frequency"]
    if value not in FREQUENCIES:
        raise ValueError(f"{where}: frequency {value!r} is not one of {list(FREQUENCIES)}")
    return value


def _date(entry: dict[str, Any], key: str, where: str) -> date:
    value = entry[key]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError(f"{where}: {key} must be a YYYY-MM-DD date, got {value!r}")
