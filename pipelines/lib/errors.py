"""Errors that tell an operator what went wrong, where, and with which source.

Every expected failure is a `PipelineError` whose message is one line: the source, the
(redacted) URL and the cause, so a console can print it as is. Messages never contain
secrets: URLs pass through `redact_url` before they get here, and `SourceError` scrubs its
text once more (a server can echo a key back inside an error body).
"""

from __future__ import annotations

from pipelines.lib.redact import redact_text, redact_url


class PipelineError(Exception):
    """Base class for every error this project raises on purpose."""


class ConfigError(PipelineError, ValueError):
    """A setting cannot be used (e.g. a base URL carrying credentials)."""


class SourceError(PipelineError):
    """A publisher's response could not be used. Names the source and the (redacted) URL."""

    def __init__(self, source: str, url: str | None, problem: str) -> None:
        self.source = source
        self.url = redact_url(url) if url else url
        self.problem = redact_text(problem)
        where = f" ({self.url})" if self.url else ""
        super().__init__(f"{source}{where}: {self.problem}")


class FetchError(SourceError):
    """The HTTP exchange failed: status, timeout, reset, size cap, wrong content type."""

    def __init__(
        self, source: str, url: str | None, problem: str, *, status: int | None = None
    ) -> None:
        self.status = status
        super().__init__(source, url, problem)


class LandingZoneError(SourceError):
    """A body the landing zone should hold cannot be read (deleted file, unreadable disk)."""


class ParseError(PipelineError, ValueError):
    """A body did not have the shape its parser expects.

    `line` is 1-based within the decoded text when known, so the operator can open the raw
    file at that line. The source and URL are attached by the caller, who knows them.
    """

    def __init__(self, what: str, *, line: int | None = None, source: str | None = None) -> None:
        self.what = what
        self.line = line
        self.source = source
        parts = [source] if source else []
        parts.append(f"line {line}: {what}" if line is not None else what)
        super().__init__(": ".join(parts))


class WarehouseError(PipelineError):
    """The local warehouse cannot be used: busy, damaged, or its disk refuses writes."""
