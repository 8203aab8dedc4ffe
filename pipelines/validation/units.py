"""FRED units: each row's stated unit, at a magnitude that fits it.

In keyless mode the unit comes from the catalogue and only the magnitude can reveal that FRED
re-expressed a series (WTREGEN: billions to millions); in API mode FRED states it. Either way
the values under each stated unit must look like that unit (`check_magnitude`), judged on the
catalogue's plausible range re-expressed in the stated unit.
"""

from __future__ import annotations

import dataclasses

import polars as pl

from pipelines.sources.fred.catalogue import SeriesSpec
from pipelines.sources.fred.units import check_magnitude, usd_bn_scale_for_units
from pipelines.validation import checks as c
from pipelines.validation.findings import Finding, not_applicable


def spec_in_units(spec: SeriesSpec, units: str) -> SeriesSpec | None:
    """The spec with its range re-expressed in `units`, or None if the units don't convert."""
    if units == spec.units:
        return spec
    scale = usd_bn_scale_for_units(units)
    if scale is None or spec.usd_bn_scale is None:
        return None
    factor = spec.usd_bn_scale / scale
    return dataclasses.replace(spec, units=units, usd_bn_scale=scale,
                               min=spec.min * factor, max=spec.max * factor)


def units_match_magnitude(spec: SeriesSpec | None, batch: pl.DataFrame) -> Finding:
    name = c.UNITS_MATCH_MAGNITUDE
    if spec is None:
        return not_applicable(name, "no catalogue entry to judge the magnitude against")
    if not {"units", "value"} <= set(batch.columns) or not batch.schema["value"].is_numeric():
        return not_applicable(name, "batch lacks units or value (see schema_matches)")
    problems, rows = [], 0
    for (units,), group in batch.filter(pl.col("units").is_not_null()).group_by("units"):
        stated = spec_in_units(spec, units)
        message = (
            f"{spec.id}: stated unit {units!r} cannot be converted from the catalogue's"
            f" {spec.units!r}" if stated is None else check_magnitude(stated, group["value"])
        )
        if message:
            problems.append(message)
            rows += group.height
    return Finding(name, not problems, rows, problems,
                   {"catalogue_units": spec.units,
                    "stated_units": sorted(batch["units"].drop_nulls().unique().to_list())})
