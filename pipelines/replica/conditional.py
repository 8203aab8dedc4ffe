"""Strong ETags and Last-Modified for MOF and TIC files, and the 304 decision.

Last-Modified starts at the publisher's release time and moves to "now" (at least one second
later than before) whenever a path's bytes change, so If-Modified-Since works even when a
test publishes twice within one second.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class Validators:
    def __init__(self) -> None:
        self._state: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def for_body(self, path: str, body: bytes, published: datetime) -> tuple[str, datetime]:
        etag = etag_of(body)
        with self._lock:
            prev = self._state.get(path)
            if prev is None:
                lm = published
            elif prev[0] != etag:
                now = datetime.now(UTC).replace(microsecond=0)
                lm = max(now, prev[1] + timedelta(seconds=1))
            else:
                lm = prev[1]
            self._state[path] = (etag, lm)
        return etag, lm


def headers(etag: str, last_modified: datetime) -> dict[str, str]:
    return {"ETag": etag, "Last-Modified": format_datetime(last_modified, usegmt=True)}


def not_modified(req: dict[str, str], etag: str, last_modified: datetime) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
    inm = req.get("if-none-match")
    if inm is not None:
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or etag in tags
    ims = req.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return last_modified <= since
    return False
