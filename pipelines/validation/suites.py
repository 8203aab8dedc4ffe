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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from pipelines.staging.fred import FRED_OBSERVATIONS as FRED_DEF
from pipelines.staging.mof import JGB_YIELDS as JGB_DEF
from pipelines.staging.tic import TIC_HOLDINGS as TIC_DEF
from pipelines.validation import checks as c
from pipelines.validation.context import AuditContext

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.expectations.expectation import Expectation

SAMPLE_SIZE = 10
JGB_TENORS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40)
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
_DATE_COLUMN = {
    c.FRED_OBSERVATIONS: "date", c.JGB_YIELDS: "date", c.TIC_HOLDINGS: "month",
    c.MOF_FLOWS_WEEKLY: "week_end", c.MOF_FLOWS_MONTHLY: "month", c.MOF_FLOWS_BY_INVESTOR: "month",
}
_MONTHLY = (c.TIC_HOLDINGS, c.MOF_FLOWS_MONTHLY, c.MOF_FLOWS_BY_INVESTOR)
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
    """Column -> SQL type the batch must have (MOF: every _jpy_100m amount it carries)."""
    if table == c.FRED_OBSERVATIONS:
        return {col.name: col.type for col in FRED_DEF.columns}
    if table == c.JGB_YIELDS:
        return {col.name: col.type for col in JGB_DEF.columns}
    if table == c.TIC_HOLDINGS:
        return {col.name: col.type for col in TIC_DEF.columns}
    amounts = {name: "BIGINT" for name in columns if name.endswith("_jpy_100m")}
    if table == c.MOF_FLOWS_WEEKLY:
        return {"week_start": "DATE", "week_end": "DATE",
                "foreign_long_term_debt_net_jpy_100m": "BIGINT", **amounts}
    if table == c.MOF_FLOWS_MONTHLY:
        return {"month": "DATE", "foreign_long_term_debt_net_jpy_100m": "BIGINT", **amounts}
    if table == c.MOF_FLOWS_BY_INVESTOR:
        return {"month": "DATE", "investor_type": "VARCHAR", "acquisition_jpy_100m": "BIGINT",
                "disposition_jpy_100m": "BIGINT", "net_jpy_100m": "BIGINT", **amounts}
    c.declared_checks(table)  # raises for an unknown table
    raise AssertionError(table)


def table_keys(table: str) -> tuple[str, ...]:
    return {
        c.FRED_OBSERVATIONS: FRED_DEF.keys, c.JGB_YIELDS: JGB_DEF.keys,
        c.TIC_HOLDINGS: TIC_DEF.keys, c.MOF_FLOWS_WEEKLY: ("week_end",),
        c.MOF_FLOWS_MONTHLY: ("month",), c.MOF_FLOWS_BY_INVESTOR: ("month", "investor_type"),
    }[table]


def date_column(table: str) -> str:
    return _DATE_COLUMN[table]


def net_triplets(columns: list[str]) -> list[tuple[str, str, str]]:
    """(acquisition, disposition, net) column names present together in a MOF batch."""
    out = []
    for name in columns:
        if name.endswith("acquisition_jpy_100m"):
            base = name.removesuffix("acquisition_jpy_100m")
            disp, net = f"{base}disposition_jpy_100m", f"{base}net_jpy_100m"
            if disp in columns and net in columns:
                out.append((name, disp, net))
    return out


# --- derived columns and the pandas hand-over ------------------------------------------------


def prepare(table: str, batch: pl.DataFrame, ctx: AuditContext) -> pd.DataFrame:
    """The batch as pandas, plus the derived columns the suite's expectations read.

    Text columns go over as Python objects so GX checks each value's type (pandas 3's `str`
    dtype is not one GX's type list recognises).
    """
    cols = batch.columns
    derived: list[pl.Expr] = []
    if table == c.FRED_OBSERVATIONS and batch.schema.get("value") == pl.Float64:
        derived.append(_value_in_catalogue_units(ctx, cols).alias("_value_in_catalogue_units"))
    if table in _MONTHLY and batch.schema.get("month") == pl.Date:
        derived.append(pl.col("month").cast(pl.String).alias("_month_iso"))
    if table == c.MOF_FLOWS_WEEKLY and batch.schema.get("week_start") == pl.Date:
        derived.append((pl.col("week_start") + timedelta(days=6)).alias("_week_start_plus_6"))
    numeric = [n for n, t in batch.schema.items() if t.is_numeric()]
    for acq, disp, net in net_triplets(numeric):
        derived.append((pl.col(net) - (pl.col(acq) - pl.col(disp))).alias(f"_residual_{net}"))
    frame = batch.with_columns(derived).to_pandas()
    for name, dtype in batch.with_columns(derived).schema.items():
        if dtype == pl.String:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame


def _value_in_catalogue_units(ctx: AuditContext, cols: list[str]) -> pl.Expr:
    """`value` re-expressed in the catalogue's unit via value_usd_bn, so ranges compare."""
    scale = ctx.series.usd_bn_scale if ctx.series is not None else None
    if scale is None or "value_usd_bn" not in cols:
        return pl.col("value")
    return pl.coalesce(pl.col("value_usd_bn") / scale, pl.col("value"))


# --- the suites ------------------------------------------------------------------------------


def build_suite(table: str, ctx: AuditContext, columns: list[str]) -> ExpectationSuite:
    """The GX suite for `table`, parameterised by the as-of date and the FRED series spec."""
    import great_expectations as gx

    items = _expectations(table, ctx, columns)
    for check, expectation in items:
        expectation.meta = {**(expectation.meta or {}), "check": check}
    return gx.ExpectationSuite(name=table, expectations=[e for _, e in items])


def _expectations(
    table: str, ctx: AuditContext, columns: list[str]
) -> list[tuple[str, Expectation]]:
    import great_expectations.expectations as E

    declared = declared_columns(table, columns)
    items: list[tuple[str, Expectation]] = [
        (c.SCHEMA_MATCHES, E.ExpectTableColumnsToMatchSet(column_set=list(declared),
                                                          exact_match=False)),
    ]
    items += [
        (c.SCHEMA_MATCHES, E.ExpectColumnValuesToBeInTypeList(column=name,
                                                              type_list=_PANDAS_TYPES[sql]))
        for name, sql in declared.items() if name in columns
    ]
    keys = table_keys(table)
    unique = (E.ExpectCompoundColumnsToBeUnique(column_list=list(keys)) if len(keys) > 1
              else E.ExpectColumnValuesToBeUnique(column=keys[0]))
    items.append((c.KEYS_UNIQUE, unique))
    items += [(c.KEYS_UNIQUE, E.ExpectColumnValuesToNotBeNull(column=k)) for k in keys]
    latest = _latest_allowed(table, ctx.as_of)
    items.append((c.NO_FUTURE_DATES, E.ExpectColumnValuesToBeBetween(
        column=date_column(table), max_value=datetime(latest.year, latest.month, latest.day))))
    items += _SPECIFIC[table](ctx, columns)
    return items


def _latest_allowed(table: str, as_of: date) -> date:
    """A month has no end-of-month figure before it has begun; other dates: the as-of date."""
    return as_of.replace(day=1) if table in _MONTHLY else as_of


def _month_first_day() -> list[tuple[str, Expectation]]:
    import great_expectations.expectations as E

    return [(c.MONTH_IS_FIRST_DAY,
             E.ExpectColumnValuesToMatchRegex(column="_month_iso", regex=r"^\d{4}-\d{2}-01$"))]


def _fred(ctx: AuditContext, columns: list[str]) -> list[tuple[str, Expectation]]:
    import great_expectations.expectations as E

    items: list[tuple[str, Expectation]] = [
        (c.UNITS_MATCH_MAGNITUDE, E.ExpectColumnValuesToNotBeNull(column="units")),
    ]
    spec = ctx.series
    if spec is not None:
        items += [
            (c.SERIES_MATCHES_ASSET,
             E.ExpectColumnValuesToBeInSet(column="series_id", value_set=[spec.id])),
            (c.VALUES_IN_PLAUSIBLE_RANGE, E.ExpectColumnValuesToBeBetween(
                column="_value_in_catalogue_units", min_value=spec.min, max_value=spec.max)),
        ]
    return items


def _jgb(ctx: AuditContext, columns: list[str]) -> list[tuple[str, Expectation]]:
    import great_expectations.expectations as E

    low, high = c.JGB_YIELD_RANGE_PCT
    return [
        (c.TENOR_KNOWN,
         E.ExpectColumnValuesToBeInSet(column="tenor_years", value_set=list(JGB_TENORS))),
        (c.VALUES_IN_PLAUSIBLE_RANGE,
         E.ExpectColumnValuesToBeBetween(column="yield_pct", min_value=low, max_value=high)),
    ]


def _tic(ctx: AuditContext, columns: list[str]) -> list[tuple[str, Expectation]]:
    import great_expectations.expectations as E

    return [
        *_month_first_day(),
        (c.VALUES_IN_PLAUSIBLE_RANGE, E.ExpectColumnValuesToBeBetween(
            column="holdings_usd_bn", min_value=0, max_value=c.TIC_HOLDINGS_MAX_USD_BN,
            strict_max=True)),
    ]


def _mof_amounts(columns: list[str]) -> list[tuple[str, Expectation]]:
    import great_expectations.expectations as E

    bound = c.MOF_ABS_MAX_JPY_100M
    items: list[tuple[str, Expectation]] = []
    for name in columns:
        if not name.endswith("_jpy_100m"):
            continue
        gross = name.endswith(("acquisition_jpy_100m", "disposition_jpy_100m"))
        items.append((c.VALUES_IN_PLAUSIBLE_RANGE, E.ExpectColumnValuesToBeBetween(
            column=name, min_value=0 if gross else -bound, max_value=bound)))
    tol = c.MOF_NET_TOLERANCE_JPY_100M
    items += [
        (c.NET_EQUALS_ACQUISITION_MINUS_DISPOSITION, E.ExpectColumnValuesToBeBetween(
            column=f"_residual_{net}", min_value=-tol, max_value=tol))
        for _, _, net in net_triplets(columns)
    ]
    return items


def _mof_weekly(ctx: AuditContext, columns: list[str]) -> list[tuple[str, Expectation]]:
    import great_expectations.expectations as E

    return [
        (c.WEEK_SPANS_SEVEN_DAYS, E.ExpectColumnPairValuesToBeEqual(
            column_A="week_end", column_B="_week_start_plus_6")),
        *_mof_amounts(columns),
    ]


def _mof_monthly(ctx: AuditContext, columns: list[str]) -> list[tuple[str, Expectation]]:
    return [*_month_first_day(), *_mof_amounts(columns)]


def _mof_by_investor(ctx: AuditContext, columns: list[str]) -> list[tuple[str, Expectation]]:
    import great_expectations.expectations as E

    return [
        *_month_first_day(),
        (c.INVESTOR_TYPE_MAPPED,
         E.ExpectColumnValuesToNotMatchRegex(column="investor_type", regex=r"^unmapped_")),
        *_mof_amounts(columns),
    ]


_SPECIFIC: dict[str, Callable[[AuditContext, list[str]], list[tuple[str, Expectation]]]] = {
    c.FRED_OBSERVATIONS: _fred,
    c.JGB_YIELDS: _jgb,
    c.TIC_HOLDINGS: _tic,
    c.MOF_FLOWS_WEEKLY: _mof_weekly,
    c.MOF_FLOWS_MONTHLY: _mof_monthly,
    c.MOF_FLOWS_BY_INVESTOR: _mof_by_investor,
}


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
