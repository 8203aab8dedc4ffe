"""Which observations each run asks FRED for.

The first load takes the whole history from the catalogue's `start`. Later loads ask only
for the revision window: publishers revise recent values (OECD and TIC months for a year or
more, market rates hardly at all), so each series re-reads `revision_window_days` before its
last stored date and older values are left alone. A change of unit re-reads everything,
because FRED re-expresses the whole history and a half-converted series would be wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pipelines.ingest.fred.state import StoredSeries
from pipelines.sources.fred import SeriesMeta, SeriesSpec

# ALFRED's full real-time range: every vintage of every observation.
ALFRED_REALTIME_START = date(1776, 7, 4)
ALFRED_REALTIME_END = date(9999, 12, 31)


# How far the next observation's date lies beyond the last one, by catalogue frequency.
_NEXT_OBSERVATION = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def next_observation_date(frequency: str, last_date: date) -> date:
    """The earliest date the series' next observation can carry."""
    if frequency == "monthly":
        return date(last_date.year + last_date.month // 12, last_date.month % 12 + 1, 1)
    return last_date + _NEXT_OBSERVATION.get(frequency, timedelta(days=1))


def earliest_publication(frequency: str, observation: date) -> date:
    """The first day an observation dated `observation` can be published.

    Daily and weekly values are published on (or after) their own date. A monthly value
    (dated the 1st) describes its whole month, an average or a month-end level, so it cannot
    exist before the month is over: the October value appears on 1 November at the earliest
    (in the catalogue: OECD rates and TIC holdings weeks later still).
    """
    if frequency == "monthly":
        return next_observation_date("monthly", observation)
    return observation


def nothing_due(spec: SeriesSpec, stored: StoredSeries, today: date | None) -> bool:
    """No request needed: the next observation cannot have been published by `today`.

    An observation is never published before its own date, so on the day of the last stored
    observation (a same-day re-run, a weekly series between releases) FRED cannot have
    anything new. Keyless monthly rule: once staging holds the latest month that can exist
    (October, in November), the series is not asked again until the next month can exist
    (1 December); from then on it is asked at each refresh until that month appears, since
    the publishers' lags vary. Revisions made meanwhile are not lost: the next due request
    re-reads the revision window. A first load or a unit change is always due.
    """
    if today is None or stored.last_date is None or units_changed(stored, spec.units):
        return False
    upcoming = next_observation_date(spec.frequency, stored.last_date)
    return earliest_publication(spec.frequency, upcoming) > today


def asked_today(spec: SeriesSpec, stored: StoredSeries, asked_on: date | None,
                today: date | None) -> bool:
    """Keyless, monthly: already asked today for its due month, so not asked again today.

    A publisher releases a month once; a second request the same day would re-read what the
    first answer held. What this costs: a month released after the day's first request waits
    for the first refresh of the next day. Daily and weekly series, a first load and a unit
    change are never held back by it.
    """
    return (spec.frequency == "monthly" and today is not None and asked_on == today
            and stored.last_date is not None and not units_changed(stored, spec.units))


@dataclass(frozen=True)
class Window:
    start: date
    full_history: bool  # True: the batch replaces the whole series (first load, unit change)


def observation_window(spec: SeriesSpec, stored: StoredSeries, *, reload: bool = False) -> Window:
    """From the catalogue start on a first load (or `reload`), else the revision window."""
    if stored.last_date is None or reload:
        return Window(spec.start, full_history=True)
    since = stored.last_date - timedelta(days=spec.revision_window_days)
    return Window(max(spec.start, since), full_history=False)


def units_changed(stored: StoredSeries, units: str) -> bool:
    """The unit now stated (API) or declared (keyless) is not the stored observations' one."""
    return stored.units is not None and stored.units != units


def metadata_unchanged(stored: StoredSeries, stated_units: str, last_updated: object) -> bool:
    """FRED has not touched the series since the last API load: no observation request."""
    return (
        stored.last_date is not None
        and stored.last_updated is not None
        and stored.last_updated == last_updated
        and not units_changed(stored, stated_units)
    )


def untouched_since_check(stored: StoredSeries, listed: SeriesMeta | None) -> bool:
    """API mode: fred/series/updates did not list the series, or listed it with the stamp and
    unit staging holds, so no request is needed. Only for a series already loaded through the
    API (`last_updated` stored): a first load or one after keyless loads asks fred/series."""
    if stored.last_date is None or stored.last_updated is None:
        return False
    if listed is None:
        return True
    return metadata_unchanged(stored, listed.units, listed.last_updated)
