"""Request builders for FRED: (url, params) pairs, so the client only does HTTP.

The host comes from configuration (FRED_GRAPH_URL / FRED_API_URL) and the paths are FRED's own,
so a local replica only changes the host. The API key travels in `params` only; whoever logs a
request must redact it (pipelines.lib).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from urllib.parse import urlsplit

from pipelines.sources.fred.catalogue import validate_series_id

FREDGRAPH_PATH = "/graph/fredgraph.csv"
OBSERVATIONS_PATH = "/fred/series/observations"
SERIES_PATH = "/fred/series"
VINTAGEDATES_PATH = "/fred/series/vintagedates"

MAX_OBSERVATIONS_LIMIT = 100_000  # API maximum and default for observations
MAX_VINTAGEDATES_LIMIT = 10_000  # API maximum for vintagedates
MAX_VINTAGE_DATES = 2_000  # per observations request, else "Bad Request. This exceeds..."

Request = tuple[str, dict[str, str]]


def fredgraph_request(
    base_url: str, series_id: str, cosd: date, coed: date | None = None
) -> Request:
    """Keyless CSV download. `cosd` is always sent: without it FRED may apply a default window."""
    if coed is not None and coed < cosd:
        raise ValueError(f"coed {coed} is before cosd {cosd}")
    params = {"id": validate_series_id(series_id), "cosd": cosd.isoformat()}
    if coed is not None:
        params["coed"] = coed.isoformat()
    return _endpoint(base_url, FREDGRAPH_PATH), params


def observations_request(
    base_url: str,
    series_id: str,
    api_key: str,
    *,
    observation_start: date | None = None,
    observation_end: date | None = None,
    realtime_start: date | None = None,
    realtime_end: date | None = None,
    vintage_dates: Iterable[date] | None = None,
    limit: int = MAX_OBSERVATIONS_LIMIT,
    offset: int = 0,
) -> Request:
    """One page of `fred/series/observations`, oldest first; page on with `offset`."""
    _check_page(limit, offset, MAX_OBSERVATIONS_LIMIT)
    params = _api_params(series_id, api_key)
    params |= _dates(
        observation_start=observation_start,
        observation_end=observation_end,
        realtime_start=realtime_start,
        realtime_end=realtime_end,
    )
    if vintage_dates is not None:
        vintages = sorted(set(vintage_dates))
        if not 0 < len(vintages) <= MAX_VINTAGE_DATES:
            raise ValueError(
                f"vintage_dates holds {len(vintages)} dates; send 1..{MAX_VINTAGE_DATES} "
                "per request (see split_vintage_dates)"
            )
        params["vintage_dates"] = ",".join(day.isoformat() for day in vintages)
    params |= {"sort_order": "asc", "limit": str(limit), "offset": str(offset)}
    return _endpoint(base_url, OBSERVATIONS_PATH), params


def series_request(base_url: str, series_id: str, api_key: str) -> Request:
    """Series metadata (`fred/series`): title, units, frequency, last_updated."""
    return _endpoint(base_url, SERIES_PATH), _api_params(series_id, api_key)


def vintagedates_request(
    base_url: str,
    series_id: str,
    api_key: str,
    *,
    realtime_start: date | None = None,
    realtime_end: date | None = None,
    limit: int = MAX_VINTAGEDATES_LIMIT,
    offset: int = 0,
) -> Request:
    """The dates on which the series was revised (`fred/series/vintagedates`)."""
    _check_page(limit, offset, MAX_VINTAGEDATES_LIMIT)
    params = _api_params(series_id, api_key)
    params |= _dates(realtime_start=realtime_start, realtime_end=realtime_end)
    params |= {"sort_order": "asc", "limit": str(limit), "offset": str(offset)}
    return _endpoint(base_url, VINTAGEDATES_PATH), params


def split_vintage_dates(
    dates: Iterable[date], cap: int = MAX_VINTAGE_DATES
) -> list[tuple[date, ...]]:
    """Sorted, de-duplicated chunks of at most `cap` dates, one per observations request."""
    if cap < 1:
        raise ValueError(f"cap must be at least 1, got {cap}")
    ordered = sorted(set(dates))
    return [tuple(ordered[i : i + cap]) for i in range(0, len(ordered), cap)]


def _endpoint(base_url: str, path: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"base URL must be http(s)://host[/prefix], got {base_url!r}")
    return base_url.rstrip("/") + path


def _api_params(series_id: str, api_key: str) -> dict[str, str]:
    if not api_key or not api_key.isalnum():
        raise ValueError("FRED API key must be non-empty and alphanumeric (value not shown)")
    return {"series_id": validate_series_id(series_id), "api_key": api_key, "file_type": "json"}


def _dates(**named: date | None) -> dict[str, str]:
    return {name: day.isoformat() for name, day in named.items() if day is not None}


def _check_page(limit: int, offset: int, max_limit: int) -> None:
    if not 1 <= limit <= max_limit:
        raise ValueError(f"limit must be 1..{max_limit}, got {limit}")
    if offset < 0:
        raise ValueError(f"offset must be >= 0, got {offset}")
