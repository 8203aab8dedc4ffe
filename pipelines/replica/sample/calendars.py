"""US and Japanese business calendars, close enough for plausible sample data.

The US list is the federal holiday set the bond market closes on (FRED shows those days as
missing rows); the Japanese list covers the fixed holidays plus the Monday ones, so MOF's
files skip them like the real ones do. Neither is an official calendar.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import numpy as np

MAX_ORDINAL = date(9999, 12, 31).toordinal()


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday (0=Mon) of a month; n=-1 means the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(d: date) -> date:
    """Saturday holidays are observed on Friday, Sunday ones on Monday."""
    if d.weekday() == 5:
        return d - timedelta(days=1)
    if d.weekday() == 6:
        return d + timedelta(days=1)
    return d


@cache
def us_holidays(year: int) -> frozenset[date]:
    """US federal holidays (bond market closed) in one year."""
    days = [
        _observed(date(year, 1, 1)),
        _observed(date(year, 7, 4)),
        _observed(date(year, 11, 11)),
        _observed(date(year, 12, 25)),
        nth_weekday(year, 2, 0, 3),
        nth_weekday(year, 5, 0, -1),
        nth_weekday(year, 9, 0, 1),
        nth_weekday(year, 10, 0, 2),
        nth_weekday(year, 11, 3, 4),
    ]
    if year >= 1986:
        days.append(nth_weekday(year, 1, 0, 3))
    if year >= 2022:
        days.append(_observed(date(year, 6, 19)))
    return frozenset(days)


@cache
def jp_holidays(year: int) -> frozenset[date]:
    """Japanese bank holidays: fixed days, happy-Monday days and Sunday substitutes."""
    fixed = [(1, 1), (1, 2), (1, 3), (2, 11), (3, 21), (4, 29), (5, 3), (5, 4), (5, 5),
             (9, 23), (11, 3), (11, 23), (12, 31)]
    if 1989 <= year <= 2018:
        fixed.append((12, 23))
    if year >= 2020:
        fixed.append((2, 23))
    days = {date(year, m, d) for m, d in fixed}
    if year >= 2000:
        days |= {nth_weekday(year, 1, 0, 2), nth_weekday(year, 10, 0, 2)}
    if year >= 2003:
        days |= {nth_weekday(year, 7, 0, 3), nth_weekday(year, 9, 0, 3)}
    if year >= 1973:
        days |= {d + timedelta(days=1) for d in list(days) if d.weekday() == 6}
    return frozenset(days)


def is_us_business_day(d: date) -> bool:
    return d.weekday() < 5 and d not in us_holidays(d.year)


def is_jp_business_day(d: date) -> bool:
    """MOF quote days: weekdays, plus most Saturdays until the 1989 switch to a 5-day week."""
    if d in jp_holidays(d.year):
        return False
    if d.weekday() == 6:
        return False
    if d.weekday() == 5:
        return d <= date(1989, 1, 28) and not (d >= date(1983, 8, 1) and 8 <= d.day <= 14)
    return True


def ordinals(start: date, end: date) -> np.ndarray:
    """Every calendar day from start to end inclusive, as proleptic ordinals."""
    return np.arange(start.toordinal(), end.toordinal() + 1, dtype=np.int64)


def weekday_of(ords: np.ndarray) -> np.ndarray:
    """0=Monday, like date.weekday()."""
    return (ords - 1) % 7


def us_holiday_mask(ords: np.ndarray) -> np.ndarray:
    """True where the ordinal is a US federal holiday."""
    if len(ords) == 0:
        return np.zeros(0, dtype=bool)
    first, last = date.fromordinal(int(ords[0])).year, date.fromordinal(int(ords[-1])).year
    hol = [d.toordinal() for y in range(first, last + 1) for d in us_holidays(y)]
    return np.isin(ords, np.array(hol, dtype=np.int64))


def iso(ordinal: int) -> str:
    return date.fromordinal(int(ordinal)).isoformat()


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    k = year * 12 + (month - 1) + n
    return k // 12, k % 12 + 1


def next_weekday_on_or_after(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def jp_business_mask(ords: np.ndarray) -> np.ndarray:
    """Vectorised is_jp_business_day over ordinals."""
    first, last = date.fromordinal(int(ords[0])).year, date.fromordinal(int(ords[-1])).year
    hol = np.array([d.toordinal() for y in range(first, last + 1) for d in jp_holidays(y)])
    wd = weekday_of(ords)
    sat_ok = ords <= date(1989, 1, 28).toordinal()
    days = np.array([date.fromordinal(int(o)).day for o in ords]) if sat_ok.any() else None
    if days is not None:
        second_sat = (ords >= date(1983, 8, 1).toordinal()) & (days >= 8) & (days <= 14)
        sat_ok &= ~second_sat
    ok = (wd < 5) | ((wd == 5) & sat_ok)
    return ok & ~np.isin(ords, hol)
