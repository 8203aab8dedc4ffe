"""The catalogue validated as one GX batch gives each series exactly its own suite's results.

The reference is computed independently, the way every other table is validated: one
`suites.validate` call per series batch. Defects are planted in some series only, so a
result that leaked from one series to another, or lost a row, shows. Results are compared
per check (the audit reads them per check; GX reports a suite column by column), and the
audit's outcomes, which Dagster shows on each `fred/<ID>` asset, must be equal outright.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from pipelines.validation import checks as c
from pipelines.validation.audit import audit
from pipelines.validation.fred_batch import validate_catalogue
from pipelines.validation.suites import ExpectationResult, validate
from tests.validation import batches as b
from tests.validation.test_expectations import duplicate_first, set_first

FRED = c.FRED_OBSERVATIONS
# Two daily rates with one range (one shared range expectation), a weekly USD amount with a
# scale, a monthly rate, a daily FX rate.
IDS = ("DGS10", "DGS30", "WALCL", "IRLTLT01JPM156N", "DEXJPUS")


Results = dict[str, dict[str, list[ExpectationResult]]]


def by_check(results: list[ExpectationResult]) -> dict[str, list[ExpectationResult]]:
    grouped: dict[str, list[ExpectationResult]] = {}
    for r in results:
        grouped.setdefault(r.check, []).append(r)
    return grouped


def per_series(batches: dict[str, pl.DataFrame]) -> Results:
    return {sid: by_check(validate(FRED, batch, b.ctx(sid))) for sid, batch in batches.items()}


def together(batches: dict[str, pl.DataFrame]) -> Results:
    stacked = validate_catalogue([(batch, b.ctx(sid)) for sid, batch in batches.items()])
    assert set(stacked) == set(batches)
    return {sid: by_check(results) for sid, results in stacked.items()}


def audits_agree(batches: dict[str, pl.DataFrame]) -> None:
    stacked = validate_catalogue([(batch, b.ctx(sid)) for sid, batch in batches.items()])
    con = b.connect()
    for sid, batch in batches.items():
        alone = audit(FRED, con, batch, b.ctx(sid))
        assert audit(FRED, con, batch, b.ctx(sid), expectations=stacked[sid]) == alone, sid


def clean() -> dict[str, pl.DataFrame]:
    return {sid: b.fred_batch(sid, count=40) for sid in IDS}


def failing(results: Results) -> dict[str, set[str]]:
    return {sid: {check for check, rs in checks.items() if not all(r.success for r in rs)}
            for sid, checks in results.items()}


def test_clean_batches_pass_every_expectation_as_they_do_alone() -> None:
    batches = clean()
    assert together(batches) == per_series(batches)
    assert failing(together(batches)) == {sid: set() for sid in IDS}


DEFECTS: dict[str, Any] = {
    "DGS10": lambda x: duplicate_first(set_first(x, "value", 99.0, 3)),
    "DGS30": lambda x: set_first(x, "date", date(2026, 12, 1)),
    "WALCL": lambda x: set_first(x, "units", None, 2),
    "IRLTLT01JPM156N": lambda x: set_first(x, "series_id", "DGS10", 2),
    # Below the minimum, and a missing value, which no range check counts.
    "DEXJPUS": lambda x: set_first(set_first(x, "value", -5.0, 3), "value", None),
}


def test_defects_planted_in_some_series_are_reported_on_those_series_only() -> None:
    batches = {sid: DEFECTS.get(sid, lambda x: x)(batch) for sid, batch in clean().items()}
    expected = per_series(batches)
    assert together(batches) == expected
    audits_agree(batches)
    assert failing(expected) == {
        "DGS10": {c.KEYS_UNIQUE, c.VALUES_IN_PLAUSIBLE_RANGE},
        "DGS30": {c.NO_FUTURE_DATES},
        "WALCL": {c.UNITS_MATCH_MAGNITUDE},
        "IRLTLT01JPM156N": {c.SERIES_MATCHES_ASSET},
        "DEXJPUS": {c.VALUES_IN_PLAUSIBLE_RANGE},
    }
    (range_check,) = expected["DEXJPUS"][c.VALUES_IN_PLAUSIBLE_RANGE]
    assert (range_check.unexpected_count, range_check.sample) == (2, (-5.0, -5.0))


def test_a_key_repeated_in_two_series_batches_is_no_duplicate_in_either() -> None:
    """IRLTLT01JPM156N's rows relabelled DGS10 on DGS10's dates: per series, no duplicate."""
    batches = clean()
    dgs10 = batches["DGS10"]
    batches["DEXJPUS"] = dgs10.with_columns(pl.lit("DGS10").alias("series_id"))
    expected = per_series(batches)
    assert together(batches) == expected
    assert c.KEYS_UNIQUE not in failing(expected)["DEXJPUS"]


def test_a_batch_with_other_columns_is_validated_with_its_likes() -> None:
    batches = clean()
    batches["WALCL"] = batches["WALCL"].drop("fetch_mode")
    assert together(batches) == per_series(batches)


def test_one_series_twice_is_refused() -> None:
    batch = b.fred_batch("DGS10")
    with pytest.raises(ValueError, match="twice"):
        validate_catalogue([(batch, b.ctx("DGS10")), (batch, b.ctx("DGS10"))])
