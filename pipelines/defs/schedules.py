"""Schedules that follow each publisher's release time, in the publisher's own time zone.

One schedule per release cadence, from its `Cadence` (cron, zone, release time), declared
beside the publisher's parsers (pipelines/sources/<publisher>/). Cron in the publisher's zone
keeps a run right after the release across daylight-saving changes (Tokyo has none; New York
and Chicago shift). Each run is cheap when nothing changed: ingestion makes conditional GETs
and skips unchanged files, and skipped assets start nothing downstream. The watcher sensor
(sensors.py) catches early or off-schedule releases.

Every schedule starts STOPPED, so loading the code location (`make dev`, a test, a new
deployment) never calls the publishers by itself; JGB_AUTOMATION=on (lib/settings.py) starts
them RUNNING in production. A schedule switched on or off in the UI keeps that state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dagster as dg

from pipelines.defs.cadence import Release
from pipelines.lib.settings import automation_enabled


def default_schedule_status() -> dg.DefaultScheduleStatus:
    """RUNNING only when JGB_AUTOMATION=on in the environment the code location loads in."""
    return (dg.DefaultScheduleStatus.RUNNING if automation_enabled()
            else dg.DefaultScheduleStatus.STOPPED)


def build_schedule(release: Release,
                   job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    c = release.cadence
    return dg.ScheduleDefinition(
        name=c.schedule_name, cron_schedule=c.cron, job=job, execution_timezone=c.zone,
        description=f"{c.description} Cron '{c.cron}' in {c.zone}: after the release, normally"
        f" by {c.release:%H:%M} local time.",
        default_status=default_schedule_status(),
    )


def build_schedules(
    releases: Sequence[Release], jobs: Mapping[str, dg.UnresolvedAssetJobDefinition]
) -> list[dg.ScheduleDefinition]:
    return [build_schedule(r, jobs[r.cadence.name]) for r in releases]

