"""Fetch → parse → audit → publish for one staging table fed by whole files.

Downloads happen before the writer lock (`download`); parsing, the audit and the publish run
under it (`ingest`). A body identical to the last loaded copy is unchanged and not parsed. A
rejected batch raises `Rejected`, carrying its check outcomes and the SourceError to report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import polars as pl

from pipelines.lib.datasets import Dataset, Parsed, SourceFile
from pipelines.lib.errors import ParseError, PipelineError, SourceError
from pipelines.lib.fetcher import Fetched, Fetcher
from pipelines.lib.publish import BatchRejected, CheckOutcome, PublishReport, publish_batch
from pipelines.lib.vintages import Window
from pipelines.validation.audit import audit, freshness
from pipelines.validation.context import AuditContext, FileRows, as_of_from_env
from pipelines.validation.results import record_outcomes


@dataclass(frozen=True)
class FileIngest:
    """A dataset and the files it reads under this run's settings (URLs depend on them)."""

    dataset: Dataset
    files: tuple[SourceFile, ...]

    @property
    def source(self) -> str:
        return self.dataset.publisher

    @property
    def name(self) -> str:
        return self.dataset.name


@dataclass(frozen=True)
class IngestResult:
    """What one ingest did: `loaded` (a batch published or a replay), the check outcomes it
    evaluated, and the metadata an operator reads (plain values)."""

    loaded: bool
    outcomes: tuple[CheckOutcome, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)


class Rejected(Exception):
    """The audit refused the batch: its outcomes, and the error naming source and files."""

    def __init__(self, outcomes: Sequence[CheckOutcome], error: SourceError) -> None:
        super().__init__(str(error))
        self.outcomes = tuple(outcomes)
        self.error = error


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
            fetched = fetcher.fetch_if_changed(ingest.source, ingest.name, f.url, expect=f.expect)
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
    if changed and ingest.dataset.combine_with_unchanged:
        for f in unchanged:
            kept = fetcher.from_landing_zone(ingest.source, ingest.name, f.url)
            if kept is not None:
                changed.append((f, kept))
    parsed: list[Parsed] = []
    for f, fetched in sorted(changed, key=lambda fc: ingest.files.index(fc[0])):
        assert fetched.body is not None
        try:
            frame, empty, month = parse(f, fetched.body)
            period = f.period_of(fetched.body) if f.period_of else None
        except ParseError as exc:
            fetcher.flag(fetched, f"parse error: {exc}")
            raise SourceError(ingest.source, fetched.result.url, f"{f.name}: {exc}") from exc
        before = fetcher.loaded(ingest.name, fetched.result.url)
        rows_before = before.rows if before is not None and before.period_key == period else None
        shrank = None
        if rows_before is not None and before is not None and frame.height < rows_before:
            rows_before, shrank = _what_shrank(fetcher, ingest, f, before.sha256, frame, empty,
                                               rows_before)
        parsed.append(Parsed(f, fetched, frame, period, rows_before, empty, month, shrank))
    return parsed


def parse(f: SourceFile, body: bytes) -> tuple[pl.DataFrame, tuple[date, ...], date | None]:
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
        previous, _, _ = parse(f, fetcher.store.get(ingest.source, sha256))
    except (OSError, ParseError):
        return rows_before, None  # cannot say more than the counts
    column = ingest.dataset.date_column
    if column not in previous.columns or column not in frame.columns:
        return rows_before, None
    present = set(frame[column].to_list()) | set(empty)
    gone = sorted(set(previous[column].to_list()) - present)
    if not gone:
        return None, None
    shown = ", ".join(str(d) for d in gone[:5]) + (", ..." if len(gone) > 5 else "")
    return rows_before, f"{len(gone)} date(s) of the last accepted copy are gone: {shown}"


def date_range(frame: pl.DataFrame, column: str) -> tuple[date | None, date | None]:
    if frame.is_empty() or column not in frame.columns:
        return None, None
    return frame[column].min(), frame[column].max()  # type: ignore[return-value]


def withdrawal_window(ingest: FileIngest, parsed: list[Parsed]) -> Window | None:
    """The dates the changed files answer for: the month a file declares, else the span of its
    rows. A value staged inside it that the batch lacks has been withdrawn."""
    column = ingest.dataset.date_column
    ranges: list[tuple[date | None, date | None]] = []
    for p in parsed:
        if p.month is not None:
            end = date(p.month.year + p.month.month // 12, p.month.month % 12 + 1, 1)
            ranges.append((p.month, end - timedelta(days=1)))
        elif column in p.frame.columns and not p.frame.is_empty():
            ranges.append(date_range(p.frame, column))
    return Window(column, tuple(ranges)) if ranges else None


def batch_metadata(
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
        "source_urls": [f.result.url for f in fetched],
        "http_status": [f.result.status for f in fetched],
        "bytes": sum(len(f.body or b"") for f in fetched),
        "raw_sha256": [f.sha256 for f in fetched],
        "warnings": sum(1 for o in report.outcomes if not o.passed),
    }
    meta.update(extra or {})
    return {k: v for k, v in meta.items() if v is not None}


def ingest(
    con: duckdb.DuckDBPyConnection,
    fetcher: Fetcher,
    job: FileIngest,
    log: Any,
    run_id: str,
    downloaded: Download | None = None,
) -> IngestResult:
    """Parse the changed files, audit the combined batch and publish it (write-audit-publish).

    Nothing changed: only `fresh_as_of` is judged, from staging. Rejected: raises `Rejected`.
    """
    ds = job.dataset
    ctx = AuditContext(as_of=as_of_from_env(), series=None, files=())
    parsed = fetch_changed(fetcher, job, log, downloaded)
    if not parsed:
        outcome = freshness(ds.table_name, con, ctx)
        record_outcomes(con, ds.table_name, ds.key_path, [outcome], run_id=run_id)
        return IngestResult(loaded=False, outcomes=(outcome,))
    batch = ds.combine(parsed)
    ctx = dataclasses.replace(ctx, files=tuple(
        FileRows(url=p.fetched.result.url, rows_now=p.frame.height, rows_before=p.rows_before,
                 period_key=p.period_key, shrank=p.shrank)
        for p in parsed
    ))

    def bookkeeping(c: duckdb.DuckDBPyConnection) -> None:
        for p in parsed:
            fetcher.mark_loaded(c, ds.name, p.fetched, p.frame.height, p.period_key)
        if ds.also_write is not None:
            ds.also_write(c, parsed)

    known_at = datetime.now(UTC)
    urls = ", ".join(p.fetched.result.url for p in parsed)
    try:
        report = publish_batch(
            con, ds.table, batch, dataset=ds.name, known_at=known_at,
            audit=lambda c, b: audit(ds.table_name, c, b, ctx),
            source_url=urls, raw_sha256=", ".join(p.fetched.sha256 or "" for p in parsed),
            also_in_transaction=bookkeeping, window=withdrawal_window(job, parsed),
        )
    except BatchRejected as rejected:
        for p in parsed:  # the manifest too, so a replay never loads these bytes
            fetcher.flag(p.fetched, f"rejected: {rejected}")
        record_outcomes(con, ds.table_name, ds.key_path, rejected.outcomes, run_id=run_id)
        # Name the source and the file(s), as every other ingest error does.
        raise Rejected(rejected.outcomes, SourceError(ds.publisher, urls, str(rejected))) \
            from rejected
    fetcher.record_load(ds.name, known_at, [(p.file.name, p.fetched) for p in parsed])
    record_outcomes(con, ds.table_name, ds.key_path, report.outcomes, run_id=run_id)
    empty = sorted({d for p in parsed for d in p.empty_days})
    log.info(
        f"{ds.table_name}: {report.stats.inserted} added, {report.stats.revised} revised,"
        f" {report.stats.withdrawn} withdrawn, {report.stats.unchanged} unchanged from"
        f" {len(parsed)} changed file(s)"
        + (f"; {len(empty)} day(s) with every value missing skipped" if empty else "")
    )
    extra = ({"empty_rows_skipped": len(empty), "empty_dates": [str(d) for d in empty]}
             if empty else None)
    return IngestResult(
        loaded=True, outcomes=tuple(report.outcomes),
        metadata=batch_metadata(report, [p.fetched for p in parsed],
                                date_column=ds.date_column, batch=batch, extra=extra),
    )


def failed_files(exc: BaseException, job: FileIngest) -> str | None:
    """The file(s) a SourceError names (by URL), when it names any."""
    url = getattr(exc, "url", None) or ""
    names = [f.name for f in job.files if f.url and f.url in url]
    return ", ".join(names) or None
