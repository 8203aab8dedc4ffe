"""Schedules that follow each publisher's release time, in the publisher's own time zone.

Cron in the publisher's zone keeps a run right after the release across daylight-saving
changes (Tokyo has none; New York and Chicago shift). Each run is cheap when nothing changed:
ingestion makes conditional GETs and skips unchanged files, and skipped assets start nothing
downstream. The watcher sensor (sensors.py) catches early or off-schedule releases.
Release times: reference-data/FORMATS.md §1.4-1.5 (FRED), §2.6 (MOF JGB), §3.5 (TIC), §4 (MOF).

Every schedule starts STOPPED, so loading the code location (`make dev`, a test, a new
deployment) never calls the publishers by itself; JGB_AUTOMATION=on (lib/settings.py) starts
them RUNNING in production. A schedule switched on or off in the UI keeps that state.
"""

from __future__ import annotations

import dagster as dg

from pipelines.defs import jobs
from pipelines.lib.settings import automation_enabled

TOKYO = "Asia/Tokyo"
NEW_YORK = "America/New_York"
CHICAGO = "America/Chicago"


def default_schedule_status() -> dg.DefaultScheduleStatus:
    """RUNNING only when JGB_AUTOMATION=on in the environment the code location loads in."""
    return (dg.DefaultScheduleStatus.RUNNING if automation_enabled()
            else dg.DefaultScheduleStatus.STOPPED)


def _schedule(
    name: str, cron: str, job: dg.UnresolvedAssetJobDefinition, tz: str, why: str
) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name=name, cron_schedule=cron, job=job, execution_timezone=tz, description=why,
        default_status=default_schedule_status(),
    )


# FRED stamps its updates in St. Louis (Central) time. H.15 yields (DGS*) and H.10 USD/JPY
# (DEXJPUS) for business day D reach FRED on the afternoon of D+1, typically 15:15-16:20 CT;
# 17:30 CT, Monday to Friday, leaves an hour of margin (Monday's run brings Friday's data).
fred_daily_schedule = _schedule(
    "fred_daily_schedule", "30 17 * * 1-5", jobs.fred_daily_job, CHICAGO,
    "FRED daily series, 17:30 Chicago on business days: after FRED posts H.15/H.10 updates.",
)
# H.4.1 (WALCL, WDTGAL, WTREGEN) is released Thursdays at 16:30 ET for the Wednesday level;
# Friday repeats the run for weeks when a holiday pushes the release back a day.
fred_weekly_schedule = _schedule(
    "fred_weekly_schedule", "30 17 * * 4,5", jobs.fred_weekly_job, CHICAGO,
    "FRED H.4.1 weekly series, Thursday and Friday 17:30 Chicago: after the Thursday release.",
)
# Monthly FRED series: TIC-based Japan flows appear with the TIC release (mid-month, days
# 14-20) and the OECD Japan rates around the middle of the month, both 1-3 months late.
fred_monthly_schedule = _schedule(
    "fred_monthly_schedule", "30 17 14-20 * *", jobs.fred_monthly_job, CHICAGO,
    "FRED monthly series, days 14-20 at 17:30 Chicago: around the TIC and OECD releases.",
)
# MOF posts day D's JGB quotes on the next Tokyo business day; the time of day is not
# documented and careful consumers assume 15:00 JST, so 15:30 JST Monday to Friday (Monday
# brings Friday's quotes). A Japanese holiday is an unchanged file: the run skips.
mof_jgb_schedule = _schedule(
    "mof_jgb_schedule", "30 15 * * 1-5", jobs.mof_jgb_job, TOKYO,
    "MOF JGB yields, 15:30 Tokyo on weekdays: the day's file is up by 15:00 JST.",
)
# MOF's weekly portfolio flows are released Thursday (sometimes Friday) at 08:50 JST.
mof_flows_weekly_schedule = _schedule(
    "mof_flows_weekly_schedule", "30 9 * * 4,5", jobs.mof_flows_weekly_job, TOKYO,
    "MOF weekly flows, Thursday and Friday 09:30 Tokyo: after the 08:50 JST release.",
)
# The monthly files (montha1.csv, monthb3.csv) are released around the 8th-12th at 08:50 JST;
# days 8-14 cover a release moved by a weekend or holiday.
mof_flows_monthly_schedule = _schedule(
    "mof_flows_monthly_schedule", "30 9 8-14 * *", jobs.mof_flows_monthly_job, TOKYO,
    "MOF monthly flows, days 8-14 at 09:30 Tokyo: after the 08:50 JST monthly release.",
)
# TIC is released around the middle of the month (2026 dates fall on the 14th-18th) at
# 16:00 ET; days 14-20 at 16:30 New York cover every date in the calendar.
tic_schedule = _schedule(
    "tic_schedule", "30 16 14-20 * *", jobs.tic_job, NEW_YORK,
    "TIC major foreign holders, days 14-20 at 16:30 New York: after the 16:00 ET release.",
)

SCHEDULES = [
    fred_daily_schedule,
    fred_weekly_schedule,
    fred_monthly_schedule,
    mof_jgb_schedule,
    mof_flows_weekly_schedule,
    mof_flows_monthly_schedule,
    tic_schedule,
]
