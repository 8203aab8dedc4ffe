"""What one HTTP exchange yields (the records kept and returned) and whether a response is usable
as data, kept apart from the client so the checks read and test without a server."""

from __future__ import annotations

import email.utils
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Validators:
    """What a previous 200 told us, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class ResponseRecord:
    """One HTTP exchange as the raw landing zone keeps it (the URL already redacted).

    A non-2xx body has every known secret replaced (a 400 may echo the request URL, key and
    all) and `body_redacted` says so; a 2xx body is kept byte-exact.
    """

    source: str
    url: str
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str | None
    fetched_at: datetime
    elapsed_s: float
    attempt: int
    problem: str | None = None
    body_redacted: bool = False


@dataclass(frozen=True)
class FetchResult:
    source: str
    url: str
    status: int
    body: bytes | None  # None on 304 Not Modified
    etag: str | None
    last_modified: str | None
    content_type: str | None
    attempts: int
    elapsed_s: float

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def conditional_headers(validators: Validators | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if validators and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def response_problem(status: int, body: bytes, headers: Mapping[str, str], expect: str, *,
                     conditional: bool) -> str | None:
    """Why this response cannot be used as data, or None when it can."""
    if status == 304:
        if conditional:
            return None
        return ("HTTP 304 Not Modified to a request without If-None-Match/If-Modified-Since:"
                " there is nothing it could be unchanged from")
    if status != 200:
        return f"HTTP {status}{api_message(body)}"
    if not body.strip():
        return "empty body (HTTP 200 with no content)"
    content_type = (headers.get("Content-Type") or "").lower()
    head = body[:512].lstrip().lower()
    if "text/html" in content_type or head.startswith((b"<!doctype html", b"<html")):
        return f"expected {expect.upper()} but received an HTML page (HTTP 200, {content_type})"
    return None


def api_message(body: bytes) -> str:
    """FRED's JSON error text, when the body is one."""
    text = body[:1000].decode("utf-8", "replace")
    if '"error_message"' in text:
        try:
            return f": {json.loads(text)['error_message']}"
        except (ValueError, KeyError, TypeError):
            return ""
    return ""


def retry_after_s(value: str | None, default: float) -> float:
    """Seconds a 429 asks us to wait: `Retry-After` as seconds or an HTTP date, else `default`."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
