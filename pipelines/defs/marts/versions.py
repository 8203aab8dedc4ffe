"""When a mart is rebuilt: its inputs' data versions or its SQL changed, or its table is gone.

A mart runs in every run that selects it, and always reports a materialisation, so the
serving copy and the report downstream of it always run too. It rebuilds the table only when
needed, judged from the warehouse itself (`meta.mart_builds`, see lib/refresh.py), never from
the rows the current run happened to write: a run that was interrupted before the marts, a
second run racing the first, or a Dagster instance that was reset all end with the marts built
from the staging the warehouse holds.

The data version a mart reports is logical: the hash of its code version and its inputs'
data versions. Equal versions mean the same SQL over the same rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from datetime import date

import dagster as dg
import duckdb

from pipelines.defs.ingest import carried_over_checks, check_results
from pipelines.defs.tablemeta import table_metadata
from pipelines.lib.datasets import staging_tables
from pipelines.lib.errors import PipelineError
from pipelines.lib.refresh import (
    BUILT,
    CURRENT,
    FAILED,
    Build,
    combine,
    keyed_versions,
    now,
    one_line,
    read_builds,
    record_attempt,
    record_build,
    table_exists,
    table_version,
)
from pipelines.marts import checks as mart_checks
from pipelines.marts.build import FRED_TABLE, PRELOADED_TABLES, MartSql, build_mart
from pipelines.marts.thresholds import THRESHOLDS_PATH
from pipelines.validation.results import record_outcomes

MISSING = "missing"


def code_version(mart: MartSql) -> str:
    """The hash of the mart's SQL file (and of thresholds.yaml for the mart that reads it)."""
    digest = hashlib.sha256(mart.sql.encode())
    if mart.name in PRELOADED_TABLES:
        digest.update(THRESHOLDS_PATH.read_bytes())
    return digest.hexdigest()[:16]


def input_versions(
    con: duckdb.DuckDBPyConnection, mart: MartSql, builds: dict[str, Build]
) -> dict[str, str]:
    """Asset key -> data version of each input, as the warehouse holds it now."""
    series = [k.removeprefix("fred/") for k in mart.depends_on if k.startswith("fred/")]
    fred = keyed_versions(con, FRED_TABLE, "series_id", series)
    out: dict[str, str] = {}
    for key in mart.depends_on:
        if key.startswith("fred/"):
            out[key] = fred[key.removeprefix("fred/")]
        elif key.startswith("marts/"):
            upstream = builds.get(key.removeprefix("marts/"))
            out[key] = upstream.data_version if upstream else MISSING
        else:
            out[key] = table_version(con, staging_tables()[key])
    return out


def rebuild_reason(
    previous: Build | None, exists: bool, code: str, inputs_version: str
) -> str | None:
    """Why the mart must be rebuilt, or None when it is built from exactly these inputs."""
    if not exists:
        return "table missing"
    if previous is None:
        return "no build recorded"
    if previous.code_version != code:
        return "SQL changed"
    if previous.inputs_version != inputs_version:
        return "inputs changed"
    return None


def materialize_marts(
    context: dg.AssetExecutionContext, con: duckdb.DuckDBPyConnection, marts: Sequence[MartSql]
) -> Iterator[dg.MaterializeResult]:
    """Each mart in turn (`marts` in dependency order), on one connection.

    A build error is an outcome (materialize_mart). Anything else is a bug: that mart and the
    marts reading it are not reported, as when Dagster skipped the steps after a failed one;
    the others still run, then the step fails with the first error."""
    unbuilt: set[str] = set()
    errors: list[Exception] = []
    for mart in marts:
        if unbuilt & set(mart.upstream_marts):
            unbuilt.add(mart.name)
            context.log.error(f"{mart.table} not built: a mart it reads failed (see above)")
            continue
        try:
            result = materialize_mart(context, con, mart)
        except Exception as exc:  # a bug: raised below, after the independent marts
            unbuilt.add(mart.name)
            errors.append(exc)
            context.log.error(f"{mart.table} failed: {type(exc).__name__}: {one_line(str(exc))}")
            continue
        yield result
    if errors:
        raise errors[0]


def materialize_mart(
    context: dg.AssetExecutionContext, con: duckdb.DuckDBPyConnection, mart: MartSql
) -> dg.MaterializeResult:
    """Rebuild the mart if needed; report it either way (a build error is logged and
    recorded, the previous table kept, and the run failed at the end by defs/outcomes.py)."""
    key = f"marts/{mart.name}"
    builds = read_builds(con)
    code = code_version(mart)
    inputs = input_versions(con, mart, builds)
    inputs_version = combine(inputs)
    data_version = combine({"code": code, "inputs": inputs_version})
    previous = builds.get(mart.name)
    exists = table_exists(con, mart.table)
    reason = rebuild_reason(previous, exists, code, inputs_version)
    error: str | None = None
    checks: list[dg.AssetCheckResult] = []
    asset_key = dg.AssetKey(["marts", mart.name])
    if reason is None:
        outcome = CURRENT
        rows = previous.rows if previous else 0
    else:
        try:
            rows = build_mart(con, mart)
        except (PipelineError, duckdb.Error) as exc:
            error = str(exc)
            outcome = FAILED
            exists = table_exists(con, mart.table)
            data_version = previous.data_version if previous and exists else MISSING
            rows = previous.rows if previous and exists else 0
            context.log.error(f"{mart.table} not rebuilt ({reason}), previous table kept:"
                              f" {one_line(error, 2000)}")
        else:
            outcome = BUILT
            exists = True
            record_build(con, Build(mart.name, code, inputs_version, data_version, now(),
                                    rows, context.run.run_id))
            outcomes = mart_checks.evaluate(con, mart)
            record_outcomes(con, mart.table, key, outcomes, run_id=context.run.run_id)
            checks = [c for c in check_results(asset_key, outcomes)
                      if dg.AssetCheckKey(asset_key, c.check_name or "")
                      in context.selected_asset_check_keys]
            failed = [o.name for o in outcomes if not o.passed]
            if failed:
                context.log.warning(f"{mart.table}: checks failed: {', '.join(failed)}")
    # Not rebuilt: the table is the one last judged, so that verdict still stands.
    checks += list(carried_over_checks(context, con, asset_key,
                                       {c.check_name or "" for c in checks}))
    attempt = record_attempt(
        con, asset_key=key, kind="mart", table_name=mart.table, source="marts",
        target=f"sql/marts/{mart.path.name}", outcome=outcome, error=error,
        run_id=context.run.run_id,
    )
    last = last_date(con, mart.table) if exists else None
    table_meta = table_metadata(con, mart.table) if exists else {}
    built = read_builds(con).get(mart.name)
    if outcome == BUILT:
        context.log.info(f"{mart.table}: {rows} rows, last date {last} (rebuilt: {reason})")
    elif outcome == CURRENT:
        context.log.debug(f"{mart.table}: already built from these inputs, not rebuilt")
    metadata: dict[str, object] = {
        "outcome": outcome, "rows": rows, "last_date": str(last), "table": mart.table,
        "rebuilt": outcome == BUILT, "reason": reason or "inputs and SQL unchanged",
        "built_at": str(built.built_at) if built else "never",
        "input_versions": dg.MetadataValue.json(inputs),
        **table_meta,
    }
    if attempt.failing:
        metadata.update({"error": attempt.last_error or "",
                         "failing_since": str(attempt.failing_since)})
    return dg.MaterializeResult(asset_key=asset_key, metadata=metadata,
                                data_version=dg.DataVersion(data_version), check_results=checks)


def last_date(con: duckdb.DuckDBPyConnection, table: str) -> date | None:
    schema, name = table.split(".")
    cols = [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?"
        " AND data_type = 'DATE' ORDER BY column_index", [schema, name]).fetchall()]
    if not cols:
        return None
    return con.execute(f"SELECT max({cols[0]}) FROM {table}").fetchall()[0][0]  # noqa: S608
