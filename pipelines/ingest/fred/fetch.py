"""The HTTP side of one series' refresh, run in a worker thread.

Workers only talk to FRED (through the shared Fetcher, whose "fred" limiter keeps the whole
pool within FRED's 2 requests/s and 120/min, and which lands every body in raw/). They never
write DuckDB. In API mode they parse the small JSON answers they need to decide what to ask
next (`last_updated`, the page `count`); the keyless CSV is parsed by the main thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

import polars as pl

from pipelines.ingest.fred.plan import (
    ALFRED_REALTIME_END,
    ALFRED_REALTIME_START,
    Window,
    asked_today,
    metadata_unchanged,
    nothing_due,
    observation_window,
    units_changed,
)
from pipelines.ingest.fred.state import StoredSeries
from pipelines.lib.errors import ParseError, SourceError
from pipelines.lib.fetcher import Fetched, Fetcher
from pipelines.sources.fred import (
    ObservationsPage,
    SeriesMeta,
    SeriesSpec,
    fredgraph_request,
    observations_request,
    parse_observations_json,
    parse_series_json,
    series_request,
)
from pipelines.sources.fred.urls import MAX_OBSERVATIONS_LIMIT

T = TypeVar("T")

SOURCE = "fred"
KEYLESS_DATASET = "fred_observations"  # raw.loaded_files: last fredgraph body per request URL


@dataclass(frozen=True)
class Endpoints:
    graph_url: str
    api_url: str


@dataclass(frozen=True)
class SeriesFetch:
    """What the worker brought back for one series; `changed` False means nothing to do."""

    spec: SeriesSpec
    mode: str  # "keyless" | "api"
    window: Window
    changed: bool
    responses: tuple[Fetched, ...] = ()  # the bodies the batch is built from
    csv: Fetched | None = None  # keyless: the body to parse (and mark loaded)
    rows_before: int | None = None  # keyless: rows the previous copy of this URL gave
    meta: SeriesMeta | None = None  # API: fred/series as stated today
    observations: pl.DataFrame | None = None  # API: date, value, realtime_start, realtime_end
    vintages: pl.DataFrame | None = None  # API + ALFRED backfill: every real-time period
    notes: list[str] = field(default_factory=list)
    not_due: bool = False  # not requested: the next observation cannot exist yet
    asked_today: bool = False  # keyless monthly, not requested: already asked today


def fetch_keyless(
    fetcher: Fetcher, endpoints: Endpoints, spec: SeriesSpec, stored: StoredSeries,
    *, today: date | None = None, asked_on: date | None = None,
) -> SeriesFetch:
    """fredgraph.csv from the window start; unchanged bytes for the same request: no body.
    No request at all while the next observation cannot exist yet (`nothing_due`), nor for
    a monthly series already asked today (`asked_today`; `asked_on`: its last ask).

    If the catalogue's unit is not the stored one (edited, or the last load was in API mode),
    the whole history is re-read so no row keeps the old unit.
    """
    reload = units_changed(stored, spec.units)
    window = observation_window(spec, stored, reload=reload)
    if nothing_due(spec, stored, today):
        return SeriesFetch(spec, "keyless", window, changed=False, not_due=True)
    if asked_today(spec, stored, asked_on, today):
        return SeriesFetch(spec, "keyless", window, changed=False, not_due=True,
                           asked_today=True)
    url, params = fredgraph_request(endpoints.graph_url, spec.id, window.start)
    fetched = fetcher.fetch_if_changed(SOURCE, KEYLESS_DATASET, url, params=params, expect="csv")
    if fetched is None or fetched.body is None:
        return SeriesFetch(spec, "keyless", window, changed=False)
    before = fetcher.loaded(KEYLESS_DATASET, fetched.result.url)
    return SeriesFetch(
        spec, "keyless", window, changed=True, responses=(fetched,), csv=fetched,
        rows_before=before.rows if before is not None else None,
        notes=[_reread(stored, spec.units)] if reload else [],
    )


def fetch_api(
    fetcher: Fetcher,
    endpoints: Endpoints,
    api_key: str,
    spec: SeriesSpec,
    stored: StoredSeries,
    *,
    alfred_backfill: bool = False,
    page_limit: int = MAX_OBSERVATIONS_LIMIT,
) -> SeriesFetch:
    """fred/series first; observations (paged) only when FRED updated the series since.
    (No `nothing_due` skip here: one metadata request already says whether anything changed,
    same-day revisions included.)"""
    url, params = series_request(endpoints.api_url, spec.id, api_key)
    meta_fetched = fetcher.fetch(SOURCE, url, params=params, expect="json")
    meta = _parsed(fetcher, meta_fetched, parse_series_json)
    if meta.id != spec.id:
        raise SourceError(SOURCE, meta_fetched.result.url,
                          f"fred/series answered for {meta.id}, not {spec.id}")
    reload = units_changed(stored, meta.units)
    window = observation_window(spec, stored, reload=reload)
    vintages = None
    if alfred_backfill:
        vintages, vintage_responses = _pages(
            fetcher, endpoints, api_key, spec, page_limit, observation_start=spec.start,
            realtime_start=ALFRED_REALTIME_START, realtime_end=ALFRED_REALTIME_END,
        )
    if metadata_unchanged(stored, meta.units, meta.last_updated):
        return SeriesFetch(spec, "api", window, changed=False, responses=(meta_fetched,),
                           meta=meta, vintages=vintages)
    frame, responses = _pages(fetcher, endpoints, api_key, spec, page_limit,
                              observation_start=window.start)
    notes = [_reread(stored, meta.units)] if reload else []
    return SeriesFetch(
        spec, "api", window, changed=True, responses=(meta_fetched, *responses), meta=meta,
        observations=frame, vintages=vintages, notes=notes,
    )


def _pages(
    fetcher: Fetcher,
    endpoints: Endpoints,
    api_key: str,
    spec: SeriesSpec,
    page_limit: int,
    *,
    observation_start: date,
    realtime_start: date | None = None,
    realtime_end: date | None = None,
) -> tuple[pl.DataFrame, list[Fetched]]:
    """Every page of one observations query (`offset` += `limit` until `count` is reached)."""
    frames: list[pl.DataFrame] = []
    responses: list[Fetched] = []
    offset, count = 0, None
    while count is None or offset < count:
        url, params = observations_request(
            endpoints.api_url, spec.id, api_key, observation_start=observation_start,
            realtime_start=realtime_start, realtime_end=realtime_end, limit=page_limit,
            offset=offset,
        )
        fetched = fetcher.fetch(SOURCE, url, params=params, expect="json")
        page: ObservationsPage = _parsed(fetcher, fetched, parse_observations_json)
        if page.offset != offset or page.limit < 1 or (count is not None and page.count != count):
            raise SourceError(SOURCE, fetched.result.url,
                              f"paging went astray: asked offset {offset}, got offset"
                              f" {page.offset}, limit {page.limit}, count {page.count}")
        count = page.count
        offset += page.limit
        frames.append(page.frame)
        responses.append(fetched)
    frame = pl.concat(frames) if frames else pl.DataFrame()
    return frame, responses


def _reread(stored: StoredSeries, units: str) -> str:
    return f"units changed from {stored.units!r} to {units!r}: whole history re-read"


def _parsed(fetcher: Fetcher, fetched: Fetched, parse: Callable[[bytes], T]) -> T:
    """Parse a body, naming the URL (no key) on failure."""
    if fetched.body is None:
        raise SourceError(SOURCE, fetched.result.url, "no body (HTTP 304) where one was needed")
    try:
        return parse(fetched.body)
    except ParseError as exc:
        fetcher.flag(fetched, f"parse error: {exc}")  # so replay never loads it again
        raise SourceError(SOURCE, fetched.result.url, str(exc)) from exc
