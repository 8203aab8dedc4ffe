"""FRED unit strings and dollar magnitudes.

FRED states dollar amounts in millions for some series and billions for others, and has
changed a series' unit in place (WTREGEN: billions until 2025, millions since). Staging keeps
the stated unit and adds `value_usd_bn`; this module holds the one mapping from a unit string
to that multiplier, and a magnitude check for keyless mode, where fredgraph.csv states no unit.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from pipelines.sources.fred.catalogue import SeriesSpec

# Multiplier from each magnitude word to USD billions.
_MAGNITUDES: dict[str, float] = {
    "thousands": 1e-6,
    "millions": 1e-3,
    "billions": 1.0,
    "trillions": 1e3,
}
_SHORT_MAGNITUDES = {
    "thous.": "thousands",
    "mil.": "millions",
    "bil.": "billions",
    "tril.": "trillions",
}
# Long form ("Millions of U.S. Dollars", "Billions of Dollars") and FRED's units_short form
# ("Mil. of U.S. $", "Bil. of $"). Anything else (chained, per-capita, "Dollars per Hour",
# plain "U.S. Dollars") is deliberately not a USD amount.
_AMOUNT = re.compile(
    r"^(?P<mag>thousands|millions|billions|trillions|thous\.|mil\.|bil\.|tril\.)"
    r" of (?:u\.s\. |us )?(?:dollars|\$)$"
)

# Share of values that must fit the catalogue range under a reading for it to count.
_MIN_FIT_SHARE = 0.5


def _normalise(units: str) -> str:
    return " ".join(units.split()).casefold()


def usd_bn_scale_for_units(units: str) -> float | None:
    """Multiplier that turns a value stated in `units` into USD billions, or None.

    None for rates, exchange rates, indexes and for plain "U.S. Dollars": on FRED that unit
    marks a per-item price (CBBTCUSD is dollars per bitcoin), and summing a price into
    balance-sheet billions would be meaningless, so it gets no `value_usd_bn`.
    """
    match = _AMOUNT.match(_normalise(units))
    if match is None:
        return None
    word = match.group("mag")
    return _MAGNITUDES[_SHORT_MAGNITUDES.get(word, word)]


def _magnitude_name(scale: float) -> str:
    return next(name for name, value in _MAGNITUDES.items() if value == scale)


def _fit_share(values: pl.Series, lo: float, hi: float) -> float:
    return float(((values >= lo) & (values <= hi)).mean() or 0.0)


def check_magnitude(spec: SeriesSpec, values: pl.Series) -> str | None:
    """Say why `values` do not look like `spec.units`, or None when they do.

    Keyless fredgraph.csv carries no unit, so a silent change of unit by FRED (WTREGEN moved
    from billions to millions) would otherwise load 1000-fold wrong numbers. For a dollar
    amount each magnitude (thousands..trillions) is tried as a reading of the values; the
    declared one wins unless another fits the catalogue's min..max strictly better. A change
    cannot be seen when both readings fit (e.g. a net-flow range spanning zero); the API's
    stated `units` is the authority whenever a key is set.
    """
    finite = values.cast(pl.Float64, strict=False).drop_nulls().drop_nans()
    if finite.is_empty():
        return None
    if spec.usd_bn_scale is not None:
        scale = _best_reading(spec, spec.usd_bn_scale, finite)
        if scale != spec.usd_bn_scale:
            return (
                f"{spec.id}: values look like {_magnitude_name(scale)}, catalogue says "
                f"{_magnitude_name(spec.usd_bn_scale)} (median {finite.median():g})"
            )
    declared = _fit_share(finite, spec.min, spec.max)
    if declared < _MIN_FIT_SHARE:
        return (
            f"{spec.id}: median {finite.median():g} does not look like {spec.units}: "
            f"{declared:.0%} of values within the plausible range {spec.min:g}..{spec.max:g}"
        )
    return None


def _best_reading(spec: SeriesSpec, declared: float, values: pl.Series) -> float:
    """The magnitude under which most values fit min..max; ties go to the smaller change."""
    best, best_share = declared, _fit_share(values, spec.min, spec.max)
    nearest_first = sorted(_MAGNITUDES.values(), key=lambda s: abs(math.log10(s / declared)))
    for scale in nearest_first:
        share = _fit_share(values * (scale / declared), spec.min, spec.max)
        if share > best_share:
            best, best_share = scale, share
    return best if best_share >= _MIN_FIT_SHARE else declared
