"""What every ingestion asset does the same way: check specs, check results, metadata.

Every selected ingestion asset reports one materialisation per run, whatever happened, with a
data version that fingerprints its staging rows:

- loaded: new or revised rows landed, so the data version changes;
- unchanged: the publisher had nothing new (the data version stays the same, so nothing
  downstream is stale and the marts see no reason to rebuild);
- failed: the fetch, parse or audit failed; staging keeps its last good rows (same data
  version) and the failure is recorded in `meta.refresh_status` and as a failed check.

No ingestion step fails for a publisher's fault: a failed step would make Dagster abandon every
mart, the serving copy and the report downstream of it, and a missing output would make it
skip them. The run still ends failed: `defs/outcomes.py` fails it after everything else ran.
The engine that does the work has no Dagster in it (pipelines/ingest/); this module turns its
plain results into materialisations and check results.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from pipelines.defs.resources import PublishersResource, WarehouseResource
from pipelines.defs.tablemeta import table_metadata
from pipelines.ingest import files as engine
from pipelines.ingest.files import Download, FileIngest, IngestResult, Rejected
from pipelines.ingest.replay import replay, replays
from pipelines.lib.datasets import Dataset
from pipelines.lib.errors import PipelineError
from pipelines.lib.fetch_log import loaded_snapshot
from pipelines.lib.fetcher import Fetched, Fetcher
from pipelines.lib.publish import ERROR, CheckOutcome, PublishReport
from pipelines.lib.raw_store import RawStore
from pipelines.lib.refresh import (
    FAILED,
    LOADED,
    UNCHANGED,
    Attempt,
    one_line,
    record_attempt,
    table_exists,
    table_version,
)
from pipelines.validation.checks import declared_checks
from pipelines.validation.report import write_report

KINDS = {"duckdb", "polars", "great_expectations"}


def check_specs(asset_key: dg.AssetKey, table: str | Dataset) -> list[dg.AssetCheckSpec]:
    """One spec per declared expectation. None is blocking: a batch failing an error check
    never reaches staging (write-audit-publish), so the marts can always rebuild from what
    staging holds; a blocking check would fail the step and starve every mart downstream."""
    declared = table.checks if isinstance(table, Dataset) else declared_checks(table)
    return [
        dg.AssetCheckSpec(name=decl.name, asset=asset_key, description=decl.description)
        for decl in declared
    ]


def check_results(
    asset_key: dg.AssetKey, outcomes: Iterable[CheckOutcome]
) -> list[dg.AssetCheckResult]:
    return [
        dg.AssetCheckResult(
            asset_key=asset_key,
            check_name=o.name,
            passed=o.passed,
            severity=dg.AssetCheckSeverity.ERROR if o.severity == ERROR
            else dg.AssetCheckSeverity.WARN,
            description=o.description,
            metadata={
                "unexpected_count": o.unexpected_count,
                "sample": dg.MetadataValue.json([str(s) for s in list(o.sample)[:10]]),
                **({"details": dg.MetadataValue.json(o.details)} if o.details else {}),
            },
        )
        for o in outcomes
    ]


def dagster_metadata(plain: dict[str, Any]) -> dict[str, Any]:
    """Lists and dicts as JSON metadata; scalars as they are."""
    return {k: dg.MetadataValue.json(v) if isinstance(v, list | dict) else v
            for k, v in plain.items()}


def ingest_metadata(report: PublishReport, fetched: Sequence[Fetched],
                    **batch: Any) -> dict[str, Any]:
    """`batch_metadata` (ingest/files.py: rows added/changed, dates, bytes, where from) as
    Dagster metadata; `batch`: its date_column, batch and extra."""
    return dagster_metadata(engine.batch_metadata(report, fetched, **batch))


def ingest_spec(ds: Dataset) -> dg.AssetSpec:
    """The spec of an ingestion asset. (Dagster makes every output of a `can_subset`
    multi_asset optional; run_ingests and with_outcome still report every selected asset.)"""
    return dg.AssetSpec(dg.AssetKey(list(ds.asset_key)), description=ds.description,
                        group_name=ds.publisher, kinds=KINDS, metadata={"table": ds.table_name})


def as_events(
    asset_key: dg.AssetKey, result: IngestResult
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    if result.loaded:
        yield dg.MaterializeResult(asset_key=asset_key,
                                   metadata=dagster_metadata(result.metadata),
                                   check_results=check_results(asset_key, result.outcomes))
    else:
        yield from check_results(asset_key, result.outcomes)


def file_ingest_events(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    fetcher: Fetcher,
    job: FileIngest,
    downloaded: Download | None = None,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """One dataset's ingest (or replay) as Dagster events; a rejected batch reports its
    checks, then raises the SourceError naming the files."""
    key = dg.AssetKey(list(job.dataset.asset_key))
    if replays(fetcher, job):
        yield from as_events(key, replay(con, fetcher, job, context.log))
        return
    try:
        result = engine.ingest(con, fetcher, job, context.log, context.run.run_id, downloaded)
    except Rejected as rejected:
        yield from check_results(key, rejected.outcomes)
        raise rejected.error from rejected
    yield from as_events(key, result)


def ingest_with(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    publishers: PublishersResource,
    datasets: Iterable[Dataset],
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Download every selected file without the writer lock, then parse, audit and publish
    under it (`run_ingests`): a slow publisher, a retry or a Retry-After never blocks another
    writer. The lock is taken briefly first to read what was loaded last (for conditional
    GETs and "unchanged, skip")."""
    settings = warehouse.settings()
    selected = [d for d in datasets
                if dg.AssetKey(list(d.asset_key)) in context.selected_asset_keys]
    jobs: list[FileIngest] = []
    failed: dict[str, BaseException] = {}
    for d in selected:
        try:
            assert d.files is not None
            jobs.append(FileIngest(d, d.files(publishers.settings())))
        except (PipelineError, ValueError) as exc:  # a bad setting fails that table only
            jobs.append(FileIngest(d, ()))
            failed[d.name] = exc
    with warehouse.connect() as con:
        snapshot = loaded_snapshot(con, [j.name for j in jobs])
    replay_on = publishers.settings().replay
    fetcher = Fetcher(None, RawStore(settings.raw_dir),
                      None if replay_on else publishers.client(),
                      replay=replay_on, snapshot=snapshot)
    downloads = {j.name: engine.download(fetcher, j, context.log) for j in jobs
                 if j.name not in failed and not replays(fetcher, j)}
    with warehouse.connect() as con:
        fetcher.attach(con)
        yield from run_ingests(context, con, fetcher, jobs, serving_dir=settings.serving_dir,
                               downloads=downloads, failed=failed)


def run_ingests(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    fetcher: Fetcher,
    jobs: Iterable[FileIngest],
    *,
    serving_dir: Path,
    downloads: dict[str, Download] | None = None,
    failed: dict[str, BaseException] | None = None,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Run each selected ingest; one failing table does not stop the others from landing.

    Every selected table reports a materialisation (see the module docstring), so the marts,
    the serving copy and the report downstream of this step always run. A failure is logged,
    kept in meta.refresh_status and fails the run at the end (defs/outcomes.py).
    """
    for job in jobs:
        ds = job.dataset
        key = dg.AssetKey(list(ds.asset_key))
        if key not in context.selected_asset_keys:
            continue
        error = (failed or {}).get(job.name)
        events = (_raise(error) if error is not None else
                  file_ingest_events(context, con, fetcher, job,
                                     (downloads or {}).get(job.name)))
        yield from with_outcome(
            context, con, events,
            asset_key=key, table=ds.table_name, source=ds.publisher,
            target=", ".join(f.name for f in job.files) or ds.name,
            failed_target=lambda exc, job=job: engine.failed_files(exc, job),
            data_version=lambda ds=ds: table_version(con, ds.table_name),
        )
    refresh_validation_report(con, serving_dir, context.log)


def _raise(error: BaseException) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    raise error
    yield  # a generator, so the error surfaces inside with_outcome


def refresh_validation_report(
    con: duckdb.DuckDBPyConnection, serving_dir: Path, log: Any
) -> None:
    """Rewrite assets/serving/validation.html after every ingestion, rejected batches included.

    Analysts need to see a blocked check most when the marts did not refresh because of it.
    """
    path = serving_dir / "validation.html"
    try:
        write_report(con, path)
    except Exception as exc:  # a full disk, or a bug in the page, must not cost the refresh
        log.warning(f"validation report not written ({path}): {exc}")
        return
    log.info(f"validation report: {path}")


def with_outcome(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    events: Iterator[dg.MaterializeResult | dg.AssetCheckResult],
    *,
    asset_key: dg.AssetKey,
    table: str,
    source: str,
    target: str,
    data_version: Callable[[], str],
    failed_target: Callable[[BaseException], str | None] = lambda exc: None,
    log_failure: bool = True,
    rows_where: tuple[str, object] | None = None,
    before: Before | None = None,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Pass one asset's events through, ending in exactly one materialisation with its data
    version and outcome (loaded, unchanged or failed), recorded in meta.refresh_status, and
    the table's row count and column schema (`rows_where`: the asset's rows of a shared
    table, as FRED's series). `before`: the asset's state read for the whole step before it
    wrote; it stands when nothing loaded (unchanged or failed: staging kept its rows)."""
    loaded: dg.MaterializeResult | None = None
    error: str | None = None
    trace: str | None = None
    evaluated: set[str] = set()
    try:
        for event in events:
            if isinstance(event, dg.MaterializeResult):
                loaded = event
                evaluated.update(c.check_name or "" for c in event.check_results or [])
            else:
                evaluated.add(event.check_name or "")
                yield event
    except Exception as exc:  # a publisher's fault (PipelineError) or a bug: one table only
        error = str(exc) if isinstance(exc, PipelineError) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, PipelineError):
            trace = traceback.format_exc()
        target = failed_target(exc) or target
        if log_failure:
            context.log.error(f"{asset_key.to_user_string()} not refreshed, previous data"
                              f" kept: {one_line(error, 2000)}")
    outcome = FAILED if error is not None else LOADED if loaded is not None else UNCHANGED
    attempt = record_attempt(
        con, asset_key=asset_key.to_user_string(), kind="ingest", table_name=table,
        source=source, target=target, outcome=outcome, error=error, run_id=context.run.run_id,
    )
    yield from carried_over_checks(context, con, asset_key, evaluated,
                                   before.verdicts if before is not None else None)
    if before is not None and outcome != LOADED:
        version, meta = before.version, before.table
    else:
        version, meta = data_version(), table_metadata(con, table, where=rows_where)
    yield outcome_result(asset_key, outcome, version, attempt, loaded, trace, table=meta)


@dataclass(frozen=True)
class Before:
    """One asset's data version, table metadata and latest check verdicts, read for every
    asset of a step in a few queries (`before_step`) instead of several per asset."""

    version: str
    table: dict[str, Any]
    verdicts: list[Verdict]


# check_name, passed, severity, description, evaluated_at
Verdict = tuple[str, bool, str, str | None, Any]


def latest_verdicts(
    con: duckdb.DuckDBPyConnection, asset_keys: Sequence[str]
) -> dict[str, list[Verdict]]:
    """The latest recorded verdict of every check of these assets, in one query."""
    out: dict[str, list[Verdict]] = {k: [] for k in asset_keys}
    if not asset_keys or not table_exists(con, "meta.check_results"):
        return out
    for key, *verdict in con.execute(
        "SELECT asset_key, check_name, passed, upper(severity), description, evaluated_at"
        " FROM meta.check_results WHERE list_contains(?, asset_key)"
        " QUALIFY row_number() OVER (PARTITION BY asset_key, check_name"
        "                            ORDER BY evaluated_at DESC) = 1"
        " ORDER BY asset_key, check_name",
        [list(asset_keys)],
    ).fetchall():
        out[key].append(tuple(verdict))  # type: ignore[arg-type]
    return out


def carried_over_checks(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    asset_key: dg.AssetKey,
    evaluated: set[str],
    verdicts: Sequence[Verdict] | None = None,
) -> Iterator[dg.AssetCheckResult]:
    """The latest recorded verdict of each selected check this attempt did not evaluate
    (`verdicts`: the asset's latest verdicts read beforehand; None: read them here).

    Batch checks run only on a new batch. When nothing new arrived (or the fetch failed),
    staging still holds the rows the last evaluation judged, so that verdict still stands:
    Dagster shows it, as meta.table_status does, instead of a gap in the asset's checks."""
    wanted = {k.name for k in context.selected_asset_check_keys
              if k.asset_key == asset_key} - evaluated
    if not wanted:
        return
    if verdicts is None:
        verdicts = latest_verdicts(con, [asset_key.to_user_string()])[
            asset_key.to_user_string()]
    for name, passed, severity, description, evaluated_at in verdicts:
        if name not in wanted:
            continue
        yield dg.AssetCheckResult(
            asset_key=asset_key, check_name=name, passed=bool(passed),
            severity=dg.AssetCheckSeverity.ERROR if severity == ERROR
            else dg.AssetCheckSeverity.WARN,
            description=description,
            metadata={"re_evaluated": False, "verdict_of": str(evaluated_at)},
        )


def outcome_result(
    asset_key: dg.AssetKey,
    outcome: str,
    version: str,
    attempt: Attempt,
    loaded: dg.MaterializeResult | None = None,
    trace: str | None = None,
    table: dict[str, Any] | None = None,
) -> dg.MaterializeResult:
    """The materialisation an ingestion asset reports for one attempt (`table`: Dagster's
    standard table metadata, defs/tablemeta.py)."""
    metadata: dict[str, Any] = dict(loaded.metadata or {}) if loaded is not None else {}
    metadata.update({"outcome": outcome, "table": attempt.table_name, **(table or {})})
    if attempt.failing:
        metadata.update({
            "error": attempt.last_error or "",
            "failing_since": str(attempt.failing_since),
            "last_success_at": str(attempt.last_success_at) if attempt.last_success_at else "never",
        })
    if trace:
        metadata["traceback"] = dg.MetadataValue.md(f"```\n{trace}\n```")
    return dg.MaterializeResult(
        asset_key=asset_key,
        metadata=metadata,
        check_results=list(loaded.check_results or []) if loaded is not None else None,
        data_version=dg.DataVersion(version),
    )
