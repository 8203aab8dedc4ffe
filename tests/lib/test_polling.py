"""The polling plan: dense inside each release window, sparse outside, within the budget."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pipelines.definitions import PUBLISHERS
from pipelines.defs.cadence import release_windows
from pipelines.lib import polling

WINDOWS = release_windows(PUBLISHERS)

THURSDAY = date(2026, 11, 19)  # day 19: TIC's window is open too; Tokyo and US are on winter time


def _day(window: polling.Window) -> list[datetime]:
    start = datetime(2026, 11, 19, tzinfo=UTC)
    return list(polling.polls(window, start, start + timedelta(days=1)))


def test_mof_jgb_window_is_15_tokyo_in_utc() -> None:
    jgb = WINDOWS["mof_jgb"]
    assert jgb.contains(datetime(2026, 11, 19, 6, 0, tzinfo=UTC))  # 15:00 JST
    assert not jgb.contains(datetime(2026, 11, 19, 7, 30, tzinfo=UTC))  # 16:30 JST: closed
    assert not jgb.contains(datetime(2026, 11, 21, 6, 0, tzinfo=UTC))  # a Saturday


def test_every_release_minute_is_seen_within_the_dense_interval() -> None:
    for window in WINDOWS.values():
        seen = _day(window)
        for release in polling.release_minutes(window, THURSDAY):
            if release.date() != THURSDAY:
                continue
            first = next(p for p in seen if p > release)
            assert first - release <= polling.DENSE, (window.name, release)


def test_requests_per_day_stay_under_300() -> None:
    # mof_jgb by hand (window 05:30-07:30 UTC): 00:00, 02:00 and 04:00 before it, 120 window
    # minutes / 2 = 60 polls, 07:30 (due 2 min after the last dense one), then every 2 hours
    # from 09:30 to 23:30 (8): 72
    assert len(_day(WINDOWS["mof_jgb"])) == 72
    total = sum(len(_day(w)) * w.requests_per_poll for w in WINDOWS.values())
    assert total <= 300
