"""Great Expectations 1.x suites for the staging tables, built in code, and their runner.

GX is imported inside functions only: it takes seconds to import, and definitions load must
stay fast. One ephemeral context (nothing written to disk) is created on first use and cached.
Polars batches are handed to GX as pandas; a few derived columns (e.g. the week end implied by
the week start) are added first so that every declared expectation is a plain GX expectation.
Each expectation carries `meta={"check": <CheckDecl name>}` so results map back to checks.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import polars as pl

from pipelines.lib.datasets import Dataset, dataset
from pipelines.validation import checks as c
from pipelines.validation.context import AuditContext

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.expectations.expectation import Expectation

SAMPLE_SIZE = 10
_DATE_TYPES = ["datetime64[ms]", "datetime64[us]", "datetime64[ns]", "datetime64[s]"]
_INT_TYPES = ["int8", "int16", "int32", "int64"]
# pandas has no null for int64: polars hands a nullable integer column over as float64.
_PANDAS_TYPES: dict[str, list[str]] = {
    "DATE": _DATE_TYPES,
    "DOUBLE": ["float64", "float32"],
    "SMALLINT": _INT_TYPES,
    "INTEGER": _INT_TYPES,
    "BIGINT": [*_INT_TYPES, "float64"],
    "VARCHAR": ["str"],
}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ExpectationResult:
    """One GX expectation's verdict, reduced to what a CheckOutcome shows."""

    check: str
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int
    sample: tuple[Any, ...]
    error: str | None = None


# --- declared schemas ------------------------------------------------------------------------


def declared_columns(table: str, columns: list[str]) -> dict[str, str]:
    """Column -> SQL type the batch must have (the declaration's, or its own rule)."""
    return dataset(table).required_columns(columns)


def table_keys(table: str) -> tuple[str, ...]:
    return dataset(table).table.keys


def date_column(table: str) -> str:
    return dataset(table).date_column


# --- derived columns and the pandas hand-over ------------------------------------------------


def prepare(table: str, batch: pl.DataFrame, ctx: AuditContext) -> pd.DataFrame:
    """The batch as pandas, plus the derived columns the suite's expectations read.

    Text columns go over as Python objects so GX checks each value's type (pandas 3's `str`
    dtype is not one GX's type list recognises).
    """
    derived = dataset(table).derived(batch, ctx)
    frame = batch.with_columns(derived).to_pandas()
    for name, dtype in batch.with_columns(derived).schema.items():
        if dtype == pl.String:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame


# --- the suites ------------------------------------------------------------------------------


def build_suite(table: str, ctx: AuditContext, columns: list[str]) -> ExpectationSuite:
    """The GX suite for `table`, parameterised by the as-of date and the FRED series spec."""
    import great_expectations as gx

    items = _expectations(dataset(table), ctx, columns)
    for check, expectation in items:
        expectation.meta = {**(expectation.meta or {}), "check": check}
    return gx.ExpectationSuite(name=table, expectations=[e for _, e in items])


def _expectations(
    ds: Dataset, ctx: AuditContext, columns: list[str]
) -> list[tuple[str, Expectation]]:
    """What every table gets (schema, keys, no future dates), then the declaration's own."""
    import great_expectations.expectations as E

    declared = ds.required_columns(columns)
    items: list[tuple[str, Expectation]] = [
        (c.SCHEMA_MATCHES, E.ExpectTableColumnsToMatchSet(column_set=list(declared),
                                                          exact_match=False)),
    ]
    items += [
        (c.SCHEMA_MATCHES, E.ExpectColumnValuesToBeInTypeList(column=name,
                                                              type_list=_PANDAS_TYPES[sql]))
        for name, sql in declared.items() if name in columns
    ]
    keys = ds.table.keys
    unique = (E.ExpectCompoundColumnsToBeUnique(column_list=list(keys)) if len(keys) > 1
              else E.ExpectColumnValuesToBeUnique(column=keys[0]))
    items.append((c.KEYS_UNIQUE, unique))
    items += [(c.KEYS_UNIQUE, E.ExpectColumnValuesToNotBeNull(column=k)) for k in keys]
    latest = _latest_allowed(ds, ctx.as_of)
    items.append((c.NO_FUTURE_DATES, E.ExpectColumnValuesToBeBetween(
        column=ds.date_column, max_value=datetime(latest.year, latest.month, latest.day))))
    items += ds.expectations(ctx, columns)
    return items


def _latest_allowed(ds: Dataset, as_of: date) -> date:
    """A month has no end-of-month figure before it has begun; other dates: the as-of date."""
    return as_of.replace(day=1) if ds.dated_by_month else as_of


# --- the runner ------------------------------------------------------------------------------


@functools.cache
def _batch_definition() -> Any:
    """One ephemeral GX context per process (in memory, no progress bars), reused by every run."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("staging_batches").add_dataframe_asset("batch")
    return asset.add_batch_definition_whole_dataframe("whole_batch")


def run_suite(suite: ExpectationSuite, frame: pd.DataFrame) -> list[ExpectationResult]:
    """Validate a pandas frame against a suite; one result per expectation."""
    with _LOCK:  # the cached context is shared; GX makes no promise about threads
        batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
        validation = batch.validate(suite, result_format={
            "result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE})
    return [_result(r) for r in validation.results]


def validate(table: str, batch: pl.DataFrame, ctx: AuditContext) -> list[ExpectationResult]:
    """Run `table`'s suite on `batch` (prepared and handed over as pandas)."""
    return run_suite(build_suite(table, ctx, batch.columns), prepare(table, batch, ctx))


def _result(r: Any) -> ExpectationResult:
    config, result = r.expectation_config, r.result or {}
    error = (r.exception_info or {}).get("exception_message") if not r.success else None
    count = result.get("unexpected_count")
    sample = list(result.get("partial_unexpected_list") or [])
    missing = (result.get("details") or {}).get("mismatched", {}).get("missing")
    if missing:
        count, sample = len(missing), [f"missing column {m}" for m in missing]
    if not r.success and not count:
        count = 1
        observed = result.get("observed_value")
        sample = sample or [f"observed {observed}" if observed is not None else error or "failed"]
    return ExpectationResult(
        check=config.meta["check"],
        expectation=config.type,
        column=config.kwargs.get("column") or config.kwargs.get("column_A"),
        success=bool(r.success),
        unexpected_count=int(count or 0),
        sample=tuple(_plain(v) for v in sample[:SAMPLE_SIZE]),
        error=error,
    )


def _plain(value: Any) -> Any:
    """GX hands back pandas Timestamps and numpy scalars; analysts read dates and numbers."""
    import pandas as pd

    if isinstance(value, tuple | list):
        return tuple(_plain(v) for v in value)
    if value is None or pd.isna(value):
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


_WARM_UP_LOCK = threading.Lock()
_warmed = False


def warm_up() -> None:
    """Import Great Expectations in a background thread, once per process.

    The import takes seconds. A refresh that will audit something calls this as soon as it
    knows (its first changed body), so the import overlaps the rate-limited fetches instead
    of delaying the first audit; a refresh with nothing new never pays for it.
    """
    global _warmed
    with _WARM_UP_LOCK:
        if _warmed:
            return
        _warmed = True
    threading.Thread(target=_warm, name="gx-warm-up", daemon=True).start()


def _warm() -> None:
    with _LOCK:  # the first audit waits here until the context exists, never builds a second
        _batch_definition()
