"""What the replica publishes: sample snapshot, real files, overrides; routes a GET to it."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipelines.sources.fred.catalogue import SeriesSpec

from . import conditional, fred_api
from .catalogued import with_catalogued
from .fredgraph import fredgraph
from .ratelimit import RateLimiter
from .realfiles import RealFiles
from .responses import Response, html_page, not_found
from .sample import Rendered, Snapshot, snapshot
from .sample.calendars import is_jp_business_day

FREDGRAPH = "/graph/fredgraph.csv"
#: The sample's paths are drawn to 2031-12 (sample.fred_paths.HORIZON); MOF flows start 2005.
AS_OF_RANGE = (date(2006, 1, 1), date(2031, 10, 31))


def check_as_of(day: date) -> date:
    if not AS_OF_RANGE[0] <= day <= AS_OF_RANGE[1]:
        lo, hi = AS_OF_RANGE
        raise ValueError(f"as_of {day} is outside the sample's range {lo}..{hi}")
    return day


def guess_type(path: str) -> str:
    if path.startswith("/fred/"):
        return "application/json"
    for ext, ctype in ((".csv", "text/csv"), (".txt", "text/plain"), (".json", "application/json"),
                       (".xml", "text/xml"), (".htm", "text/html")):
        if path.endswith(ext):
            return ctype
    return "application/octet-stream"


class Site:
    """Thread-safe state behind the HTTP handler (publish_day swaps the snapshot)."""

    def __init__(self, as_of: date, data_dir: Path | None, *, legacy_fred_header: bool,
                 limiter: RateLimiter, graph_limiter: RateLimiter | None = None,
                 synthetic_series: int = 0, catalogue: tuple[SeriesSpec, ...] = ()) -> None:
        self.synthetic = synthetic_series
        self.catalogue = catalogue
        self.snapshot: Snapshot = self._snapshot(check_as_of(as_of))
        self.real = RealFiles.load(data_dir, prefer_legacy=legacy_fred_header) if data_dir \
            else RealFiles()
        self.legacy = legacy_fred_header
        self.limiter = limiter
        # fredgraph.csv has no documented limit; off unless asked (one window per client host).
        self.graph_limiter = graph_limiter or RateLimiter(0, 0)
        self.validators = conditional.Validators()
        self._overrides: dict[tuple[str, tuple[tuple[str, str], ...]], Rendered] = {}
        self._lock = threading.Lock()

    @property
    def as_of(self) -> date:
        return self.snapshot.as_of

    def publish_day(self, day: date | None = None) -> date:
        """Advance to `day`, or to the next weekday that is also a Japanese business day."""
        if day is None:
            day = self.as_of + timedelta(days=1)
            while day.weekday() >= 5 or not is_jp_business_day(day):
                day += timedelta(days=1)
        self.snapshot = self._snapshot(check_as_of(day))
        return day

    def _snapshot(self, day: date) -> Snapshot:
        """The sample on `day`, plus a copy for each `catalogue` series it lacks
        (catalogued.py), plus `synthetic` FRED series SYNTH0001.. (the scale bench): each a
        copy of DGS10 under its own id, so a catalogue can grow without new data."""
        snap = snapshot(day)
        if self.catalogue:
            snap = dataclasses.replace(snap, fred=with_catalogued(snap.fred, self.catalogue))
        if not self.synthetic:
            return snap
        base = snap.fred["DGS10"]
        clones = {f"SYNTH{i:04d}": dataclasses.replace(
            base, spec=dataclasses.replace(base.spec, id=f"SYNTH{i:04d}"))
            for i in range(1, self.synthetic + 1)}
        return dataclasses.replace(snap, fred={**snap.fred, **clones})

    def put(self, target: str, body: bytes, content_type: str | None) -> None:
        path, _, query = target.partition("?")
        params = tuple(sorted(p.partition("=")[::2] for p in query.split("&") if p))
        now = datetime.now(UTC).replace(microsecond=0)
        with self._lock:
            self._overrides[(path, params)] = Rendered(body, content_type or guess_type(path), now)

    def _override(self, path: str, params: dict[str, str]) -> Rendered | None:
        with self._lock:
            best = None
            for (p, need), r in self._overrides.items():
                if p == path and all(params.get(k) == v for k, v in need):
                    if best is None or len(need) > best[0]:
                        best = (len(need), r)
        return best[1] if best else None

    def get(self, path: str, params: dict[str, str], req_headers: dict[str, str],
            client: str = "") -> Response:
        """Resolve one GET (faults aside: the handler applies those first). `client` is the
        caller's host, the only identity a keyless fredgraph.csv request has."""
        is_fred = path.startswith("/fred/") or path == FREDGRAPH
        if path == FREDGRAPH and not self.graph_limiter.allow(client):
            return html_page(429, "Too Many Requests", "Too many requests. Try again later.")
        override = self._override(path, params)
        if override is not None:
            if is_fred:
                return Response(200, override.body, override.content_type)
            return self._static(path, override, req_headers)
        snap = self.snapshot
        if path == FREDGRAPH:
            return fredgraph(params, snap.fred, self.real.fredgraph, legacy=self.legacy)
        if path in fred_api.ENDPOINTS:
            return fred_api.handle(path, params, snap.fred, self.real.api_json, snap.as_of,
                                   self.limiter)
        rendered = self.real.files.get(path) or snap.file(path)
        if rendered is None:
            return not_found(path)
        return self._static(path, rendered, req_headers)

    def _static(self, path: str, r: Rendered, req_headers: dict[str, str]) -> Response:
        etag, lm = self.validators.for_body(path, r.body, r.published)
        headers = conditional.headers(etag, lm)
        if conditional.not_modified(req_headers, etag, lm):
            return Response(304, b"", None, headers)
        return Response(200, r.body, r.content_type, headers)
