"""The FRED series catalogue: which series we ingest, in which unit, and how to check them.

The catalogue is YAML so an analyst can add a series without reading code. Each entry is
validated by the pydantic model `CatalogueEntry` (field descriptions are the reference the
README's "Add a FRED series" points to), so a typo fails at load time in one line naming the
file, the entry and the field, instead of at 3 a.m. inside a fetch.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipelines.sources.fred.units import usd_bn_scale_for_units

DEFAULT_CATALOGUE = Path(__file__).with_name("catalogue.yaml")

Frequency = Literal["daily", "weekly", "monthly"]
FREQUENCIES: tuple[str, ...] = get_args(Frequency)

_SERIES_ID = re.compile(r"^[A-Z0-9_]{1,64}$")


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


class CatalogueEntry(BaseModel):
    """One `series:` entry of catalogue.yaml, as written; `spec()` is what the pipeline uses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="FRED series id, ^[A-Z0-9_]{1,64}$: the asset key fred/<id>")
    title: str = Field(description="Title as FRED publishes it (API mode stores FRED's own)")
    purpose: str = Field(description="Why an analyst of the question needs it")
    units: str = Field(description="Unit exactly as FRED states it, e.g. Percent")
    frequency: Frequency = Field(description="Native frequency: daily, weekly or monthly")
    min: float = Field(description="Lowest plausible value, in units (a check and the"
                       " magnitude test)")
    max: float = Field(description="Highest plausible value, in units")
    revision_window_days: int = Field(description="How far back each run re-fetches, for"
                                      " revisions")
    start: date = Field(description="First observation, YYYY-MM-DD, sent as cosd")
    usd_bn_scale: float | None = Field(default=None, description="Multiplier from units to"
                                       " USD billions; only for dollar amounts")

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> str:
        return validate_series_id(value)

    @field_validator("title", "purpose", "units", mode="before")
    @classmethod
    def _text(cls, value: Any, info: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{info.field_name} must be non-empty text, got {value!r}")
        return value.strip()

    @field_validator("frequency", mode="before")
    @classmethod
    def _frequency(cls, value: Any) -> str:
        if value not in FREQUENCIES:
            raise ValueError(f"frequency {value!r} is not one of {list(FREQUENCIES)}")
        return value

    @field_validator("min", "max", "usd_bn_scale", mode="before")
    @classmethod
    def _number(cls, value: Any, info: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            raise ValueError(f"{info.field_name} must be a finite number, got {value!r}")
        return float(value)

    @field_validator("revision_window_days", mode="before")
    @classmethod
    def _positive_int(cls, value: Any, info: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(
                f"{info.field_name} must be a positive whole number, got {value!r}")
        return value

    @field_validator("start", mode="before")
    @classmethod
    def _date(cls, value: Any, info: Any) -> date:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        elif isinstance(value, date) and not isinstance(value, datetime):
            return value
        raise ValueError(f"{info.field_name} must be a YYYY-MM-DD date, got {value!r}")

    @model_validator(mode="after")
    def _consistent(self) -> CatalogueEntry:
        if not self.min < self.max:
            raise ValueError(f"min {self.min:g} must be below max {self.max:g}")
        expected = usd_bn_scale_for_units(self.units)
        if self.usd_bn_scale != expected:
            hint = "omit it" if expected is None else f"use {expected:g}"
            raise ValueError(f"usd_bn_scale {self.usd_bn_scale} does not match units"
                             f" {self.units!r}: {hint}")
        return self

    def spec(self) -> SeriesSpec:
        return SeriesSpec(**self.model_dump())


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
    if isinstance(entry.get("id"), str) and _SERIES_ID.fullmatch(entry["id"]):
        where = f"{where} ({entry['id']})"
    try:
        return CatalogueEntry.model_validate(entry).spec()
    except ValidationError as exc:
        raise ValueError(f"{where}: {one_line(exc)}") from None


def one_line(exc: ValidationError) -> str:
    """The first problem pydantic found, in our words: unknown and missing keys together,
    else the message of the validator that refused a field (it names the field)."""
    errors = exc.errors()
    unknown = sorted(str(e["loc"][-1]) for e in errors if e["type"] == "extra_forbidden")
    missing = [str(e["loc"][-1]) for e in errors if e["type"] == "missing"]
    if unknown or missing:
        return f"unknown keys {unknown}, missing keys {missing}"
    first = errors[0]
    if first["type"] == "value_error":
        return str(first["ctx"]["error"])
    field = ".".join(str(part) for part in first["loc"])
    return f"{field}: {first['msg']}" if field else first["msg"]
