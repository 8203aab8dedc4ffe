"""Keep the FRED API key out of third-party debug logs.

urllib3 logs every request line, query string included, at DEBUG
(`"GET /fred/series?series_id=DGS10&api_key=... HTTP/1.1" 200`). Anyone who turns on debug
logging to chase a 3 a.m. failure would write the key to disk, so its logger gets a filter that
replaces known secrets in each record before any handler sees it.
"""

from __future__ import annotations

import logging

from pipelines.lib.redact import known_secrets, redact_text

# Loggers that are known to print request URLs.
URL_LOGGERS = ("urllib3.connectionpool",)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message with every configured secret replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = known_secrets()
        if not secrets:
            return True
        message = record.getMessage()
        redacted = redact_text(message, secrets)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def install() -> None:
    """Attach the filter once to each URL-printing logger (idempotent)."""
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
