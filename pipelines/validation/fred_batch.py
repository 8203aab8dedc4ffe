"""The FRED catalogue's new batches validated as ONE Great Expectations batch.

A refresh that lands many series used to run one GX validation per series, each paying GX's
fixed cost (a batch, a validator, a metric graph) again. Here every series' batch is
prepared as `suites.validate` prepares it and stacked, with per-row columns derived from the
catalogue: `_asset` (the series the row was fetched for) and `_range_min`/`_range_max` (that
series' plausible range). The per-series suites are merged into one:

- an expectation every series shares (schema, keys, future dates, units) runs once;
- "series_id in {this series}" becomes series_id == `_asset`, and "value between this
  series' min and max" becomes value >= `_range_min` and `_range_max` >= value, each one
  expectation over all rows (no per-series row filter, which costs a pandas query per metric);
- key uniqueness adds `_asset` to its columns, so a key repeated in two batches is no
  duplicate in either;
- anything else a future suite makes series-specific runs with a GX row condition.

Each result is split back into what that series' own validation gives: the COMPLETE result
format lists every unexpected row's index, each series owns a contiguous range of rows, and
the sample is read from the series' own column at those rows. A result without row indices
(a column's dtype, the set of columns) is the same for every series: one validation per
distinct batch schema. Results come back in each series' suite order; the audit reads them
per check, where that is also the order GX reports them in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from pipelines.validation import checks as c
from pipelines.validation.context import AuditContext

# Private helpers of suites.py: the cached GX context and its lock, and the reduction of a GX
# result to an ExpectationResult, shared so that both paths report identically.
from pipelines.validation.suites import (
    _LOCK,
    SAMPLE_SIZE,
    ExpectationResult,
    _batch_definition,
    _plain,
    _result,
    build_suite,
    prepare,
)

if TYPE_CHECKING:  # pandas is imported on first use: a run with nothing to validate never pays it
    import pandas as pd

TABLE = c.FRED_OBSERVATIONS
ASSET, LOW, HIGH = "_asset", "_range_min", "_range_max"
SLOT = "fred_batch_slot"
_IN_SET, _BETWEEN = "expect_column_values_to_be_in_set", "expect_column_values_to_be_between"
_COMPOUND_UNIQUE = "expect_compound_columns_to_be_unique"
_PER_SERIES = "<per series>"
# Rows per stacked GX batch: the 18-series catalogue's full history (~312k rows in API mode)
# is one batch; a catalogue of hundreds of series is validated in a few, not one that grows
# with it (pandas holds the stacked frame and GX its per-expectation metrics).
MAX_STACKED_ROWS = 400_000


@dataclass
class _Slot:
    """One expectation of the per-series suites, as the stacked suite checks it."""

    original: Any  # the first series' expectation: type, column and check to report
    series: list[int] = field(default_factory=list)
    kind: str = "shared"  # shared | asset | range | conditioned
    parts: list[Any] = field(default_factory=list)  # the stacked suite's expectation(s)


def validate_catalogue(
    batches: Sequence[tuple[pl.DataFrame, AuditContext]], *, max_rows: int = MAX_STACKED_ROWS,
) -> dict[str, list[ExpectationResult]]:
    """Series id -> the results `suites.validate` gives for that series' batch alone."""
    ids = [_series_id(ctx) for _, ctx in batches]
    if len(set(ids)) != len(ids):
        raise ValueError("one batch per series: a series appears twice")
    groups: dict[tuple[tuple[str, str], ...], list[tuple[pl.DataFrame, AuditContext]]] = {}
    for batch, ctx in batches:
        schema = tuple((name, str(dtype)) for name, dtype in batch.schema.items())
        groups.setdefault(schema, []).append((batch, ctx))
    out: dict[str, list[ExpectationResult]] = {}
    for group in groups.values():  # one group in a refresh: every batch has FRED's columns
        for chunk in _chunks(group, max_rows):
            out.update(_validate_stacked(chunk))
    return out


def _chunks(
    group: list[tuple[pl.DataFrame, AuditContext]], max_rows: int,
) -> Iterator[list[tuple[pl.DataFrame, AuditContext]]]:
    """Whole series, in order, stacked up to `max_rows` rows (a larger series goes alone):
    the stacked frame's memory stays bounded however large the catalogue grows."""
    chunk: list[tuple[pl.DataFrame, AuditContext]] = []
    rows = 0
    for batch, ctx in group:
        if chunk and rows + batch.height > max_rows:
            yield chunk
            chunk, rows = [], 0
        chunk.append((batch, ctx))
        rows += batch.height
    if chunk:
        yield chunk


def _series_id(ctx: AuditContext) -> str:
    if ctx.series is None:
        raise ValueError("a FRED batch validated with the catalogue needs its series spec")
    return ctx.series.id


def _validate_stacked(
    batches: Sequence[tuple[pl.DataFrame, AuditContext]],
) -> dict[str, list[ExpectationResult]]:
    import great_expectations as gx
    import pandas as pd

    ids = [_series_id(ctx) for _, ctx in batches]
    suites = [build_suite(TABLE, ctx, batch.columns) for batch, ctx in batches]
    slots, layout = _merge(suites, ids)
    frames, bounds, start = [], [], 0
    for batch, ctx in batches:
        frames.append(_shared_text(prepare(TABLE, batch, ctx)))
        bounds.append((start, start + len(frames[-1])))
        start += len(frames[-1])
    stacked = pd.concat(frames, ignore_index=True)
    del frames
    lengths = [end - begin for begin, end in bounds]
    ranges = [_range_of(s) for s in suites]
    stacked[ASSET] = pd.Series(np.repeat(np.array(ids, dtype=object), lengths), dtype=object)
    for column, side in ((LOW, 0), (HIGH, 1)):
        stacked[column] = np.repeat(np.array(
            [np.nan if r[side] is None else r[side] for r in ranges], dtype="float64"), lengths)
    suite = gx.ExpectationSuite(name=f"{TABLE}__catalogue",
                                expectations=[p for s in slots for p in s.parts])
    with _LOCK:  # the cached context is shared; GX makes no promise about threads
        gx_batch = _batch_definition().get_batch(batch_parameters={"dataframe": stacked})
        try:
            validation = gx_batch.validate(suite, result_format={
                "result_format": "COMPLETE", "partial_unexpected_count": SAMPLE_SIZE})
        finally:
            _release(gx_batch)
    by_slot: dict[int, list[Any]] = {}
    for r in validation.results:
        by_slot.setdefault(r.expectation_config.meta[SLOT], []).append(r)
    return {sid: [_for_series(slots[k], by_slot[k], bounds[i], stacked) for k in layout[i]]
            for i, sid in enumerate(ids)}


def _shared_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with each text column holding one Python object per distinct value.

    `prepare` hands text over as one `str` per row (GX checks each value's type); a stacked
    catalogue has a few distinct ids and units over ~10^5 rows, so sharing the objects keeps
    the same values and types at a pointer per row instead of a string per row.
    """
    import pandas as pd

    for name in frame.select_dtypes(include="object").columns:
        column = frame[name]
        if pd.api.types.infer_dtype(column, skipna=True) != "string":
            continue  # not all text: left as it is
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        values = np.empty(len(uniques) + 1, dtype=object)
        values[:-1], values[-1] = uniques, None  # code -1 (missing) takes the last: None
        frame[name] = pd.Series(values[codes], index=frame.index, dtype=object)
    return frame


def _release(gx_batch: Any) -> None:
    """Drop the cached GX context's references to the stacked frame (its batch and batch
    data), so the frame does not outlive the validation: the rest of the run has no use
    for it, and GX would keep it until the next batch replaced it."""
    engine = gx_batch.data.execution_engine
    engine.batch_manager.reset_batch_cache()
    engine.batch_manager.batch_data_cache.clear()


def _range_of(suite: Any) -> tuple[float | None, float | None]:
    for e in suite.expectations:
        kwargs = e.configuration.kwargs
        if e.configuration.type == _BETWEEN and kwargs.get("column") == "_value_in_catalogue_units":
            return kwargs.get("min_value"), kwargs.get("max_value")
    return None, None


def _merge(suites: list[Any], ids: list[str]) -> tuple[list[_Slot], list[list[int]]]:
    """The slots of the stacked suite, and each series' slots in its own suite's order."""
    slots: list[_Slot] = []
    index: dict[str, int] = {}
    layout: list[list[int]] = []
    for i, suite in enumerate(suites):
        mine = []
        for expectation in suite.expectations:
            key, kind = _identity(expectation, ids[i])
            if key not in index:
                index[key] = len(slots)
                slots.append(_Slot(expectation, kind=kind))
            slots[index[key]].series.append(i)
            mine.append(index[key])
        layout.append(mine)
    for k, slot in enumerate(slots):
        if slot.kind == "shared" and len(slot.series) < len(suites):
            slot.kind = "conditioned"
        slot.parts = _stacked(slot, k, [ids[i] for i in slot.series])
    return slots, layout


def _identity(expectation: Any, series_id: str) -> tuple[str, str]:
    """What makes two series' expectations one check of the stacked frame, and how."""
    config = expectation.configuration
    kwargs, kind = dict(config.kwargs), "shared"
    if config.type == _IN_SET and kwargs.get("column") == "series_id" \
            and list(kwargs.get("value_set") or ()) == [series_id]:
        kwargs["value_set"], kind = _PER_SERIES, "asset"
    elif config.type == _BETWEEN and kwargs.get("column") == "_value_in_catalogue_units":
        kwargs["min_value"] = kwargs["max_value"] = _PER_SERIES
        kind = "range"
    key = json.dumps({"type": config.type, "kwargs": kwargs, "kind": kind,
                      "check": (expectation.meta or {}).get("check")},
                     sort_keys=True, default=str)
    return key, kind


def _stacked(slot: _Slot, k: int, only: list[str]) -> list[Any]:
    """The stacked suite's expectation(s) for a slot, tagged with it."""
    import great_expectations.expectations as E
    from great_expectations.expectations.row_conditions import Column

    meta = {**(slot.original.meta or {}), SLOT: k}
    kwargs = dict(slot.original.configuration.kwargs)
    missing = "either_value_is_missing"  # as in_set and between, which skip null values
    if slot.kind == "asset":
        return [E.ExpectColumnPairValuesToBeEqual(column_A="series_id", column_B=ASSET,
                                                  ignore_row_if=missing, meta=meta)]
    if slot.kind == "range":
        column = kwargs["column"]
        return [E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=column, column_B=LOW, or_equal=not kwargs.get("strict_min"),
                    ignore_row_if=missing, meta=meta),
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=HIGH, column_B=column, or_equal=not kwargs.get("strict_max"),
                    ignore_row_if=missing, meta=meta)]
    if slot.original.configuration.type == _COMPOUND_UNIQUE:
        kwargs["column_list"] = [*kwargs["column_list"], ASSET]
    if slot.kind == "conditioned":
        kwargs["row_condition"] = Column(ASSET).is_in(only)
    return [type(slot.original)(**kwargs, meta=meta)]


def _for_series(slot: _Slot, results: list[Any], bounds: tuple[int, int],
                stacked: pd.DataFrame) -> ExpectationResult:
    """One series' share of a slot's stacked results: its unexpected rows, or the verdict."""
    config = slot.original.configuration
    check, kind = slot.original.meta["check"], config.type
    column = config.kwargs.get("column") or config.kwargs.get("column_A")
    rows: set[int] = set()
    error = None
    for r in results:
        indices = (r.result or {}).get("unexpected_index_list")
        if indices is None:
            if slot.kind == "shared":
                return _result(r)  # the same for every series (same schema)
            raise ValueError(f"{kind} on {column}: a result over several series without row"
                             " indices cannot be split per series")
        rows.update(i for i in indices if bounds[0] <= i < bounds[1])
        error = error or _result(r).error
    if not rows:
        return ExpectationResult(check, kind, column, True, 0, ())
    ordered = sorted(rows)
    if slot.kind in ("asset", "range"):
        sample = [stacked.at[i, column] for i in ordered[:SAMPLE_SIZE]]
    else:
        (r,) = results
        by_row = dict(zip(r.result["unexpected_index_list"], r.result["unexpected_list"],
                          strict=True))
        sample = [_without_asset(by_row[i]) for i in ordered[:SAMPLE_SIZE]]
    return ExpectationResult(check, kind, column, False, len(rows),
                             tuple(_plain(v) for v in sample), error)


def _without_asset(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != ASSET}
    return value
