"""The audit of one staging batch: GX suite plus the checks that need the warehouse.

The table's declaration (`Dataset`) says which warehouse checks it adds to the common ones.
Returns exactly one CheckOutcome per declared check (`checks.declared_checks`), in declared
order, so the Dagster layer can report each as the asset check of the same name, and
`publish_batch` quarantines the batch if an ERROR one failed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import duckdb
import polars as pl

from pipelines.lib.datasets import dataset
from pipelines.lib.publish import Audit, CheckOutcome
from pipelines.validation import checks as c
from pipelines.validation.completeness import gap_in_new_window, row_count_not_below_previous_copy
from pipelines.validation.context import AuditContext
from pipelines.validation.findings import Finding
from pipelines.validation.freshness import freshness, freshness_finding
from pipelines.validation.suites import ExpectationResult, validate

__all__ = ["audit", "auditor", "freshness"]


# Why a suite can hold no expectation for a declared check.
_NOTHING_TO_JUDGE = {
    c.SERIES_MATCHES_ASSET: "no catalogue entry for this series, so nothing to compare",
    c.VALUES_IN_PLAUSIBLE_RANGE: "no catalogue entry (FRED) or no amount columns (MOF)",
    c.NET_EQUALS_ACQUISITION_MINUS_DISPOSITION:
        "no numeric acquisition/disposition/net columns side by side in this batch",
}


def audit(
    table: str, con: duckdb.DuckDBPyConnection, batch: pl.DataFrame, ctx: AuditContext,
    *, expectations: Sequence[ExpectationResult] | None = None,
) -> list[CheckOutcome]:
    """Audit `batch` for `table`: one outcome per declared check. `expectations`: the suite's
    results when the caller validated this batch with others (validation/fred_batch.py)."""
    declared = c.declared_checks(table)
    results: dict[str, list[ExpectationResult]] = defaultdict(list)
    for result in validate(table, batch, ctx) if expectations is None else expectations:
        results[result.check].append(result)
    findings = {f.check: f for f in _warehouse_findings(table, con, batch, ctx)}
    return [_outcome(d, results.get(d.name, []), findings.get(d.name)) for d in declared]


def auditor(table: str, ctx: AuditContext) -> Audit:
    """`audit` bound to a table and context, in the shape `publish_batch(audit=...)` takes."""
    return lambda con, batch: audit(table, con, batch, ctx)


def _warehouse_findings(
    table: str, con: duckdb.DuckDBPyConnection, batch: pl.DataFrame, ctx: AuditContext
) -> list[Finding]:
    checks: list[tuple[tuple[str, ...], Callable[[], Finding | list[Finding]]]] = [
        ((c.NO_GAP_IN_NEW_WINDOW,), lambda: gap_in_new_window(table, con, batch, ctx)),
        ((c.ROW_COUNT_NOT_BELOW_PREVIOUS_COPY,), lambda: row_count_not_below_previous_copy(ctx)),
        ((c.FRESH_AS_OF,), lambda: freshness_finding(table, con, batch, ctx)),
    ]
    checks += [(w.names, lambda w=w: w.judge(con, batch, ctx)) for w in dataset(table).findings]
    found: list[Finding] = []
    for names, compute in checks:
        try:
            result = compute()
        except (pl.exceptions.PolarsError, duckdb.Error, TypeError, ValueError) as exc:
            # A check that cannot be evaluated has not passed; its message says why.
            result = [Finding(n, False, 1, [f"could not evaluate: {exc}"[:300]]) for n in names]
        found += result if isinstance(result, list) else [result]
    return found


def _outcome(
    decl: c.CheckDecl, results: Sequence[ExpectationResult], finding: Finding | None
) -> CheckOutcome:
    if not results and finding is None:
        finding = Finding(decl.name, True, details={"not_applicable": _NOTHING_TO_JUDGE.get(
            decl.name, "nothing in this batch for this check to judge")})
    passed = all(r.success for r in results) and (finding is None or finding.passed)
    count = sum(r.unexpected_count for r in results if not r.success)
    sample: list[object] = []
    for r in results:
        if not r.success:
            sample += [_labelled(r, value) for value in r.sample]
    details: dict[str, object] = {}
    if results:
        details["expectations"] = [
            {"type": r.expectation, "column": r.column, "success": r.success,
             "unexpected_count": r.unexpected_count, **({"error": r.error} if r.error else {})}
            for r in results
        ]
    if finding is not None:
        count += finding.unexpected_count
        sample += list(finding.sample)
        details.update(finding.details)
    return CheckOutcome(decl.name, passed, decl.severity, decl.description, count,
                        tuple(sample[:10]), details)


def _labelled(result: ExpectationResult, value: object) -> object:
    """Name the column where a check spans several (MOF amounts, schema); derived ones plainly."""
    column = result.column
    if column is None or column in ("_month_iso", "_value_in_catalogue_units", "series_id"):
        return value
    if column.startswith("_residual_"):
        return f"{column.removeprefix('_residual_')} - (acquisition - disposition) = {value}"
    if column == "week_end":
        return f"week_end, week_start + 6 days = {value}"
    if result.check in (c.VALUES_IN_PLAUSIBLE_RANGE, c.SCHEMA_MATCHES, c.KEYS_UNIQUE):
        return f"{column}: {value}"
    return value
