"""Errors that tell an operator what went wrong, where, and with which source.

Messages never contain secrets: URLs are passed through `redact_url` before they get here.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base class for every error this project raises on purpose."""


class SourceError(PipelineError):
    """A publisher's response could not be used. Names the source and the (redacted) URL."""

    def __init__(self, source: str, url: str | None, problem: str) -> None:
        self.source = source
        self.url = url
        self.problem = problem
        where = f" ({url})" if url else ""
        super().__init__(f"{source}{where}: {problem}")


class FetchError(SourceError):
    """The HTTP exchange failed: status, timeout, reset, size cap, wrong content type."""

    def __init__(
        self, source: str, url: str | None, problem: str, *, status: int | None = None
    ) -> None:
        self.status = status
        super().__init__(source, url, problem)


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
