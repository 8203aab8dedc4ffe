"""When a publication is due and how late is late: one `Cadence` per release.

Every place that used to carry its own numbers reads them from here: the schedule (cron in the
publisher's zone), the watcher (release window, lib/polling.py), the Dagster freshness policy
(time since the last refresh: warn after `expected_every`, fail after `late_after`), the
validation check `fresh_as_of` (age of the newest observation: `lateness`), the gap check
(`max_gap`) and the age limit of `meta.table_status` for marts (`lateness.max_days`).
Plain Python, no Dagster: a declaration in `pipelines/sources/<publisher>/` builds these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as time_of_day
from typing import ClassVar

import numpy as np

from pipelines.lib.polling import Window


def months_index(d: date) -> int:
    return d.year * 12 + d.month - 1


@dataclass(frozen=True)
class Verdict:
    """`fresh_as_of` in words: the limit analysts read, stale or not, the age as text."""

    limit: str
    stale: bool
    age: str | None


@dataclass(frozen=True)
class _AtMost:
    """The newest date is at most `n` units (see `age`) before the as-of date."""

    n: int
    unit: ClassVar[str] = "days"

    def age(self, newest: date, as_of: date) -> int:
        return (as_of - newest).days

    def describe(self) -> str:
        return f"{self.n} {self.unit}"

    def judge(self, newest: date | None, as_of: date) -> Verdict:
        age = None if newest is None else self.age(newest, as_of)
        return Verdict(f"<= {self.n} {self.unit} old", age is None or age > self.n,
                       None if age is None else f"{age} {self.unit}")


@dataclass(frozen=True)
class BusinessDays(_AtMost):
    """At most `n` business days (Mon-Fri) old."""

    unit: ClassVar[str] = "business days"

    def age(self, newest: date, as_of: date) -> int:
        return int(np.busday_count(newest, as_of))

    @property
    def max_days(self) -> int:
        """Calendar days `n` business days can span when no holiday intervenes."""
        weeks, rest = divmod(self.n, 5)
        return weeks * 7 + rest


@dataclass(frozen=True)
class Days(_AtMost):
    """At most `n` calendar days old."""

    @property
    def max_days(self) -> int:
        return self.n


@dataclass(frozen=True)
class Months(_AtMost):
    """The newest month is at most `n` months before the as-of month."""

    unit: ClassVar[str] = "months"

    def age(self, newest: date, as_of: date) -> int:
        return months_index(as_of) - months_index(newest)

    @property
    def max_days(self) -> int:
        return 31 * (self.n + 1)


@dataclass(frozen=True)
class MonthlyRelease:
    """Month m appears around day `release_day` of month m + `lag`: after that day the newest
    month should be month(D) - lag, before it month(D) - lag - 1 (TIC)."""

    release_day: int
    lag: int

    @property
    def max_days(self) -> int:
        return 31 * (self.lag + 2)

    def describe(self) -> str:
        return (f"data for month m appear around the {self.release_day - 2}th of m+{self.lag}:"
                f" the newest month should be month(D)-{self.lag} after the"
                f" {self.release_day}th, else month(D)-{self.lag + 1}")

    def judge(self, newest: date | None, as_of: date) -> Verdict:
        back = self.lag if as_of.day > self.release_day else self.lag + 1
        expected = months_index(as_of) - back
        age = None if newest is None else months_index(as_of) - months_index(newest)
        return Verdict(f"newest month >= {expected // 12}-{expected % 12 + 1:02d}",
                       newest is None or months_index(newest) < expected,
                       None if age is None else f"{age} months")


Lateness = BusinessDays | Days | Months | MonthlyRelease


@dataclass(frozen=True)
class Gap:
    """Longest step allowed between consecutive dates: `days`, or `months` for monthly data."""

    days: int = 0
    months: int = 0

    def describe(self) -> str:
        return f"{self.months} month(s)" if self.months else f"{self.days} days"


@dataclass(frozen=True)
class Cadence:
    """One release pattern: the job that fetches it, when, and how late is late.

    `name` is the ingestion job's name (its schedule is `<name>_schedule`). `release` is the
    time of day, in `zone`, by which the publisher has normally posted; `cron` runs after it
    and `window` (the watcher's dense-polling window, if the file is watched) covers it.
    """

    name: str
    frequency: str  # daily, weekly or monthly: what a mart named `_<frequency>` inherits
    zone: str
    cron: str
    release: time_of_day
    description: str
    expected_every: timedelta  # longest normal gap between two refreshes: Dagster warns after
    late_after: timedelta  # Dagster fails the freshness policy after this long without one
    lateness: Lateness  # how old the newest observation may be (check fresh_as_of)
    max_gap: Gap  # longest step between consecutive new dates (check no_gap_in_new_window)
    window: Window | None = None

    def __post_init__(self) -> None:
        if self.late_after < self.expected_every:
            raise ValueError(f"{self.name}: late_after is shorter than expected_every")

    @property
    def schedule_name(self) -> str:
        return f"{self.name}_schedule"
