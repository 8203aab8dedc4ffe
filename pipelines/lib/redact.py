"""Keep secrets out of URLs, messages and metadata."""

from __future__ import annotations

import os
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SECRET_PARAMS = frozenset({"api_key", "apikey", "token", "key"})
REDACTED = "REDACTED"


def redact_url(url: str) -> str:
    """The URL with the value of every secret query parameter replaced."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (k, REDACTED if k.lower() in SECRET_PARAMS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe=",:")))


def known_secrets() -> list[str]:
    """Secret values configured in this process (so they can be scrubbed from any text)."""
    return [v for v in (os.environ.get("FRED_API_KEY", "").strip(),) if len(v) >= 8]


def redact_text(text: str, secrets: list[str] | None = None) -> str:
    """Replace every occurrence of a known secret in free text (exception messages quote URLs)."""
    for secret in secrets if secrets is not None else known_secrets():
        if secret:
            text = text.replace(secret, REDACTED)
    return text
