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
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import dagster as dg
import duckdb
import polars as pl

from pipelines.defs.resources import PublishersResource, WarehouseResource
from pipelines.lib.errors import LandingZoneError, ParseError, PipelineError, SourceError
from pipelines.lib.publish import ERROR, BatchRejected, CheckOutcome, PublishReport, publish_batch
from pipelines.lib.raw import Fetched, Fetcher, RawStore, loaded_snapshot
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
from pipelines.lib.tables import TableDef, create_table
from pipelines.lib.vintages import Window, clear_vintaged, upsert_with_vintages
from pipelines.lib.warehouse import transaction
from pipelines.validation.audit import audit, freshness
from pipelines.validation.checks import declared_checks
from pipelines.validation.context import AuditContext, FileRows, as_of_from_env
from pipelines.validation.report import write_report
from pipelines.validation.results import record_outcomes

KINDS = {"duckdb", "polars", "great_expectations"}


def check_specs(asset_key: dg.AssetKey, table: str) -> list[dg.AssetCheckSpec]:
    """One spec per declared expectation. None is blocking: a batch failing an error check
    never reaches staging (write-audit-publish), so the marts can always rebuild from what
    staging holds; a blocking check would fail the step and starve every mart downstream."""
    return [
        dg.AssetCheckSpec(name=decl.name, asset=asset_key, description=decl.description)
        for decl in declared_checks(table)
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


def date_range(frame: pl.DataFrame, column: str) -> tuple[date | None, date | None]:
    if frame.is_empty() or column not in frame.columns:
        return None, None
    return frame[column].min(), frame[column].max()  # type: ignore[return-value]


def ingest_metadata(
    report: PublishReport,
    fetched: Sequence[Fetched],
    *,
    date_column: str,
    batch: pl.DataFrame,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What an operator reads at 3 a.m.: rows added/changed, dates, bytes, where from."""
    first, last = date_range(batch, date_column)
    meta: dict[str, Any] = {
        "rows_in_batch": report.rows_in_batch,
        "rows_added": report.stats.inserted,
        "rows_revised": report.stats.revised,
        "rows_unchanged": report.stats.unchanged,
        "rows_withdrawn": report.stats.withdrawn,
        "first_date": str(first) if first else None,
        "last_date": str(last) if last else None,
        "table": report.table,
        "source_urls": dg.MetadataValue.json([f.result.url for f in fetched]),
        "http_status": dg.MetadataValue.json([f.result.status for f in fetched]),
        "bytes": sum(len(f.body or b"") for f in fetched),
        "raw_sha256": dg.MetadataValue.json([f.sha256 for f in fetched]),
        "warnings": sum(1 for o in report.outcomes if not o.passed),
    }
    meta.update(extra or {})
    return {k: v for k, v in meta.items() if v is not None}


class FileParse(Protocol):
    """What a parser may return instead of a bare frame: the frame plus the days it skipped
    as empty (every value missing, like a holiday) and the month its title declares."""

    frame: pl.DataFrame
    empty_days: tuple[date, ...]
    month: date | None


@dataclass(frozen=True)
class SourceFile:
    """One publisher file feeding a staging table."""

    name: str
    url: str
    parse: Callable[[bytes], pl.DataFrame | FileParse]
    expect: str = "csv"
    # The period a file covers when it restarts each period (the current-month JGB file), so
    # a row-count drop is judged only against a previous copy of the same period.
    period_of: Callable[[bytes], str | None] | None = None


@dataclass(frozen=True)
class Parsed:
    file: SourceFile
    fetched: Fetched
    frame: pl.DataFrame
    period_key: str | None
    rows_before: int | None
    empty_days: tuple[date, ...] = ()
    month: date | None = None  # the month the file declares it covers
    shrank: str | None = None  # dates the last accepted copy of the same period had


@dataclass(frozen=True)
class FileIngest:
    source: str
    dataset: str
    asset_key: dg.AssetKey
    table: TableDef
    date_column: str
    files: tuple[SourceFile, ...]
    # Turns the changed files' frames into the staging batch (adds source columns, resolves
    # overlaps between files).
    combine: Callable[[list[Parsed]], pl.DataFrame]
    # When one file changed, re-read the others from the landing zone too, so overlaps are
    # resolved on all of them (TIC: the later release wins whichever file changed).
    combine_with_unchanged: bool = False
    # Further writes that must commit with the batch (e.g. TIC revision stamps).
    also_write: Callable[[duckdb.DuckDBPyConnection, list[Parsed]], None] | None = None


@dataclass(frozen=True)
class Download:
    """One ingest's files as fetched (before the writer lock): changed bodies, unchanged
    files, or the error that stopped the fetch (raised when the ingest runs, so it fails
    that table only)."""

    changed: tuple[tuple[SourceFile, Fetched], ...] = ()
    unchanged: tuple[SourceFile, ...] = ()
    error: PipelineError | None = None


def download(fetcher: Fetcher, ingest: FileIngest, log: Any) -> Download:
    """Fetch every file of `ingest`; a body identical to the last loaded copy is unchanged."""
    changed: list[tuple[SourceFile, Fetched]] = []
    unchanged: list[SourceFile] = []
    try:
        for f in ingest.files:
            fetched = fetcher.fetch_if_changed(ingest.source, ingest.dataset, f.url,
                                               expect=f.expect)
            if fetched is None or fetched.body is None:
                log.info(f"{ingest.source} {f.name}: unchanged since the last load, not parsed")
                unchanged.append(f)
            else:
                changed.append((f, fetched))
    except PipelineError as exc:
        return Download(error=exc)
    return Download(tuple(changed), tuple(unchanged))


def fetch_changed(fetcher: Fetcher, ingest: FileIngest, log: Any,
                  downloaded: Download | None = None) -> list[Parsed]:
    """Parse the files whose bytes differ from the last loaded copy (fetching them first
    unless `downloaded` already did)."""
    got = downloaded if downloaded is not None else download(fetcher, ingest, log)
    if got.error is not None:
        raise got.error
    changed, unchanged = list(got.changed), list(got.unchanged)
    if changed and ingest.combine_with_unchanged:
        for f in unchanged:
            kept = fetcher.from_landing_zone(ingest.source, ingest.dataset, f.url)
            if kept is not None:
                changed.append((f, kept))
    parsed: list[Parsed] = []
    for f, fetched in sorted(changed, key=lambda fc: ingest.files.index(fc[0])):
        assert fetched.body is not None
        try:
            frame, empty, month = _parse(f, fetched.body)
            period = f.period_of(fetched.body) if f.period_of else None
        except ParseError as exc:
            fetcher.flag(fetched, f"parse error: {exc}")
            raise SourceError(ingest.source, fetched.result.url, f"{f.name}: {exc}") from exc
        before = fetcher.loaded(ingest.dataset, fetched.result.url)
        rows_before = before.rows if before is not None and before.period_key == period else None
        shrank = None
        if rows_before is not None and before is not None and frame.height < rows_before:
            rows_before, shrank = _what_shrank(fetcher, ingest, f, before.sha256, frame, empty,
                                               rows_before)
        parsed.append(Parsed(f, fetched, frame, period, rows_before, empty, month, shrank))
    return parsed


def _parse(f: SourceFile, body: bytes) -> tuple[pl.DataFrame, tuple[date, ...], date | None]:
    out = f.parse(body)
    if isinstance(out, pl.DataFrame):
        return out, (), None
    return out.frame, tuple(out.empty_days), out.month


def _what_shrank(
    fetcher: Fetcher, ingest: FileIngest, f: SourceFile, sha256: str, frame: pl.DataFrame,
    empty: tuple[date, ...], rows_before: int,
) -> tuple[int | None, str | None]:
    """Compare with the last accepted copy of the same period, by date: days it had that this
    copy lacks. Fewer rows with no day lost (a day now quoted as all `-`, a withdrawn cell) is
    not a truncation: (None, None) then, so the row-count check does not misjudge it."""
    try:
        previous, _, _ = _parse(f, fetcher.store.get(ingest.source, sha256))
    except (OSError, ParseError):
        return rows_before, None  # cannot say more than the counts
    column = ingest.date_column
    if column not in previous.columns or column not in frame.columns:
        return rows_before, None
    present = set(frame[column].to_list()) | set(empty)
    gone = sorted(set(previous[column].to_list()) - present)
    if not gone:
        return None, None
    shown = ", ".join(str(d) for d in gone[:5]) + (", ..." if len(gone) > 5 else "")
    return rows_before, f"{len(gone)} date(s) of the last accepted copy are gone: {shown}"


def withdrawal_window(ingest: FileIngest, parsed: list[Parsed]) -> Window | None:
    """The dates the changed files answer for: the month a file declares, else the span of its
    rows. A value staged inside it that the batch lacks has been withdrawn."""
    ranges: list[tuple[date | None, date | None]] = []
    for p in parsed:
        if p.month is not None:
            end = date(p.month.year + p.month.month // 12, p.month.month % 12 + 1, 1)
            ranges.append((p.month, end - timedelta(days=1)))
        elif ingest.date_column in p.frame.columns and not p.frame.is_empty():
            first, last = date_range(p.frame, ingest.date_column)
            ranges.append((first, last))
    return Window(ingest.date_column, tuple(ranges)) if ranges else None


def run_file_ingest(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    fetcher: Fetcher,
    ingest: FileIngest,
    downloaded: Download | None = None,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Fetch → parse → audit → publish for one staging table fed by whole files."""
    if fetcher.replay and fetcher.manifest.loads(ingest.dataset):
        yield replay_file_ingest(context, con, fetcher, ingest)
        return
    ctx = AuditContext(as_of=as_of_from_env(), series=None, files=())
    parsed = fetch_changed(fetcher, ingest, context.log, downloaded)
    if not parsed:
        outcome = freshness(ingest.table.name, con, ctx)
        record_outcomes(con, ingest.table.name, ingest.asset_key.to_user_string(), [outcome],
                        run_id=context.run.run_id)
        yield from check_results(ingest.asset_key, [outcome])
        return
    batch = ingest.combine(parsed)
    ctx = dataclasses.replace(ctx, files=tuple(
        FileRows(url=p.fetched.result.url, rows_now=p.frame.height, rows_before=p.rows_before,
                 period_key=p.period_key, shrank=p.shrank)
        for p in parsed
    ))

    def bookkeeping(c: duckdb.DuckDBPyConnection) -> None:
        for p in parsed:
            fetcher.mark_loaded(c, ingest.dataset, p.fetched, p.frame.height, p.period_key)
        if ingest.also_write is not None:
            ingest.also_write(c, parsed)

    known_at = datetime.now(UTC)
    try:
        report = publish_batch(
            con, ingest.table, batch, dataset=ingest.dataset, known_at=known_at,
            audit=lambda c, b: audit(ingest.table.name, c, b, ctx),
            source_url=", ".join(p.fetched.result.url for p in parsed),
            raw_sha256=", ".join(p.fetched.sha256 or "" for p in parsed),
            also_in_transaction=bookkeeping,
            window=withdrawal_window(ingest, parsed),
        )
    except BatchRejected as rejected:
        for p in parsed:  # the manifest too, so a replay never loads these bytes
            fetcher.flag(p.fetched, f"rejected: {rejected}")
        record_outcomes(con, ingest.table.name, ingest.asset_key.to_user_string(),
                        rejected.outcomes, run_id=context.run.run_id)
        yield from check_results(ingest.asset_key, rejected.outcomes)
        # Name the source and the file(s), as every other ingest error does.
        raise SourceError(ingest.source, ", ".join(p.fetched.result.url for p in parsed),
                          str(rejected)) from rejected
    fetcher.record_load(ingest.dataset, known_at, [(p.file.name, p.fetched) for p in parsed])
    record_outcomes(con, ingest.table.name, ingest.asset_key.to_user_string(), report.outcomes,
                    run_id=context.run.run_id)
    empty = sorted({d for p in parsed for d in p.empty_days})
    context.log.info(
        f"{ingest.table.name}: {report.stats.inserted} added, {report.stats.revised} revised,"
        f" {report.stats.withdrawn} withdrawn, {report.stats.unchanged} unchanged from"
        f" {len(parsed)} changed file(s)"
        + (f"; {len(empty)} day(s) with every value missing skipped" if empty else "")
    )
    yield dg.MaterializeResult(
        asset_key=ingest.asset_key,
        metadata=ingest_metadata(report, [p.fetched for p in parsed],
                                 date_column=ingest.date_column, batch=batch,
                                 extra={"empty_rows_skipped": len(empty),
                                        "empty_dates": dg.MetadataValue.json(
                                            [str(d) for d in empty])} if empty else None),
        check_results=check_results(ingest.asset_key, report.outcomes),
    )


def replay_file_ingest(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    fetcher: Fetcher,
    ingest: FileIngest,
) -> dg.MaterializeResult:
    """REPLAY=1: rebuild the table and its `_history` from the manifest's loads, in order, each
    at the moment it first became known, in one transaction. No audit: each batch passed its
    checks when it was first published, and a replay must reproduce exactly that."""
    loads = fetcher.manifest.loads(ingest.dataset)
    files = {f.name: f for f in ingest.files}
    spec = ingest.table.vintaged
    totals = {"inserted": 0, "revised": 0, "withdrawn": 0}
    with transaction(con):
        create_table(con, ingest.table)
        clear_vintaged(con, spec)
        con.execute("DELETE FROM raw.loaded_files WHERE dataset = ?", [ingest.dataset])
        for load in loads:
            parsed = [_replayed(fetcher, ingest, files, body) for body in load["bodies"]]
            batch = ingest.combine(parsed)
            stats = upsert_with_vintages(con, spec, batch,
                                         known_at=datetime.fromisoformat(load["known_at"]),
                                         window=withdrawal_window(ingest, parsed))
            for name in totals:
                totals[name] += getattr(stats, name)
            for p in parsed:
                fetcher.mark_loaded(con, ingest.dataset, p.fetched, p.frame.height, p.period_key)
            if ingest.also_write is not None:
                ingest.also_write(con, parsed)
    context.log.info(f"{ingest.table.name}: rebuilt from {len(loads)} load(s) in the landing"
                     f" zone manifest, history included ({totals['inserted']} inserted,"
                     f" {totals['revised']} revised, {totals['withdrawn']} withdrawn)")
    return dg.MaterializeResult(asset_key=ingest.asset_key, metadata={
        "replayed_loads": len(loads), "table": ingest.table.name,
        **{f"rows_{k}": v for k, v in totals.items()}})


def _replayed(fetcher: Fetcher, ingest: FileIngest, files: dict[str, SourceFile],
              body: dict[str, Any]) -> Parsed:
    f = files.get(body["name"])
    if f is None:
        raise LandingZoneError(ingest.source, body.get("url"),
                               f"replay: the manifest names file {body['name']!r}, which"
                               f" {ingest.dataset} no longer reads")
    fetched = fetcher.body_of(body)
    assert fetched.body is not None
    frame, empty, month = _parse(f, fetched.body)
    period = f.period_of(fetched.body) if f.period_of else None
    return Parsed(f, fetched, frame, period, None, empty, month)


def ingest_spec(
    key: dg.AssetKey, table: TableDef, *, group: str, description: str
) -> dg.AssetSpec:
    """The spec of an ingestion asset. (Dagster makes every output of a `can_subset`
    multi_asset optional; run_ingests and with_outcome still report every selected asset.)"""
    return dg.AssetSpec(key, description=description, group_name=group, kinds=KINDS,
                        metadata={"table": table.name})


def ingest_with(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    publishers: PublishersResource,
    ingests: Iterable[FileIngest],
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Download every selected file without the writer lock, then parse, audit and publish
    under it (`run_ingests`): a slow publisher, a retry or a Retry-After never blocks another
    writer. The lock is taken briefly first to read what was loaded last (for conditional
    GETs and "unchanged, skip")."""
    settings = warehouse.settings()
    selected = [i for i in ingests if i.asset_key in context.selected_asset_keys]
    with warehouse.connect() as con:
        snapshot = loaded_snapshot(con, [i.dataset for i in selected])
    replay = publishers.settings().replay
    fetcher = Fetcher(None, RawStore(settings.raw_dir), None if replay else publishers.client(),
                      replay=replay, snapshot=snapshot)
    downloads = {i.dataset: download(fetcher, i, context.log) for i in selected
                 if not (replay and fetcher.manifest.loads(i.dataset))}
    with warehouse.connect() as con:
        fetcher.attach(con)
        yield from run_ingests(context, con, fetcher, selected, serving_dir=settings.serving_dir,
                               downloads=downloads)


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


def run_ingests(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    fetcher: Fetcher,
    ingests: Iterable[FileIngest],
    *,
    serving_dir: Path,
    downloads: dict[str, Download] | None = None,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Run each selected ingest; one failing table does not stop the others from landing.

    Every selected table reports a materialisation (see the module docstring), so the marts,
    the serving copy and the report downstream of this step always run. A failure is logged,
    kept in meta.refresh_status and fails the run at the end (defs/outcomes.py).
    """
    for ingest in ingests:
        if ingest.asset_key not in context.selected_asset_keys:
            continue
        yield from with_outcome(
            context, con,
            run_file_ingest(context, con, fetcher, ingest,
                            (downloads or {}).get(ingest.dataset)),
            asset_key=ingest.asset_key, table=ingest.table.name, source=ingest.source,
            target=", ".join(f.name for f in ingest.files),
            failed_target=lambda exc, ingest=ingest: _failed_files(exc, ingest),
            data_version=lambda ingest=ingest: table_version(con, ingest.table.name),
        )
    refresh_validation_report(con, serving_dir, context.log)


def _failed_files(exc: BaseException, ingest: FileIngest) -> str | None:
    """The file(s) a SourceError names (by URL), when it names any."""
    url = getattr(exc, "url", None) or ""
    names = [f.name for f in ingest.files if f.url and f.url in url]
    return ", ".join(names) or None


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
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Pass one asset's events through, ending in exactly one materialisation with its data
    version and outcome (loaded, unchanged or failed), recorded in meta.refresh_status."""
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
    yield from carried_over_checks(context, con, asset_key, evaluated)
    yield outcome_result(asset_key, outcome, data_version(), attempt, loaded, trace)


def carried_over_checks(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    asset_key: dg.AssetKey,
    evaluated: set[str],
) -> Iterator[dg.AssetCheckResult]:
    """The latest recorded verdict of each selected check this attempt did not evaluate.

    Batch checks run only on a new batch. When nothing new arrived (or the fetch failed),
    staging still holds the rows the last evaluation judged, so that verdict still stands:
    Dagster shows it, as meta.table_status does, instead of a gap in the asset's checks."""
    wanted = {k.name for k in context.selected_asset_check_keys
              if k.asset_key == asset_key} - evaluated
    if not wanted or not table_exists(con, "meta.check_results"):
        return
    for name, passed, severity, description, evaluated_at in con.execute(
        "SELECT check_name, passed, upper(severity), description, evaluated_at"
        " FROM meta.check_results WHERE asset_key = ? AND list_contains(?, check_name)"
        " QUALIFY row_number() OVER (PARTITION BY check_name ORDER BY evaluated_at DESC) = 1"
        " ORDER BY check_name",
        [asset_key.to_user_string(), sorted(wanted)],
    ).fetchall():
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
) -> dg.MaterializeResult:
    """The materialisation an ingestion asset reports for one attempt."""
    metadata: dict[str, Any] = dict(loaded.metadata or {}) if loaded is not None else {}
    metadata.update({"outcome": outcome, "table": attempt.table_name})
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
