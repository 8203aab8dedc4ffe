"""One refresh of the FRED catalogue: fetch concurrently, write from one thread, fail per series.

Worker threads do the HTTP (fetch.py); the caller's thread parses, audits and publishes each
series as its responses arrive, because DuckDB takes one writer. A series that cannot be
fetched, parsed or published ends as a `SeriesResult` with `error` set and failed check
outcomes; the others still land. No Dagster here: assets.py turns results into events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

import duckdb
import polars as pl

from pipelines.ingest.fred import updates
from pipelines.ingest.fred.alfred import replace_vintages
from pipelines.ingest.fred.batch import observations_batch, series_from_catalogue, series_from_meta
from pipelines.ingest.fred.fetch import (
    KEYLESS_DATASET,
    Endpoints,
    SeriesFetch,
    fetch_api,
    fetch_keyless,
)
from pipelines.ingest.fred.plan import Window as RequestWindow
from pipelines.ingest.fred.plan import observation_window, untouched_since_check
from pipelines.ingest.fred.state import StoredSeries, ensure_fred_tables, read_state
from pipelines.ingest.fred.unit_changes import (
    UnitChange,
    detect_unit_change,
    record_unit_change,
)
from pipelines.lib.errors import ParseError, SourceError
from pipelines.lib.publish import ERROR, BatchRejected, CheckOutcome, PublishReport, publish_batch
from pipelines.lib.raw import Fetched, Fetcher
from pipelines.lib.redact import redact_text
from pipelines.lib.vintages import (
    UpsertStats,
    Window,
    batch_is_current,
    clear_vintaged,
    upsert_with_vintages,
)
from pipelines.lib.warehouse import transaction
from pipelines.sources.fred import (
    SeriesSpec,
    parse_fredgraph_csv,
    parse_observations_json,
    parse_series_json,
    usd_bn_scale_for_units,
)
from pipelines.sources.fred.urls import MAX_OBSERVATIONS_LIMIT
from pipelines.staging.fred import FRED_OBSERVATIONS, FRED_SERIES
from pipelines.validation import checks
from pipelines.validation.audit import audit, freshness
from pipelines.validation.context import AuditContext, FileRows, as_of_from_env
from pipelines.validation.results import record_outcomes
from pipelines.validation.suites import warm_up

TABLE = FRED_OBSERVATIONS.name


class Log(Protocol):
    def info(self, msg: str) -> None: ...
    def warning(self, msg: str) -> None: ...
    def error(self, msg: str) -> None: ...


@dataclass(frozen=True)
class LoadOptions:
    alfred_backfill: bool = False
    page_limit: int = MAX_OBSERVATIONS_LIMIT
    # Threads waiting on the shared "fred" limiter: a few keep it busy while others parse.
    max_workers: int = 4


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


def asset_key_string(series_id: str) -> str:
    return f"fred/{series_id}"


def refresh(
    con: duckdb.DuckDBPyConnection,
    fetcher: Fetcher,
    specs: Sequence[SeriesSpec],
    *,
    endpoints: Endpoints,
    api_key: str | None,
    options: LoadOptions,
    log: Log,
    run_id: str | None = None,
) -> Iterator[SeriesResult]:
    """Refresh `specs`, yielding each series' result as soon as it is published."""
    ensure_fred_tables(con)
    state = read_state(con, [s.id for s in specs])
    as_of = as_of_from_env()
    if options.alfred_backfill and not api_key:
        log.warning("FRED: ALFRED vintages need the API (set FRED_API_KEY); backfill skipped")

    listed = _updates(con, fetcher, endpoints, api_key, options, specs, as_of, log)

    def work(spec: SeriesSpec) -> SeriesFetch:
        if listed is not None and untouched_since_check(state[spec.id], listed.metas.get(spec.id)):
            # FRED did not touch it since the last check: no request (notes are warnings).
            return SeriesFetch(spec, "api", observation_window(spec, state[spec.id]),
                               changed=False)
        if api_key:
            fetched = fetch_api(fetcher, endpoints, api_key, spec, state[spec.id],
                                alfred_backfill=options.alfred_backfill,
                                page_limit=options.page_limit)
        else:
            fetched = fetch_keyless(fetcher, endpoints, spec, state[spec.id], today=as_of)
        if fetched.changed and state[spec.id].rows == 0:
            # A first load will certainly be audited: import GX while the fetches queue. A
            # re-read window may turn out to hold nothing new, and then nothing imports it.
            warm_up()
        return fetched

    if fetcher.replay:
        rebuilt = [s for s in specs if fetcher.manifest.loads(asset_key_string(s.id))]
        for spec in rebuilt:
            result = _settle_replay(con, fetcher, spec, log)
            record_outcomes(con, TABLE, result.asset_key, list(result.outcomes), run_id=run_id)
            yield result
        specs = [s for s in specs if s not in rebuilt]  # older landing zones: newest body
        if not specs:
            return
    pool = ThreadPoolExecutor(max_workers=max(1, min(options.max_workers, len(specs))),
                              thread_name_prefix="fred-fetch")
    try:
        futures: dict[Future[SeriesFetch], SeriesSpec] = {pool.submit(work, s): s for s in specs}
        current: list[str] = []
        for future in as_completed(futures):
            spec = futures[future]
            result = _settle(con, fetcher, spec, future, state[spec.id], as_of, log)
            record_outcomes(con, TABLE, result.asset_key, list(result.outcomes), run_id=run_id)
            if result.error is None:
                current.append(spec.id)
            yield result
        if api_key and not options.alfred_backfill and not fetcher.replay:
            # These series are current as of today: their next refresh asks only for updates.
            # A failed one keeps its older check, so the next question reaches back to it.
            updates.record_check(con, current, as_of)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _updates(
    con: duckdb.DuckDBPyConnection, fetcher: Fetcher, endpoints: Endpoints,
    api_key: str | None, options: LoadOptions, specs: Sequence[SeriesSpec], as_of: date,
    log: Log,
) -> updates.Updates | None:
    """API mode: what FRED updated since the last complete check (one request per 1000
    series), or None to ask fred/series per series (no recent check, ALFRED backfill, replay,
    or the question failed)."""
    if not api_key or options.alfred_backfill or fetcher.replay:
        return None
    since = updates.window_start(updates.last_check(con, [s.id for s in specs]), as_of)
    if since is None:
        return None
    try:
        return updates.ask(fetcher, endpoints.api_url, api_key, since, as_of,
                           {s.id for s in specs})
    except SourceError as exc:
        log.warning(f"FRED: fred/series/updates failed ({exc}); asking fred/series per series")
        return None


def _settle(
    con: duckdb.DuckDBPyConnection,
    fetcher: Fetcher,
    spec: SeriesSpec,
    future: Future[SeriesFetch],
    stored: StoredSeries,
    as_of: date,
    log: Log,
) -> SeriesResult:
    """Publish one series' fetch, or turn whatever went wrong into a failed result."""
    key = asset_key_string(spec.id)
    fetched: SeriesFetch | None = None
    try:
        fetched = future.result()
        return publish_series(con, fetcher, fetched, stored, as_of, log)
    except BatchRejected as exc:
        for body in fetched.responses if fetched is not None else ():
            fetcher.flag(body, f"rejected: {exc}")  # the manifest too: replay skips it
        return _failed(spec, key, str(exc), exc.outcomes, fetched, log)
    except (SourceError, ParseError) as exc:
        outcome = _failed_outcome(checks.SCHEMA_MATCHES, spec, f"no usable response: {exc}")
        return _failed(spec, key, str(exc), [outcome], fetched, log)
    except Exception as exc:  # one series' bug must not sink the others
        message = f"{type(exc).__name__}: {exc}"
        outcome = _failed_outcome(checks.SCHEMA_MATCHES, spec, f"load failed: {message}")
        return _failed(spec, key, message, [outcome], fetched, log)


def publish_series(
    con: duckdb.DuckDBPyConnection,
    fetcher: Fetcher,
    fetched: SeriesFetch,
    stored: StoredSeries,
    as_of: date,
    log: Log,
) -> SeriesResult:
    """Parse (keyless), audit and publish one series; ALFRED vintages after, if fetched."""
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
    if fetched.mode == "keyless":
        batch, files = _keyless_batch(fetcher, fetched)
    else:
        batch, files = _api_batch(fetcher, fetched, log)
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
    change = detect_unit_change(con, stored, batch)
    known_at = datetime.now(UTC)
    # The audit judges magnitudes in the unit each row states (catalogue range re-expressed).
    ctx = AuditContext(as_of=as_of, series=spec, files=files)
    report = publish_batch(
        con, FRED_OBSERVATIONS, batch, dataset=key,
        audit=lambda c, b: audit(TABLE, c, b, ctx), known_at=known_at,
        source_url=", ".join(f.result.url for f in fetched.responses),
        raw_sha256=", ".join(f.sha256 or "" for f in fetched.responses),
        also_in_transaction=_bookkeeping(fetcher, fetched, batch, change, known_at),
        window=window,
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


def _settle_replay(
    con: duckdb.DuckDBPyConnection, fetcher: Fetcher, spec: SeriesSpec, log: Log
) -> SeriesResult:
    key = asset_key_string(spec.id)
    try:
        return replay_series(con, fetcher, spec, log)
    except (SourceError, ParseError) as exc:
        outcome = _failed_outcome(checks.SCHEMA_MATCHES, spec, f"replay failed: {exc}")
        return _failed(spec, key, str(exc), [outcome], None, log)


def replay_series(
    con: duckdb.DuckDBPyConnection, fetcher: Fetcher, spec: SeriesSpec, log: Log
) -> SeriesResult:
    """REPLAY=1: rebuild one series (observations, series row, unit changes, with history)
    from the manifest's loads, in order, each at the moment it first became known; one
    transaction, no audit (each batch passed its checks when first published)."""
    key = asset_key_string(spec.id)
    loads = fetcher.manifest.loads(key)
    totals = {"inserted": 0, "revised": 0, "withdrawn": 0}
    batch = pl.DataFrame()
    with transaction(con):
        clear_vintaged(con, FRED_OBSERVATIONS.vintaged, {"series_id": spec.id})
        clear_vintaged(con, FRED_SERIES.vintaged, {"series_id": spec.id})
        con.execute("DELETE FROM staging.fred_unit_changes WHERE series_id = ?", [spec.id])
        for load in loads:
            fetched, batch = _replayed_fetch(fetcher, spec, load)
            stored = read_state(con, [spec.id])[spec.id]
            change = detect_unit_change(con, stored, batch)
            known_at = datetime.fromisoformat(load["known_at"])
            window = Window("date", ((fetched.window.start, None),), {"series_id": spec.id})
            stats = upsert_with_vintages(con, FRED_OBSERVATIONS.vintaged, batch,
                                         known_at=known_at, window=window)
            _bookkeeping(fetcher, fetched, batch, change, known_at)(con)
            for name in totals:
                totals[name] += getattr(stats, name)
    log.info(f"FRED {spec.id}: rebuilt from {len(loads)} load(s) in the landing zone manifest,"
             f" history included ({totals['inserted']} inserted, {totals['revised']} revised,"
             f" {totals['withdrawn']} withdrawn)")
    stats = UpsertStats(totals["inserted"], totals["revised"], 0, 0, totals["withdrawn"])
    report = PublishReport(key, TABLE, batch.height, stats, ())
    return SeriesResult(spec, key, (), report, (), batch,
                        {"fetch_mode": "replay", "replayed_loads": len(loads)})


def _replayed_fetch(
    fetcher: Fetcher, spec: SeriesSpec, load: dict[str, Any]
) -> tuple[SeriesFetch, pl.DataFrame]:
    bodies = tuple(fetcher.body_of(b) for b in load["bodies"])
    window = RequestWindow(date.fromisoformat(load["window_start"]), full_history=False)
    if load["mode"] == "keyless":
        (csv,) = bodies
        frame = parse_fredgraph_csv(csv.body or b"", spec.id)
        batch = observations_batch(spec.id, frame, units=load["units"],
                                   scale=load["usd_bn_scale"], mode="keyless")
        return SeriesFetch(spec, "keyless", window, True, bodies, csv=csv), batch
    meta = parse_series_json(bodies[0].body or b"")
    frame = pl.concat([parse_observations_json(b.body or b"").frame for b in bodies[1:]])
    batch = observations_batch(spec.id, frame, units=meta.units,
                               scale=usd_bn_scale_for_units(meta.units), mode="api")
    return SeriesFetch(spec, "api", window, True, bodies, meta=meta, observations=frame), batch


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


def _bookkeeping(
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
    if fetched.not_due:
        return "next observation not due yet, not requested"
    if fetched.mode == "api":
        stamp = fetched.meta.last_updated.isoformat() if fetched.meta else "?"
        return f"FRED last_updated {stamp}"
    return "same bytes for the same request"


def _failed_outcome(check: str, spec: SeriesSpec, message: str) -> CheckOutcome:
    return CheckOutcome(name=check, passed=False, severity=ERROR,
                        description=redact_text(f"{spec.id}: {message}"))


def _failed(
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
