"""The sample snapshot: every publisher file and FRED series as known on one as_of date.

Files are rendered lazily on first request and cached per snapshot; snapshots are cached per
as_of, so starting many replicas in one test session costs one build.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from . import fred, mof_flows, mof_jgb, tic

JGB_EN_ALL = "/english/policy/jgbs/reference/interest_rate/historical/jgbcme_all.csv"
JGB_EN_CUR = "/english/policy/jgbs/reference/interest_rate/jgbcme.csv"
JGB_JA_ALL = "/jgbs/reference/interest_rate/data/jgbcm_all.csv"
JGB_JA_CUR = "/jgbs/reference/interest_rate/jgbcm.csv"
FLOWS_DIR = "/policy/international_policy/reference/itn_transactions_in_securities/"
TIC_DIR = "/resource-center/data-chart-center/tic/Documents/"
TIC_TABLE5 = TIC_DIR + "slt_table5.txt"
TIC_MFHHIS01 = TIC_DIR + "mfhhis01.txt"
TIC_LEGACY = "/Publish/mfh.txt"


@dataclass(frozen=True)
class Rendered:
    body: bytes
    content_type: str
    published: datetime  # the publisher's release time: the initial Last-Modified


def _at(d: date | None, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(d or date(2000, 1, 1), time(hh, mm), tzinfo=UTC)


def _jgb_all_published(as_of: date) -> datetime:
    return _at(mof_jgb.last_quote_day(as_of.replace(day=1) - timedelta(days=1)), 9)


def _week_published(as_of: date) -> datetime:
    end = mof_flows.newest_week_end(as_of)
    return _at(end + timedelta(days=4) if end else None, 23, 50)


def _month_published(as_of: date) -> datetime:
    months, _ = mof_flows.monthly()
    k = mof_flows.published_months(as_of)
    return _at(mof_flows.month_release(months[k - 1]) - timedelta(days=1) if k else None, 23, 50)


Renderer = tuple[Callable[[date], bytes], str, Callable[[date], datetime]]
RENDERERS: dict[str, Renderer] = {
    JGB_EN_ALL: (lambda d: mof_jgb.history_file(d, japanese=False), "text/csv",
                 _jgb_all_published),
    JGB_JA_ALL: (lambda d: mof_jgb.history_file(d, japanese=True), "text/csv",
                 _jgb_all_published),
    JGB_EN_CUR: (lambda d: mof_jgb.current_month_file(d, japanese=False), "text/csv",
                 lambda d: _at(mof_jgb.last_quote_day(d), 9)),
    JGB_JA_CUR: (lambda d: mof_jgb.current_month_file(d, japanese=True), "text/csv",
                 lambda d: _at(mof_jgb.last_quote_day(d), 9)),
    FLOWS_DIR + "week.csv": (mof_flows.week_csv, "text/csv", _week_published),
    FLOWS_DIR + "montha1.csv": (mof_flows.montha1_csv, "text/csv", _month_published),
    FLOWS_DIR + "monthb3.csv": (mof_flows.monthb3_csv, "text/csv", _month_published),
    TIC_TABLE5: (tic.table5, "text/plain",
                 lambda d: _at(tic.release_date(tic.latest_month(d)), 21)),
    TIC_MFHHIS01: (tic.mfhhis01, "text/plain",
                   lambda d: _at(tic.release_date((tic.history_last_year(d) + 1, 1)), 21)),
    TIC_LEGACY: (tic.legacy_mfh, "text/plain", lambda d: _at(date(2023, 3, 15), 21)),
}


@dataclass
class Snapshot:
    """Everything the sample publishes on as_of."""

    as_of: date
    fred: dict[str, fred.FredSeries]
    _files: dict[str, Rendered] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def file(self, path: str) -> Rendered | None:
        """The rendered file at a publisher path, or None when the sample has no such file."""
        spec = RENDERERS.get(path)
        if spec is None:
            return None
        with self._lock:
            if path not in self._files:
                render, ctype, published = spec
                now = datetime.now(UTC).replace(microsecond=0)
                self._files[path] = Rendered(render(self.as_of), ctype,
                                             min(published(self.as_of), now))
            return self._files[path]

    def render_all(self) -> dict[str, int]:
        """Render every file (for timing and warm-up); returns sizes in bytes."""
        return {p: len(self.file(p).body) for p in RENDERERS}  # type: ignore[union-attr]


@lru_cache(maxsize=16)
def snapshot(as_of: date) -> Snapshot:
    return Snapshot(as_of, fred.build(as_of))


def today_utc() -> date:
    return datetime.now(UTC).date()
