"""`Replica`: start the publishers' replica in a background thread, drive it from tests."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

from pipelines.sources.fred.catalogue import load_catalogue

from .ratelimit import RateLimiter
from .sample import today_utc
from .server import ReplicaServer, RequestRecord
from .site import Site


class Replica:
    """One local server for FRED (graph + API), MOF and TIC at their real paths."""

    def __init__(self, server: ReplicaServer) -> None:
        self._server = server
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=server.serve_forever, name="replica",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @classmethod
    def start(cls, *, as_of: date | None = None, data_dir: Path | None = None, port: int = 0,
              fred_rate_limit: tuple[int, int] = (2, 120), latency_s: float = 0.0,
              fredgraph_rate_limit: tuple[int, int] = (0, 0),
              legacy_fred_header: bool = False, host: str = "127.0.0.1",
              synthetic_series: int = 0, catalogue: Path | str | None = None) -> Replica:
        """Bind host:port (0 = any free port) and serve until `stop()`. `fredgraph_rate_limit`
        (per second, per minute, per client host; 0 = off) is an assumption: FRED documents
        no limit for fredgraph.csv. `catalogue`: also serve each series of this FRED
        catalogue.yaml that the sample lacks (catalogued.py); None serves the sample only."""
        site = Site(as_of or today_utc(), Path(data_dir) if data_dir else None,
                    legacy_fred_header=legacy_fred_header, limiter=RateLimiter(*fred_rate_limit),
                    graph_limiter=RateLimiter(*fredgraph_rate_limit),
                    synthetic_series=synthetic_series,
                    catalogue=load_catalogue(catalogue) if catalogue is not None else ())
        return cls(ReplicaServer((host, port), site, latency_s=latency_s))

    @property
    def as_of(self) -> date:
        return self._server.site.as_of

    def env(self) -> dict[str, str]:
        """Environment variables that point the pipeline's clients at this replica."""
        return {k: self.url for k in ("FRED_GRAPH_URL", "FRED_API_URL", "MOF_URL", "TIC_URL")}

    def inject(self, path_prefix: str, fault: str, *, times: int = 1, **options: Any) -> None:
        """Make the next `times` requests under path_prefix misbehave (times <= 0: until
        cleared). Faults: status(code), 429(retry_after), timeout(seconds), reset, truncate,
        empty, html200, latency(seconds), extra_rows(rows), old_row, not_modified,
        redirect(location, code), echo_400, slow_body(bytes_per_s): see faults.py."""
        self._server.faults.inject(path_prefix, fault, times, **options)

    def clear_faults(self) -> None:
        self._server.faults.clear()

    def put(self, path: str, body: bytes, *, content_type: str | None = None) -> None:
        """Serve these bytes at path (query params in path must match, e.g. `?id=DGS10`)."""
        self._server.site.put(path, body, content_type)

    def publish_day(self, day: date | None = None) -> date:
        """The publishers publish one more business day; returns the new as_of."""
        return self._server.site.publish_day(day)

    @property
    def requests(self) -> list[RequestRecord]:
        with self._server.records_lock:
            return list(self._server.records)

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Replica:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
