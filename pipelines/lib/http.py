"""The one HTTP client every source uses: polite and robust (deadline, retries, same-host redirects,
body cap), handing every response to `on_response` so its bytes are kept before anyone reads it."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from urllib3.exceptions import ReadTimeoutError

from pipelines.lib import log_redaction
from pipelines.lib.errors import FetchError
from pipelines.lib.http_response import (
    FetchResult,
    ResponseRecord,
    Validators,
    api_message,
    conditional_headers,
    response_problem,
    retry_after_s,
)
from pipelines.lib.ratelimit import RateLimit, shared_limiter
from pipelines.lib.redact import has_credentials, redact_bytes, redact_text, redact_url

USER_AGENT = "jgb-ust-flows/0.1 (+https://github.com/jgb-ust-flows/jgb-ust-flows)"
RETRYABLE_STATUS = frozenset({500, 502, 503, 504, 520, 522, 524})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
DATA_KINDS = ("csv", "text", "json", "xml")


@dataclass
class HttpClient:
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    # Connect plus every read of one exchange: a server trickling a byte a second is cut off.
    deadline_s: float = 120.0
    max_attempts: int = 5
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    # FRED asks clients that hit its limit to wait a minute when no Retry-After is given.
    rate_limited_wait_s: float = 60.0
    # A longer Retry-After fails the source instead: a run must not sleep for a day.
    max_retry_after_s: float = 120.0
    max_redirects: int = 5
    max_body_bytes: int = 64 * 1024 * 1024
    # Per-source caps (source name -> bytes) where a publisher's files are known to be small.
    body_caps: Mapping[str, int] = field(default_factory=dict)
    rate_limits: Mapping[str, RateLimit] = field(default_factory=dict)
    user_agent: str = USER_AGENT
    on_response: Callable[[ResponseRecord], None] | None = None

    def __post_init__(self) -> None:
        self._local = threading.local()
        self._limiters = {k: shared_limiter(k, v) for k, v in self.rate_limits.items()}
        log_redaction.install()  # urllib3 logs request URLs, keys included, at DEBUG

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = self.user_agent
            self._local.session = session
        return session

    def get(
        self,
        source: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        expect: str = "csv",
        validators: Validators | None = None,
    ) -> FetchResult:
        """GET with retries; raise FetchError naming the source and redacted URL on failure."""
        if expect not in DATA_KINDS:
            raise ValueError(f"expect must be one of {DATA_KINDS}, not {expect!r}")
        url = full_url(url, params)
        shown = redact_url(url)
        if has_credentials(url):
            raise FetchError(source, shown, "the URL carries credentials (user:password@);"
                             " refused, nothing sent")
        headers = conditional_headers(validators)
        started = time.monotonic()
        problem = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            limiter = self._limiters.get(source)
            if limiter is not None:
                limiter.acquire()
            try:
                status, body, resp_headers = self._follow(source, url, headers, attempt, started)
            except _Fatal as exc:
                if not exc.recorded:
                    self._record(source, shown, exc.status or 0, exc.partial, {}, attempt,
                                 started, exc.problem)
                raise FetchError(source, shown, exc.problem, status=exc.status) from None
            except _Retryable as exc:
                problem = exc.problem
                self._record(source, shown, exc.status or 0, exc.partial, {}, attempt, started,
                             problem)
                if attempt < self.max_attempts:
                    self._sleep_before_retry(attempt, None)
                continue
            wait = None
            problem = response_problem(status, body, resp_headers, expect,
                                       conditional=bool(headers))
            self._record(source, shown, status, body, resp_headers, attempt, started, problem)
            if status == 429:
                wait = retry_after_s(resp_headers.get("Retry-After"), self.rate_limited_wait_s)
                problem = f"HTTP 429 Too Many Requests{api_message(body)}"
                if wait > self.max_retry_after_s:
                    raise FetchError(
                        source, shown,
                        f"{problem}; the publisher asks to wait {wait:.0f} s (Retry-After),"
                        f" more than the {self.max_retry_after_s:.0f} s this client waits:"
                        " not retried, run again later", status=429)
            elif status in RETRYABLE_STATUS:
                problem = f"HTTP {status}{api_message(body)}"
            elif problem is not None:
                raise FetchError(source, shown, problem, status=status)
            else:
                return FetchResult(
                    source=source, url=shown, status=status,
                    body=None if status == 304 else body,
                    etag=resp_headers.get("ETag"),
                    last_modified=resp_headers.get("Last-Modified"),
                    content_type=resp_headers.get("Content-Type"),
                    attempts=attempt, elapsed_s=time.monotonic() - started,
                )
            if attempt < self.max_attempts:
                self._sleep_before_retry(attempt, wait)
        raise FetchError(
            source, shown, f"gave up after {self.max_attempts} attempts: {problem}"
        )

    def _follow(
        self, source: str, url: str, headers: dict[str, str], attempt: int, started: float
    ) -> tuple[int, bytes, dict[str, str]]:
        """One exchange, following redirects to the same scheme, host and port only.

        Each 3xx is recorded; a redirect elsewhere is refused before anything (the API key in
        the query string above all) is sent to the other host.
        """
        deadline = time.monotonic() + self.deadline_s
        current = url
        for _ in range(self.max_redirects + 1):
            status, body, resp_headers = self._exchange(source, current, headers, deadline)
            location = resp_headers.get("Location")
            if status not in REDIRECT_STATUS or not location:
                return status, body, resp_headers
            target = urljoin(current, location)
            shown_target = redact_url(target)
            if _origin(target) != _origin(url):
                problem = (f"HTTP {status} redirect to another host ({shown_target}) refused:"
                           " requests go to the configured host only")
                self._record(source, redact_url(current), status, body, resp_headers, attempt,
                             started, problem)
                raise _Fatal(problem, status=status, recorded=True)
            self._record(source, redact_url(current), status, body, resp_headers, attempt,
                         started, f"HTTP {status} redirect to {shown_target}")
            current = target
        raise _Fatal(f"redirect loop: more than {self.max_redirects} redirects"
                     f" (last to {redact_url(current)})", status=status)

    def _exchange(
        self, source: str, url: str, headers: dict[str, str], deadline: float
    ) -> tuple[int, bytes, dict[str, str]]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Fatal(f"deadline of {self.deadline_s:g} s passed before the request")
        try:
            resp = self._session().get(
                url, headers=headers, stream=True, allow_redirects=False,
                timeout=(min(self.connect_timeout_s, remaining),
                         min(self.read_timeout_s, remaining)),
            )
        except requests.Timeout as exc:
            raise _Retryable(f"timed out ({type(exc).__name__})") from None
        except requests.ConnectionError as exc:
            raise _Retryable(f"connection failed: {redact_text(_short(exc))}") from None
        cap = self.body_caps.get(source, self.max_body_bytes)
        with resp:
            body = bytearray()
            try:
                while chunk := resp.raw.read1(65536, decode_content=True):
                    body.extend(chunk)
                    if len(body) > cap:
                        raise _Fatal(
                            f"body exceeds the cap of {cap} bytes (not kept, not retried)",
                            status=resp.status_code,
                        )
                    if time.monotonic() > deadline:
                        raise _Fatal(
                            f"deadline of {self.deadline_s:g} s passed while reading the body"
                            f" ({len(body)} bytes so far): the publisher is too slow; not"
                            " retried", status=resp.status_code, partial=bytes(body))
            except ReadTimeoutError:
                raise _Retryable(
                    f"timed out while reading the body after {len(body)} bytes",
                    status=resp.status_code, partial=bytes(body),
                ) from None
            except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
                raise _Retryable(
                    f"truncated body after {len(body)} bytes: {redact_text(_short(exc))}",
                    status=resp.status_code, partial=bytes(body),
                ) from None
            return resp.status_code, bytes(body), dict(resp.headers)

    def _sleep_before_retry(self, attempt: int, wait: float | None) -> None:
        if wait is None:
            wait = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
            wait *= random.uniform(0.5, 1.0)  # jitter: many clients must not retry in step
        time.sleep(wait)

    def _record(self, source: str, url: str, status: int, body: bytes,
                headers: Mapping[str, str], attempt: int, started: float,
                problem: str | None) -> None:
        if self.on_response is None:
            return
        redacted = False
        if not 200 <= status < 300:
            body, redacted = redact_bytes(body)
        self.on_response(ResponseRecord(
            source=source, url=redact_url(url), status=status, body=body,
            etag=headers.get("ETag"), last_modified=headers.get("Last-Modified"),
            content_type=headers.get("Content-Type"), fetched_at=datetime.now(UTC),
            elapsed_s=time.monotonic() - started, attempt=attempt,
            problem=redact_text(problem) if problem else problem, body_redacted=redacted,
        ))


class _Retryable(Exception):
    def __init__(self, problem: str, *, status: int | None = None, partial: bytes = b"") -> None:
        super().__init__(problem)
        self.problem = problem
        self.status = status
        self.partial = partial


class _Fatal(_Retryable):
    """A failure retrying cannot fix: a cap, a deadline, a refused redirect."""

    def __init__(self, problem: str, *, status: int | None = None, partial: bytes = b"",
                 recorded: bool = False) -> None:
        super().__init__(problem, status=status, partial=partial)
        self.recorded = recorded  # already in the fetch log (a refused redirect hop)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def full_url(url: str, params: Mapping[str, str] | None) -> str:
    """The URL with its query string, as it goes on the wire."""
    if not params:
        return url
    return requests.Request("GET", url, params=params).prepare().url or url



def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
