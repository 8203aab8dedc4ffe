"""API mode: one `fred/series/updates` question per refresh instead of `fred/series` per series.

FRED lists every series it updated, newest first, with the same metadata `fred/series` gives
(`last_updated` included), 1000 to a page. A refresh asks for the updates since the day of
its last complete check and fetches only the catalogue series that appear with a new
`last_updated`; a series that does not appear was not touched by FRED. FRED keeps about two
weeks of updates, so an older (or missing) check falls back to `fred/series` per series.

The check is dated with the pipeline's own day (AS_OF_DATE or today in UTC) and the window
starts a day before it, at 00:00, and ends a week after it: `start_time`/`end_time` are
FRED's local clock (Central time), and the overlap costs nothing, because a series that
reappears with the `last_updated` staging already holds is skipped without a request.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

from pipelines.lib.errors import ParseError, SourceError
from pipelines.lib.fetcher import Fetched, Fetcher
from pipelines.lib.refresh import create_once
from pipelines.sources.fred import SeriesMeta
from pipelines.sources.fred.parse import parse_series_entry

UPDATES_PATH = "/fred/series/updates"
PAGE_LIMIT = 1000  # FRED's maximum (and default) for fred/series/updates
KEPT = timedelta(days=13)  # FRED keeps about two weeks; one day's margin
SOURCE = "fred"
CHECKS_TABLE = "meta.fred_update_checks"

# In `meta`, not `staging`: bookkeeping, not data, so the serving copy (which carries every
# staging table) is not rebuilt because a refresh found nothing new.
CHECKS_DDL = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.fred_update_checks (
    series_id VARCHAR PRIMARY KEY,
    checked_on DATE NOT NULL,
    checked_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
COMMENT ON TABLE meta.fred_update_checks IS 'API mode: the day each catalogue series was
 last brought up to date; a refresh asks fred/series/updates since the oldest of its series.';
"""


@dataclass(frozen=True)
class Updates:
    """What FRED updated since `since`, for the catalogue series only."""

    since: datetime
    metas: dict[str, SeriesMeta]
    responses: tuple[Fetched, ...]


def last_check(con: duckdb.DuckDBPyConnection, series_ids: list[str]) -> date | None:
    """The day every one of these series was last brought up to date (the oldest of their
    checks; None when one has none). Per series, because each job refreshes its own
    frequency: a daily run's check says nothing about the monthly series."""
    create_once(con, CHECKS_TABLE, CHECKS_DDL)
    rows = con.execute(
        "SELECT count(*), min(checked_on) FROM meta.fred_update_checks"
        " WHERE list_contains(?, series_id)", [series_ids]).fetchall()
    n, oldest = rows[0]  # fetchall: a half-read result blocks the connection
    return oldest if n == len(set(series_ids)) else None


def record_check(con: duckdb.DuckDBPyConnection, series_ids: list[str], today: date) -> None:
    if not series_ids:
        return
    create_once(con, CHECKS_TABLE, CHECKS_DDL)
    con.executemany(
        "INSERT INTO meta.fred_update_checks (series_id, checked_on) VALUES (?, ?)"
        " ON CONFLICT (series_id) DO UPDATE SET checked_on = excluded.checked_on,"
        " checked_at = now()", [[sid, today] for sid in series_ids])


def window_start(
    checked_on: date | None, today: date, held: Iterable[datetime | None] = ()
) -> datetime | None:
    """Where the updates question starts; None: no check, or older than FRED keeps.

    No later than the day before the oldest `last_updated` staging holds (`held`) within
    FRED's two weeks: a check made while FRED served stale data must not hide an update
    FRED made after what staging holds but before that check."""
    if checked_on is None or today - checked_on > KEPT:
        return None
    start = checked_on - timedelta(days=1)
    recent = [h.date() for h in held if h is not None and today - h.date() <= KEPT]
    if recent:
        start = min(start, min(recent) - timedelta(days=1))
    return datetime.combine(start, datetime.min.time())


def ask(fetcher: Fetcher, api_url: str, api_key: str, since: datetime, today: date,
        catalogue: set[str]) -> Updates:
    """Every page of fred/series/updates from `since` on. FRED wants an end with a start;
    a week past `today` keeps a pipeline whose day lags FRED's (AS_OF_DATE in a replay, a
    skewed clock) from missing what FRED already posted."""
    end = datetime.combine(today + timedelta(days=7), datetime.max.time())
    url = api_url.rstrip("/") + UPDATES_PATH
    metas: dict[str, SeriesMeta] = {}
    responses: list[Fetched] = []
    offset, count = 0, None
    while count is None or offset < count:
        params = {"api_key": api_key, "file_type": "json", "filter_value": "all",
                  "start_time": f"{since:%Y%m%d%H%M}", "end_time": f"{end:%Y%m%d%H%M}",
                  "limit": str(PAGE_LIMIT), "offset": str(offset)}
        fetched = fetcher.fetch(SOURCE, url, params=params, expect="json")
        responses.append(fetched)
        items, count = _page(fetched, offset)
        for item in items:
            try:
                meta = parse_series_entry(item)
            except ParseError as exc:
                raise SourceError(SOURCE, fetched.result.url, f"fred/series/updates: {exc}") \
                    from exc
            if meta.id in catalogue and meta.id not in metas:  # newest first: keep the first
                metas[meta.id] = meta
        offset += PAGE_LIMIT
    return Updates(since, metas, tuple(responses))


def _page(fetched: Fetched, offset: int) -> tuple[list[dict[str, object]], int]:
    try:
        payload = json.loads(fetched.body or b"")
        items, count = payload["seriess"], int(payload["count"])
        if int(payload["offset"]) != offset or not isinstance(items, list):
            raise ValueError(f"asked offset {offset}, got {payload['offset']}")
    except (ValueError, KeyError, TypeError) as exc:
        raise SourceError(SOURCE, fetched.result.url,
                          f"fred/series/updates: {type(exc).__name__}: {exc}") from exc
    if not all(isinstance(i, dict) for i in items):
        raise SourceError(SOURCE, fetched.result.url, "fred/series/updates: an item is no object")
    return items, count

