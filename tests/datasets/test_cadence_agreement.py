"""One cadence per dataset: validation, meta.table_status, Dagster, schedules and the watcher
agree on when data is due and how late is late.

Each consumer is asked for its own verdict (the audit's `fresh_as_of`, the table-status age
limit of marts, the Dagster freshness policy of each asset, each schedule's cron over a year,
the watcher's release windows) and compared with limits computed here independently from the
declared numbers: weekdays counted one by one, months by calendar arithmetic.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import polars as pl
import pytest
from dagster._utils.schedules import cron_string_iterator

from pipelines.definitions import PUBLISHERS, WATCHED, defs
from pipelines.defs.cadence import cadence_of
from pipelines.lib.cadence import BusinessDays, Cadence, Days, MonthlyRelease, Months
from pipelines.lib.datasets import Dataset
from pipelines.serving.status_rules import MART_FREQUENCY, mart_max_age_days
from pipelines.sources.fred.catalogue import load_catalogue
from pipelines.validation.context import AuditContext
from pipelines.validation.freshness import freshness_finding
from tests.validation import batches as b

DATASETS: list[Dataset] = [ds for p in PUBLISHERS for ds in p.datasets]
# (dataset, frequency): FRED once per catalogue frequency, every other dataset once.
CASES = [(ds, f) for ds in DATASETS for f in (sorted(ds.cadences) or [None])]
SERIES = {s.frequency: s for s in reversed(load_catalogue())}
YEAR = [date(2026, 1, 1) + timedelta(days=i) for i in range(365)]


def _id(case: tuple[Dataset, str | None]) -> str:
    ds, frequency = case
    return ds.name + (f"-{frequency}" if frequency else "")


def _weekdays_between(start: date, end: date) -> int:
    """Mon-Fri days in [start, end), counted one by one."""
    return sum(1 for i in range((end - start).days) if (start + timedelta(i)).weekday() < 5)


def _months(d: date) -> int:
    return d.year * 12 + d.month


def _expected_stale(cadence: Cadence, newest: date, as_of: date) -> bool:
    """The declared lateness, evaluated by hand."""
    rule = cadence.lateness
    if isinstance(rule, BusinessDays):
        return _weekdays_between(newest, as_of) > rule.n
    if isinstance(rule, Days):
        return (as_of - newest).days > rule.n
    if isinstance(rule, Months):
        return _months(as_of) - _months(newest) > rule.n
    assert isinstance(rule, MonthlyRelease)
    behind = rule.lag + (0 if as_of.day > rule.release_day else 1)
    return _months(newest) < _months(as_of) - behind


CON = b.connect()  # empty: the batch alone holds the newest date


def _validation_stale(ds: Dataset, frequency: str | None, newest: date, as_of: date) -> bool:
    series = SERIES[frequency] if frequency else None
    batch = pl.DataFrame({ds.date_column: [newest]}, schema={ds.date_column: pl.Date})
    if series is not None:
        batch = batch.with_columns(series_id=pl.lit(series.id))
    finding = freshness_finding(ds.table_name, CON, batch,
                                AuditContext(as_of=as_of, series=series))
    return not finding.passed


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_validation_fresh_as_of_follows_the_declared_lateness(case) -> None:
    ds, frequency = case
    cadence = ds.cadence_for(frequency)
    monthly = ds.dated_by_month or cadence.frequency == "monthly"
    # Every weekday of the as-of dates, across month ends and the TIC release day.
    for as_of in YEAR[::23]:
        for age in range(0, 160, 10) if monthly else range(0, 2 * cadence.lateness.max_days):
            newest = as_of - timedelta(days=age)
            if monthly:
                newest = newest.replace(day=1)
            elif cadence.frequency == "daily" and newest.weekday() >= 5:
                continue  # daily data is dated on business days
            assert _validation_stale(ds, frequency, newest, as_of) is _expected_stale(
                cadence, newest, as_of), (ds.name, frequency, newest, as_of)


def test_daily_and_weekly_marts_go_stale_at_the_age_their_inputs_do() -> None:
    """A daily staging table (newest a business day) goes stale after N calendar days exactly
    when meta.table_status calls a daily mart with that newest date stale."""
    for mart, frequency in MART_FREQUENCY.items():
        limit = mart_max_age_days(mart)
        cadences = [ds.cadence_for(f) for ds, f in CASES
                    if ds.cadence_for(f).frequency == frequency]
        assert cadences, frequency
        for cadence in cadences:
            as_of = date(2026, 11, 20)  # a Friday, no holiday nearby counts here
            ages = [a for a in range(0, 40) if (as_of - timedelta(a)).weekday() < 5]
            stale_ages = [a for a in ages
                          if _expected_stale(cadence, as_of - timedelta(a), as_of)]
            assert min(stale_ages) > limit >= max(a for a in ages if a not in stale_ages), (
                mart, cadence.name)


def test_dagster_freshness_policies_are_the_cadence_windows() -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        spec = dg.AssetSpec(key, metadata=node.metadata)
        cadence = cadence_of(spec, PUBLISHERS)
        policy = node.freshness_policy
        assert policy is not None, key
        assert (policy.warn_window.to_timedelta(), policy.fail_window.to_timedelta()) == (
            cadence.expected_every, cadence.late_after), key.to_user_string()
        # Every ingestion asset follows its own dataset's cadence (FRED: the series').
        if key.path[0] in {ds.publisher for ds in DATASETS}:
            frequency = node.metadata.get("frequency")
            ds = next(d for d in DATASETS if tuple(key.path[:len(d.asset_key)]) == d.asset_key)
            assert cadence == ds.cadence_for(frequency), key.to_user_string()


@pytest.mark.parametrize("schedule", list(defs.schedules or []), ids=lambda s: s.name)
def test_every_schedule_fires_within_its_cadence_over_a_year(schedule) -> None:
    cadence = next(ds.cadence_for(f) for ds, f in CASES
                   if ds.cadence_for(f).schedule_name == schedule.name)
    assert (schedule.cron_schedule, schedule.execution_timezone) == (cadence.cron, cadence.zone)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ticks = cron_string_iterator(start.timestamp(), schedule.cron_schedule,
                                 schedule.execution_timezone)
    fired = [start]
    while fired[-1] < start + timedelta(days=366):
        fired.append(next(ticks))
    longest = max(b - a for a, b in zip(fired, fired[1:], strict=False))
    assert longest <= cadence.expected_every, (schedule.name, longest)
    # Each tick runs after the release it is for, in the publisher's zone.
    zone = ZoneInfo(cadence.zone)
    assert all(t.astimezone(zone).time() >= cadence.release for t in fired[1:])


def test_every_watched_file_is_polled_densely_when_it_is_released() -> None:
    assert WATCHED, "no watched file"
    for w in WATCHED:
        cadence = next(ds.cadence for ds in DATASETS if ds.cadence.name == w.job.name)
        assert w.plan == cadence.window
        assert w.plan.zone == cadence.zone
        assert w.plan.start <= cadence.release < w.plan.end, w.name
        # On every scheduled business day (publishers release on business days; a weekend
        # tick of TIC's days 14-20 finds nothing new) the release minute is inside the window.
        ticks = cron_string_iterator(datetime(2026, 1, 1, tzinfo=UTC).timestamp(), cadence.cron,
                                     cadence.zone)
        days = {next(ticks).astimezone(ZoneInfo(cadence.zone)).date() for _ in range(120)}
        for day in sorted(d for d in days if d.weekday() < 5):
            release = datetime.combine(day, cadence.release, tzinfo=ZoneInfo(cadence.zone))
            assert w.plan.contains(release), (w.name, release)
