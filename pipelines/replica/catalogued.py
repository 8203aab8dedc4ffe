"""Serve every series of a FRED catalogue, also those the sample does not draw.

The sample draws the default catalogue's series (sample/fred.py). A series added to a
catalogue is served as a copy of a sample series under its own id and title: the first with
the same units and frequency (DGS2 for a daily Percent series such as DGS1), else the first
of the same frequency, else DGS10. Its values are the template's, so they fit the new entry's
min..max only when the two measure alike: a demo of the wiring, not of the series' data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from pipelines.sources.fred.catalogue import SeriesSpec

from .sample.fred import FredSeries

DEFAULT_TEMPLATE = "DGS10"
# sample Spec.kind -> catalogue frequency
FREQUENCY_OF_KIND = {"bday": "daily", "7day": "daily", "weekly": "weekly", "monthly": "monthly"}


def template_for(spec: SeriesSpec, sample: dict[str, FredSeries]) -> FredSeries:
    """The sample series a new catalogue entry is served as (see the module docstring)."""
    same_frequency = [s for s in sample.values()
                      if FREQUENCY_OF_KIND[s.spec.kind] == spec.frequency]
    for series in same_frequency:
        if series.spec.units[0] == spec.units:
            return series
    return same_frequency[0] if same_frequency else sample[DEFAULT_TEMPLATE]


def with_catalogued(sample: dict[str, FredSeries],
                    specs: Iterable[SeriesSpec]) -> dict[str, FredSeries]:
    """`sample` plus a served copy for each catalogue entry it lacks."""
    out = dict(sample)
    for spec in specs:
        if spec.id not in out:
            base = template_for(spec, sample)
            out[spec.id] = dataclasses.replace(
                base, spec=dataclasses.replace(base.spec, id=spec.id, title=spec.title))
    return out
