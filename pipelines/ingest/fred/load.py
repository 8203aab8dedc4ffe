"""One refresh of the FRED catalogue in three phases, so no wait ever holds the writer lock.

1. `prepare`, briefly under the lock: the stored state of each series, the last
   `fred/series/updates` check, and the bodies last loaded (for conditional requests).
2. `download_chunks`, without the lock: worker threads do every request (fetch.py) through
   a detached Fetcher, so FRED's rate limit, a Retry-After, a retry or a slow body keeps no
   other writer out; fetch-log rows wait in the Fetcher until it is attached. The caller's
   thread parses each reply as it arrives and hands over what finished every few seconds,
   each chunk's batches that will certainly be audited (new dates, a first load, a new unit)
   validated as ONE Great Expectations batch (validation/fred_batch.py).
3. `publish`, one chunk per short visit under the lock, while the workers go on waiting
   without it: stage each series (a re-read window may hold nothing new), validate the
   remaining batches to audit as one batch, then audit and publish each.

A series that cannot be fetched, parsed or published ends as a `SeriesResult` with `error`
set and failed check outcomes; the others still land. No Dagster here: assets.py turns
results into events. REPLAY=1 reads only the landing zone, so it has nothing to wait for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import date

import duckdb
import polars as pl

from pipelines.ingest.fred import asks, updates
from pipelines.ingest.fred.fetch import (
    KEYLESS_DATASET,
    Endpoints,
    SeriesFetch,
    fetch_api,
    fetch_keyless,
)
from pipelines.ingest.fred.plan import observation_window, untouched_since_check
from pipelines.ingest.fred.replay import settle_replay
from pipelines.ingest.fred.series import (
    TABLE,
    Log,
    Parsed,
    SeriesResult,
    Staged,
    asset_key_string,
    failed,
    failed_outcome,
    parse_fetch,
    publish_staged,
    stage_series,
)
from pipelines.ingest.fred.state import StoredSeries, ensure_fred_tables, read_state
from pipelines.lib.errors import ParseError, SourceError
from pipelines.lib.fetch_log import LoadedFile, loaded_snapshot
from pipelines.lib.fetcher import Fetcher
from pipelines.lib.publish import BatchRejected
from pipelines.sources.fred import SeriesSpec
from pipelines.sources.fred.urls import MAX_OBSERVATIONS_LIMIT
from pipelines.validation import checks
from pipelines.validation.context import AuditContext, as_of_from_env
from pipelines.validation.fred_batch import validate_catalogue
from pipelines.validation.results import record_outcomes
from pipelines.validation.suites import ExpectationResult, warm_up

__all__ = ["Downloaded", "LoadOptions", "Prepared", "SeriesResult", "download_chunks",
           "prepare", "publish"]


@dataclass(frozen=True)
class LoadOptions:
    alfred_backfill: bool = False
    page_limit: int = MAX_OBSERVATIONS_LIMIT
    # Threads waiting on the shared "fred" limiter: a few keep it busy while others parse.
    max_workers: int = 4


@dataclass(frozen=True)
class Prepared:
    """What the download needs from the warehouse, read in one short visit under the lock."""

    state: dict[str, StoredSeries]
    last_check: date | None
    snapshot: dict[tuple[str, str], LoadedFile]
    as_of: date
    asked: dict[str, date] = field(default_factory=dict)  # keyless: monthly series' last ask


@dataclass(frozen=True)
class Downloaded:
    """One series' fetch, or what went wrong with it (raised again when it is settled); the
    parsed batch, and its GX results when it was validated before the lock."""

    spec: SeriesSpec
    fetched: SeriesFetch | None = None
    error: BaseException | None = None
    parsed: Parsed | None = None
    expectations: list[ExpectationResult] | None = None


def prepare(con: duckdb.DuckDBPyConnection, specs: Sequence[SeriesSpec]) -> Prepared:
    """Phase 1, under the writer lock: create the tables and read the state to plan from."""
    ensure_fred_tables(con)
    ids = [s.id for s in specs]
    return Prepared(state=read_state(con, ids), last_check=updates.last_check(con, ids),
                    snapshot=loaded_snapshot(con, [KEYLESS_DATASET]), as_of=as_of_from_env(),
                    asked=asks.asked_on(con, [s.id for s in specs if s.frequency == "monthly"]))


def download_chunks(
    fetcher: Fetcher,
    specs: Sequence[SeriesSpec],
    prepared: Prepared,
    *,
    endpoints: Endpoints,
    api_key: str | None,
    options: LoadOptions,
    log: Log,
    every_s: float | None = 2.0,
) -> Iterator[tuple[list[Downloaded], bool]]:
    """Phase 2, without the lock: every request the refresh needs, in worker threads.

    The caller's thread parses each reply as it arrives and hands the downloads over in
    chunks (downloads, whether it is the last): what finished, at most every `every_s`
    seconds (None: one chunk at the end), the certainly-new batches of each validated as ONE
    Great Expectations batch. While the
    caller publishes a chunk (a short visit under the lock), the workers keep waiting on
    FRED's rate limit without it, so publishing overlaps the download instead of following
    it. In replay mode only the series the manifest has no loads for are "fetched" (their
    newest body, from the landing zone); the others are rebuilt by `publish`.
    """
    state, as_of = prepared.state, prepared.as_of
    if options.alfred_backfill and not api_key:
        log.warning("FRED: ALFRED vintages need the API (set FRED_API_KEY); backfill skipped")
    if fetcher.replay:  # older landing zones: the newest body
        specs = [s for s in specs if not fetcher.manifest.loads(asset_key_string(s.id))]
    if not specs:
        yield [], True
        return
    listed = _updates(fetcher, endpoints, api_key, options, specs, prepared, log)

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
            fetched = fetch_keyless(fetcher, endpoints, spec, state[spec.id], today=as_of,
                                    asked_on=prepared.asked.get(spec.id))
        if fetched.changed and state[spec.id].rows == 0:
            # A first load will certainly be audited: import GX while the fetches queue. A
            # re-read window may turn out to hold nothing new, and then nothing imports it.
            warm_up()
        return fetched

    def handed(ready: dict[str, Downloaded]) -> list[Downloaded]:
        ordered = [ready[s.id] for s in specs if s.id in ready]  # catalogue order
        ready.clear()
        return _validated(ordered, lambda d: _certainly_new(d, state[d.spec.id]), as_of, log)

    ready: dict[str, Downloaded] = {}
    last = time.monotonic()
    pool = ThreadPoolExecutor(max_workers=max(1, min(options.max_workers, len(specs))),
                              thread_name_prefix="fred-fetch")
    try:
        futures = {pool.submit(work, s): s for s in specs}
        waiting = set(futures)
        while waiting:
            due = None if every_s is None or not ready else last + every_s - time.monotonic()
            finished, waiting = wait(waiting, timeout=None if due is None else max(0.0, due),
                                     return_when=FIRST_COMPLETED)
            for future in finished:
                spec = futures[future]
                try:
                    fetched = future.result()
                except Exception as exc:  # settled (and reported) under the lock, per series
                    ready[spec.id] = Downloaded(spec, error=exc)
                    continue
                parsed = parse_fetch(fetcher, fetched, log) if fetched.changed else None
                ready[spec.id] = Downloaded(spec, fetched, parsed=parsed)
            if waiting and ready and every_s is not None \
                    and time.monotonic() - last >= every_s:
                yield handed(ready), False  # the workers go on while these are published
                last = time.monotonic()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    yield handed(ready), True


def _certainly_new(d: Downloaded, stored: StoredSeries) -> bool:
    """Whether the batch holds rows staging cannot hold yet, so the audit will judge it
    (unless another writer lands it first, and then its results are simply not used)."""
    batch = d.parsed.batch if d.parsed is not None else None
    if batch is None or batch.is_empty():
        return False
    return (stored.last_date is None or batch["date"].max() > stored.last_date
            or batch["units"][0] != stored.units)


def _validated(downloaded: list[Downloaded], wanted: Callable[[Downloaded], bool],
               as_of: date, log: Log) -> list[Downloaded]:
    """The downloads, those `wanted` with their GX results from one stacked validation."""
    chosen = [d for d in downloaded if d.expectations is None and wanted(d)]
    results = _validate_together(
        [(d.parsed.batch, AuditContext(as_of, d.spec)) for d in chosen
         if d.parsed is not None and d.parsed.batch is not None], log)
    if results is None:
        return downloaded
    return [replace(d, expectations=results[d.spec.id]) if d.spec.id in results else d
            for d in downloaded]


def publish(
    con: duckdb.DuckDBPyConnection,
    fetcher: Fetcher,
    specs: Sequence[SeriesSpec],
    downloaded: Sequence[Downloaded],
    prepared: Prepared,
    *,
    api_key: str | None,
    options: LoadOptions,
    log: Log,
    run_id: str | None = None,
) -> Iterator[SeriesResult]:
    """Phase 3, under the lock, with `fetcher` attached: replayed series first, then stage
    every download, validate the staged batches not validated yet as one batch, and audit
    and publish each series."""
    as_of = prepared.as_of
    if fetcher.replay:
        for spec in specs:
            if fetcher.manifest.loads(asset_key_string(spec.id)):
                result = settle_replay(con, fetcher, spec, log)
                record_outcomes(con, TABLE, result.asset_key, list(result.outcomes),
                                run_id=run_id)
                yield result
    # Staging may have moved since `prepare` (another writer): unit changes compare with now.
    state = read_state(con, [d.spec.id for d in downloaded])
    staged: dict[str, Staged | SeriesResult] = {
        d.spec.id: _settle(fetcher, d, lambda d=d: _stage(con, fetcher, d, as_of, log), log)
        for d in downloaded
    }
    judged = {d.spec.id: d for d in _validated(
        list(downloaded), lambda d: isinstance(staged[d.spec.id], Staged), as_of, log)}
    current: list[str] = []
    for d in downloaded:
        step = staged[d.spec.id]
        if isinstance(step, Staged):
            step = _settle(fetcher, d, lambda s=step: publish_staged(
                con, fetcher, s, state[s.spec.id], as_of, log,
                judged[s.spec.id].expectations), log)
        assert isinstance(step, SeriesResult)
        record_outcomes(con, TABLE, step.asset_key, list(step.outcomes), run_id=run_id)
        if step.error is None:
            current.append(d.spec.id)
        yield step
    if downloaded and api_key and not options.alfred_backfill and not fetcher.replay:
        # These series are current as of today: their next refresh asks only for updates.
        # A failed one keeps its older check, so the next question reaches back to it.
        updates.record_check(con, current, as_of)
    if not api_key and not fetcher.replay:  # keyless monthly series answered today
        asks.record_asks(con, [d.spec.id for d in downloaded if d.spec.id in current
                               and d.spec.frequency == "monthly" and d.fetched is not None
                               and not d.fetched.not_due], as_of)


def _stage(con: duckdb.DuckDBPyConnection, fetcher: Fetcher, d: Downloaded, as_of: date,
           log: Log) -> Staged | SeriesResult:
    if d.error is not None:
        raise d.error
    assert d.fetched is not None
    return stage_series(con, fetcher, d.fetched, as_of, log, d.parsed)


def _validate_together(
    batches: list[tuple[pl.DataFrame, AuditContext]], log: Log
) -> dict[str, list[ExpectationResult]] | None:
    """Great Expectations results for these batches from one validation, or None (each
    series' audit then runs its own suite, as it would alone)."""
    if not batches:
        return None
    try:
        return validate_catalogue(batches)
    except Exception as exc:  # the per-series path still judges every batch
        log.warning(f"FRED: validating the catalogue as one batch failed ({exc});"
                    " validating series by series")
        return None


def _updates(
    fetcher: Fetcher, endpoints: Endpoints, api_key: str | None, options: LoadOptions,
    specs: Sequence[SeriesSpec], prepared: Prepared, log: Log,
) -> updates.Updates | None:
    """API mode: what FRED updated since the last complete check (one request per 1000
    series), or None to ask fred/series per series (no recent check, ALFRED backfill, replay,
    or the question failed)."""
    if not api_key or options.alfred_backfill or fetcher.replay:
        return None
    held = [prepared.state[s.id].last_updated for s in specs if s.id in prepared.state]
    since = updates.window_start(prepared.last_check, prepared.as_of, held)
    if since is None:
        return None
    try:
        return updates.ask(fetcher, endpoints.api_url, api_key, since, prepared.as_of,
                           {s.id for s in specs})
    except SourceError as exc:
        log.warning(f"FRED: fred/series/updates failed ({exc}); asking fred/series per series")
        return None


def _settle(
    fetcher: Fetcher,
    d: Downloaded,
    step: Callable[[], Staged | SeriesResult],
    log: Log,
) -> Staged | SeriesResult:
    """Run one step of a series, or turn whatever went wrong into a failed result."""
    spec, fetched = d.spec, d.fetched
    key = asset_key_string(spec.id)
    try:
        return step()
    except BatchRejected as exc:
        for body in fetched.responses if fetched is not None else ():
            fetcher.flag(body, f"rejected: {exc}")  # the manifest too: replay skips it
        return failed(spec, key, str(exc), exc.outcomes, fetched, log)
    except (SourceError, ParseError) as exc:
        outcome = failed_outcome(checks.SCHEMA_MATCHES, spec, f"no usable response: {exc}")
        return failed(spec, key, str(exc), [outcome], fetched, log)
    except Exception as exc:  # one series' bug must not sink the others
        message = f"{type(exc).__name__}: {exc}"
        outcome = failed_outcome(checks.SCHEMA_MATCHES, spec, f"load failed: {message}")
        return failed(spec, key, message, [outcome], fetched, log)
