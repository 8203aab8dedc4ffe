"""Keep secrets out of URLs, messages, metadata and stored error bodies.

Secrets are the FRED API key (a query parameter, and wherever a server echoes it back) and
any `user:password@` in a URL. Base URLs with credentials are refused outright
(`refuse_credentials`); the rest is scrubbed on the way to every store.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

SECRET_PARAMS = frozenset({"api_key", "apikey", "token", "key"})
REDACTED = "REDACTED"
# `scheme://user:pass@host` anywhere in free text (an echoed URL, an exception message).
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@'\"<>]+@")


def redact_url(url: str) -> str:
    """The URL with the value of every secret query parameter and any userinfo replaced."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        host = parts.netloc.rsplit("@", 1)[1]
        parts = parts._replace(netloc=f"{REDACTED}@{host}")
    if not parts.query:
        return urlunsplit(parts)
    query = [
        (k, REDACTED if k.lower() in SECRET_PARAMS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe=",:")))


def has_credentials(url: str) -> bool:
    parts = urlsplit(url)
    return parts.username is not None or parts.password is not None


def refuse_credentials(name: str, url: str) -> str:
    """`url` unchanged, or ValueError when it carries `user:password@` (shown redacted)."""
    if has_credentials(url):
        raise ValueError(
            f"{name} carries credentials ({redact_url(url)}): a base URL must hold no"
            " user:password@; remove them (the publishers need none)"
        )
    return url


def known_secrets() -> list[str]:
    """Secret values configured in this process (so they can be scrubbed from any text)."""
    # Imported here: settings imports this module (refuse_credentials) at load time.
    from pipelines.lib.settings import fred_api_key

    return [v for v in (fred_api_key() or "",) if len(v) >= 8]


def _forms(secret: str) -> list[str]:
    """The secret as written raw and percent-encoded (an echoed query string)."""
    return list(dict.fromkeys((secret, quote(secret, safe=""))))


def redact_text(text: str, secrets: list[str] | None = None) -> str:
    """Replace every known secret and URL userinfo in free text (messages quote URLs)."""
    for secret in secrets if secrets is not None else known_secrets():
        for form in _forms(secret) if secret else ():
            text = text.replace(form, REDACTED)
    return _USERINFO.sub(lambda m: f"{m[1]}{REDACTED}@", text)


def redact_bytes(body: bytes, secrets: list[str] | None = None) -> tuple[bytes, bool]:
    """`body` with every known secret replaced, and whether anything was replaced.

    For error bodies only (a 400 that echoes the request URL): data bodies are kept byte-exact.
    """
    out = body
    for secret in secrets if secrets is not None else known_secrets():
        for form in _forms(secret) if secret else ():
            out = out.replace(form.encode(), REDACTED.encode())
    text_form = _USERINFO.sub(lambda m: f"{m[1]}{REDACTED}@",
                              out.decode("latin-1")).encode("latin-1")
    return text_form, text_form != body
