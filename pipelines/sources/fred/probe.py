"""How the watcher learns that FRED's daily release has landed, in one small request.

FRED has no small file to HEAD, so the watcher asks about a bellwether: DGS10 (H.15), the
series the headline spreads wait for. With an API key, `fred/series` says when DGS10 was last
updated (FRED's own stamp, a few hundred bytes); keyless, fredgraph.csv from two weeks back says
which day DGS10 has reached (about 300 bytes). Either answer changes once per release, so the
watcher's run_key (`<probe>:<version>`) runs fred_daily once per release.
"""

from __future__ import annotations

from datetime import timedelta

from pipelines.lib.errors import ParseError
from pipelines.lib.settings import Settings, as_of
from pipelines.sources.fred.parse import parse_fredgraph_csv, parse_series_json
from pipelines.sources.fred.urls import Request, fredgraph_request, series_request

BELLWETHER = "DGS10"
RECENT = timedelta(days=14)  # enough to span any holiday run of missing days


def release_request(settings: Settings) -> Request:
    if settings.fred_api_key:
        return series_request(settings.fred_api_url, BELLWETHER, settings.fred_api_key)
    return fredgraph_request(settings.fred_graph_url, BELLWETHER, as_of() - RECENT)


def release_version(settings: Settings, body: bytes) -> str:
    """FRED's last_updated stamp (API), or the newest day with a value (keyless)."""
    if settings.fred_api_key:
        return f"{BELLWETHER} updated {parse_series_json(body).last_updated.isoformat()}"
    frame = parse_fredgraph_csv(body, BELLWETHER)
    if frame.is_empty():  # an outage's empty answer is no release: never run on it
        raise ParseError(f"fredgraph.csv has no {BELLWETHER} value in the last {RECENT.days} days")
    return f"{BELLWETHER} through {frame['date'].max()}"
