"""What an audit needs besides the batch: the as-of date, the series spec, the source files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pipelines.lib import settings
from pipelines.sources.fred.catalogue import SeriesSpec

AS_OF_ENV = settings.AS_OF_ENV


@dataclass(frozen=True)
class FileRows:
    """One source file behind a batch, and how many rows its previous loaded copy gave.

    `rows_before` is the row count of the previous copy of the same URL for the same
    `period_key` (None if there was none). Files rewritten each period (the current-month
    JGB file starts again each month) carry the period in `period_key`; if the caller knows the
    previous copy's period it may pass it as `period_key_before`, and a different period means
    the two copies are not compared.
    """

    url: str
    rows_now: int
    rows_before: int | None = None
    period_key: str | None = None
    period_key_before: str | None = None
    shrank: str | None = None  # what the previous copy had that this one lacks (dates)


@dataclass(frozen=True)
class AuditContext:
    """The as-of date (freshness, future dates), the FRED series spec, the batch's files."""

    as_of: date
    series: SeriesSpec | None = None
    files: tuple[FileRows, ...] = ()


def as_of_from_env() -> date:
    """`AS_OF_DATE=YYYY-MM-DD` if set (tests, replays), else today in UTC (lib/settings.py)."""
    return settings.as_of()
