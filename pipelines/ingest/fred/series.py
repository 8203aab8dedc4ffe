"""One FRED series under the writer lock: parse its fetched bodies, audit, publish.

`stage_series` does everything up to the audit (parse, the reply-only-touches-what-was-asked
rule, "all already in staging"), so a refresh can validate every staged batch as one Great
Expectations batch; `publish_staged` then audits (with those results) and publishes. A series
that cannot be parsed or published ends as a `SeriesResult` with `error` set; the caller
turns any exception into one with `failed`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

import duckdb
import polars as pl

from pipelines.ingest.fred.alfred import replace_vintages
from pipelines.ingest.fred.batch import observations_batch, series_from_catalogue, series_from_meta
from pipelines.ingest.fred.fetch import KEYLESS_DATASET, SeriesFetch
from pipelines.ingest.fred.state import StoredSeries
from pipelines.ingest.fred.unit_changes import (
    UnitChange,
    detect_unit_change,
    record_unit_change,
)
from pipelines.lib.errors import ParseError, SourceError
from pipelines.lib.fetcher import Fetched, Fetcher
from pipelines.lib.publish import ERROR, CheckOutcome, PublishReport, publish_batch
from pipelines.lib.redact import redact_text
from pipelines.lib.vintages import Window, batch_is_current, upsert_with_vintages
from pipelines.sources.fred import (
    SeriesSpec,
    parse_fredgraph_csv,
    usd_bn_scale_for_units,
)
from pipelines.sources.fred.tables import FRED_OBSERVATIONS, FRED_SERIES
from pipelines.validation.audit import audit, freshness
from pipelines.validation.context import AuditContext, FileRows
from pipelines.validation.suites import ExpectationResult

TABLE = FRED_OBSERVATIONS.name


class Log(Protocol):
    def info(self, msg: str) -> None: ...
    def warning(self, msg: str) -> None: ...
    def error(self, msg: str) -> None: ...


@dataclass(frozen=True)
class SeriesResult:
    """How one series' refresh ended. `report` None: nothing materialised."""

    spec: SeriesSpec
    asset_key: str
    outcomes: tuple[CheckOutcome, ...]
    report: PublishReport | None = None
    responses: tuple[Fetched, ...] = ()
    batch: pl.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class Staged:
    """A parsed batch with rows staging does not hold yet: next, the audit and the publish."""

    fetched: SeriesFetch
    batch: pl.DataFrame
    files: tuple[FileRows, ...]
    window: Window
    extra: dict[str, Any]

    @property
    def spec(self) -> SeriesSpec:
        return self.fetched.spec

    def audit_context(self, as_of: date) -> AuditContext:
        """The audit judges magnitudes in the unit each row states (catalogue range
        re-expressed)."""
        return AuditContext(as_of=as_of, series=self.spec, files=self.files)


def asset_key_string(series_id: str) -> str:
    return f"fred/{series_id}"


@dataclass(frozen=True)
class Parsed:
    """A changed fetch parsed into its batch (no warehouse needed), or why it could not be."""

    batch: pl.DataFrame | None = None
    files: tuple[FileRows, ...] = ()
    error: Exception | None = None


def parse_fetch(fetcher: Fetcher, fetched: SeriesFetch, log: Log) -> Parsed:
    """The batch a changed fetch holds; a parse error or a refused reply is kept, to be
    raised where the series is staged (under the writer lock, as any other failure)."""
    try:
        if fetched.mode == "keyless":
            batch, files = _keyless_batch(fetcher, fetched)
        else:
            batch, files = _api_batch(fetcher, fetched, log)
    except Exception as exc:  # settled per series, in order, with the other failures
        return Parsed(error=exc)
    return Parsed(batch, files)


def stage_series(
    con: duckdb.DuckDBPyConnection,
    fetcher: Fetcher,
    fetched: SeriesFetch,
    as_of: date,
    log: Log,
    parsed: Parsed | None = None,
) -> Staged | SeriesResult:
    """One series' fetch, parsed (`parsed`, or here); a result already when there is nothing
    to publish. ALFRED vintages are written here, if fetched."""
    spec = fetched.spec
    key = asset_key_string(spec.id)
    extra: dict[str, Any] = {"fetch_mode": fetched.mode, "requests": len(fetched.responses)}
    for note in fetched.notes:
        log.warning(f"FRED {spec.id}: {note}")
    if fetched.vintages is not None:
        extra["alfred_vintage_rows"] = replace_vintages(con, spec.id, fetched.vintages)
        log.info(f"FRED {spec.id}: {extra['alfred_vintage_rows']} ALFRED real-time periods"
                 " written to staging.fred_vintages")
    if not fetched.changed:
        log.info(f"FRED {spec.id}: unchanged since the last load ({_why(fetched)}), not parsed")
        return _unchanged(con, spec, key, fetched, as_of, extra)
    parsed = parsed or parse_fetch(fetcher, fetched, log)
    if parsed.error is not None:
        raise parsed.error
    batch, files = parsed.batch, parsed.files
    assert batch is not None
    if batch.is_empty():
        log.info(f"FRED {spec.id}: no observations since {fetched.window.start}")
        return _unchanged(con, spec, key, fetched, as_of, extra)
    window = Window("date", ((fetched.window.start, None),), {"series_id": spec.id})
    if batch_is_current(con, FRED_OBSERVATIONS.vintaged, batch, window):
        # The moved window re-read rows staging already holds: nothing to audit or write.
        # Marking the body loaded lets the next identical request skip even the parse.
        if fetched.csv is not None:
            fetcher.mark_loaded(con, KEYLESS_DATASET, fetched.csv, batch.height)
        log.info(f"FRED {spec.id}: {batch.height} rows since {fetched.window.start}, all"
                 " already in staging; not audited, nothing written")
        return _unchanged(con, spec, key, fetched, as_of, extra)
    return Staged(fetched, batch, files, window, extra)


def publish_staged(
    con: duckdb.DuckDBPyConnection,
    fetcher: Fetcher,
    staged: Staged,
    stored: StoredSeries,
    as_of: date,
    log: Log,
    expectations: Sequence[ExpectationResult] | None = None,
) -> SeriesResult:
    """Audit and publish a staged batch. `expectations`: its Great Expectations results, when
    the refresh validated every batch at once (None: the audit runs the suite itself)."""
    fetched, batch, spec = staged.fetched, staged.batch, staged.spec
    key = asset_key_string(spec.id)
    extra = dict(staged.extra)
    change = detect_unit_change(con, stored, batch)
    known_at = datetime.now(UTC)
    ctx = staged.audit_context(as_of)
    report = publish_batch(
        con, FRED_OBSERVATIONS, batch, dataset=key,
        audit=lambda c, b: audit(TABLE, c, b, ctx, expectations=expectations),
        known_at=known_at,
        source_url=", ".join(f.result.url for f in fetched.responses),
        raw_sha256=", ".join(f.sha256 or "" for f in fetched.responses),
        also_in_transaction=bookkeeping(fetcher, fetched, batch, change, known_at),
        window=staged.window,
    )
    fetcher.record_load(key, known_at, [(_body_name(fetched, f), f) for f in fetched.responses],
                        **_load_facts(fetched))
    if change is not None:
        log.warning(f"FRED {change.describe()}")
        extra["unit_change"] = change.describe()
    extra.update(_summary(batch, report))
    stats = report.stats
    log.info(f"FRED {spec.id}: {stats.inserted} added, {stats.revised} revised,"
             f" {stats.carried_updates} re-stated, {stats.withdrawn} withdrawn,"
             f" {stats.unchanged} unchanged from {fetched.window.start}")
    if stats.written == 0:  # nothing new: no materialisation, so nothing downstream rebuilds
        return SeriesResult(spec, key, report.outcomes, None, fetched.responses, batch, extra)
    return SeriesResult(spec, key, report.outcomes, report, fetched.responses, batch, extra)


def _body_name(fetched: SeriesFetch, body: Fetched) -> str:
    if fetched.mode == "keyless":
        return "fredgraph.csv"
    return "series" if body is fetched.responses[0] else "observations"


def _load_facts(fetched: SeriesFetch) -> dict[str, Any]:
    """What a replay needs besides the bodies to rebuild the same batch."""
    return {"mode": fetched.mode, "window_start": fetched.window.start.isoformat(),
            "units": fetched.spec.units, "usd_bn_scale": fetched.spec.usd_bn_scale}


def _keyless_batch(
    fetcher: Fetcher, fetched: SeriesFetch
) -> tuple[pl.DataFrame, tuple[FileRows, ...]]:
    """fredgraph.csv states no unit: the catalogue's, which the audit checks against the
    values' magnitude (a mismatch rejects the batch: an error, never a guess)."""
    spec, body = fetched.spec, fetched.csv
    assert body is not None and body.body is not None
    try:
        frame = parse_fredgraph_csv(body.body, spec.id)
    except ParseError as exc:
        fetcher.flag(body, f"parse error: {exc}")  # so replay never loads it again
        raise SourceError("fred", body.result.url, str(exc)) from exc
    problem = outside_request(spec, fetched.window.start, frame)
    if problem is not None:
        fetcher.flag(body, problem)
        raise SourceError("fred", body.result.url, problem)
    batch = observations_batch(spec.id, frame, units=spec.units, scale=spec.usd_bn_scale,
                               mode="keyless")
    files = (FileRows(url=body.result.url, rows_now=frame.height,
                      rows_before=fetched.rows_before),)
    return batch, files


def outside_request(spec: SeriesSpec, start: date, frame: pl.DataFrame) -> str | None:
    """Why a reply holds rows it was not asked for, or None: a row dated before the requested
    window start, or off the series' calendar (a monthly series is dated on the 1st). A reply
    may only touch what was asked, so the whole reply is refused, naming the first such row."""
    early = frame.filter(pl.col("date") < start).sort("date")
    if early.height:
        row = early.row(0, named=True)
        return (f"reply holds {early.height} row(s) before the requested window start {start}"
                f" (first: {row['date']}, {row['value']}); the whole reply is refused")
    if spec.frequency == "monthly":
        off = frame.filter(pl.col("date").dt.day() != 1).sort("date")
        if off.height:
            row = off.row(0, named=True)
            return (f"row dated {row['date']} is off the calendar of monthly series {spec.id}"
                    " (dated on the 1st); the whole reply is refused")
    return None


def _api_batch(
    fetcher: Fetcher, fetched: SeriesFetch, log: Log
) -> tuple[pl.DataFrame, tuple[FileRows, ...]]:
    """The unit FRED states wins over the catalogue's."""
    spec, meta, frame = fetched.spec, fetched.meta, fetched.observations
    assert meta is not None and frame is not None
    problem = outside_request(spec, fetched.window.start, frame)
    if problem is not None:
        pages = fetched.responses[1:]
        for page in pages:
            fetcher.flag(page, problem)
        raise SourceError("fred", pages[0].result.url if pages else None, problem)
    if meta.units != spec.units:
        log.warning(f"FRED {spec.id}: FRED states units {meta.units!r}, the catalogue"
                    f" {spec.units!r}; using FRED's (update catalogue.yaml)")
    batch = observations_batch(spec.id, frame, units=meta.units,
                               scale=usd_bn_scale_for_units(meta.units), mode="api")
    return batch, ()


def bookkeeping(
    fetcher: Fetcher,
    fetched: SeriesFetch,
    batch: pl.DataFrame,
    change: UnitChange | None,
    known_at: datetime,
) -> Callable[[duckdb.DuckDBPyConnection], None]:
    """Writes that commit with the batch: loaded body, unit-change event, series metadata."""

    def write(c: duckdb.DuckDBPyConnection) -> None:
        spec = fetched.spec
        if fetched.csv is not None:
            fetcher.mark_loaded(c, KEYLESS_DATASET, fetched.csv, batch.height)
        if change is not None:
            record_unit_change(c, change, known_at)
        if fetched.meta is not None:
            series = series_from_meta(fetched.meta, usd_bn_scale_for_units(fetched.meta.units))
        else:
            first, last = c.execute(
                "SELECT min(date), max(date) FROM staging.fred_observations WHERE series_id = ?",
                [spec.id],
            ).fetchall()[0]
            series = series_from_catalogue(spec, first, last)
        upsert_with_vintages(c, FRED_SERIES.vintaged, series, known_at=known_at)

    return write


def _unchanged(
    con: duckdb.DuckDBPyConnection,
    spec: SeriesSpec,
    key: str,
    fetched: SeriesFetch,
    as_of: date,
    extra: dict[str, Any],
) -> SeriesResult:
    """Nothing to write; the freshness check still reports, so a frozen source shows."""
    outcome = freshness(TABLE, con, AuditContext(as_of=as_of, series=spec))
    return SeriesResult(spec, key, (outcome,), None, fetched.responses, None, extra)


def _summary(batch: pl.DataFrame, report: PublishReport) -> dict[str, Any]:
    last = batch.sort("date").tail(1).row(0, named=True)
    return {
        "units": last["units"],
        "last_value": last["value"],
        "last_value_usd_bn": last["value_usd_bn"],
        "rows_restated": report.stats.carried_updates,
    }


def _why(fetched: SeriesFetch) -> str:
    if fetched.asked_today:
        return "monthly, already asked today, not requested again"
    if fetched.not_due:
        return "next observation not due yet, not requested"
    if fetched.mode == "api":
        stamp = fetched.meta.last_updated.isoformat() if fetched.meta else "?"
        return f"FRED last_updated {stamp}"
    return "same bytes for the same request"


def failed_outcome(check: str, spec: SeriesSpec, message: str) -> CheckOutcome:
    return CheckOutcome(name=check, passed=False, severity=ERROR,
                        description=redact_text(f"{spec.id}: {message}"))


def failed(
    spec: SeriesSpec,
    key: str,
    message: str,
    outcomes: Sequence[CheckOutcome],
    fetched: SeriesFetch | None,
    log: Log,
) -> SeriesResult:
    message = redact_text(message)
    urls = [f.result.url for f in fetched.responses] if fetched is not None else []
    where = f" [{', '.join(urls)}]" if urls and not any(u in message for u in urls) else ""
    log.error(f"FRED {spec.id} failed, other series continue: {message}{where}")
    return SeriesResult(spec, key, tuple(outcomes), None,
                        fetched.responses if fetched else (), None, {}, error=message + where)
