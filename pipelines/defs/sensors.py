"""Sensors: the declarative-automation sensor, and a cheap watcher of the publishers' small files.

The watcher ticks every minute; on each tick the polling plan (lib/polling.py) says which files
are due: every 2 minutes inside the publisher's release window, hourly outside it. The cursor
keeps each file's last poll time with its version, so the plan survives restarts. A due file
is asked only "has this file changed?" (HEAD with If-None-Match /
If-Modified-Since; a conditional GET where HEAD is refused or gives no validator, hashing the
body) and requests the matching ingestion job once per change: the cursor keeps each file's
last version, and the run_key is that version, so even a lost cursor never repeats a run.
Marts and serving then refresh through the automation sensor, once per upstream change.

Both sensors start STOPPED unless JGB_AUTOMATION=on (lib/settings.py), like the schedules:
offline, the watcher would fail every tick, and the automation sensor would launch runs into
the same DAGSTER_HOME that `make demo` writes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg
import requests

from pipelines.defs import jobs
from pipelines.defs.resources import PublishersResource
from pipelines.lib import polling
from pipelines.lib.http import USER_AGENT
from pipelines.lib.settings import Settings, automation_enabled
from pipelines.sources.mof import urls as mof_urls
from pipelines.sources.tic import urls as tic_urls

TIMEOUT_S = (5.0, 20.0)
WATCH_INTERVAL_S = 60  # a tick only decides; lib/polling.py says which files are due


def clock() -> datetime:
    """The tick's time. The benchmark's simulated day swaps this for its own clock."""
    return datetime.now(UTC)


def default_sensor_status() -> dg.DefaultSensorStatus:
    """RUNNING only when JGB_AUTOMATION=on in the environment the code location loads in."""
    return (dg.DefaultSensorStatus.RUNNING if automation_enabled()
            else dg.DefaultSensorStatus.STOPPED)


@dataclass(frozen=True)
class Watched:
    """A small file a publisher rewrites on release, and the job that ingests it."""

    name: str
    url: Callable[[Settings], str]
    job: dg.UnresolvedAssetJobDefinition
    window: str  # polling.BY_NAME key: when the publisher releases this file


def _jgb_current(s: Settings) -> str:
    current = mof_urls.JGB_CURRENT_JA if os.environ.get("MOF_JGB_LANGUAGE") == "ja" \
        else mof_urls.JGB_CURRENT_EN
    return mof_urls.url(s.mof_url, current)


WATCHED = (
    Watched("mof_jgbcme", _jgb_current, jobs.mof_jgb_job, "mof_jgb"),
    Watched("tic_slt_table5", lambda s: tic_urls.slt_table5_url(s.tic_url), jobs.tic_job, "tic"),
    Watched("mof_week", lambda s: mof_urls.url(s.mof_url, mof_urls.FLOWS_WEEKLY),
            jobs.mof_flows_weekly_job, "mof_week"),
)


@dataclass(frozen=True)
class Probe:
    changed: bool
    state: dict[str, str | None]  # etag, last_modified, version
    note: str


def probe(url: str, previous: dict[str, str | None] | None) -> Probe:
    """Has `url` changed since `previous` (the cursor's state for it)? Raises on HTTP errors."""
    previous = previous or {}
    headers = {"User-Agent": USER_AGENT}
    if previous.get("etag"):
        headers["If-None-Match"] = previous["etag"] or ""
    if previous.get("last_modified"):
        headers["If-Modified-Since"] = previous["last_modified"] or ""
    head = requests.head(url, headers=headers, timeout=TIMEOUT_S, allow_redirects=True)
    if head.status_code == 304:
        return Probe(False, previous, "304 Not Modified (HEAD)")
    etag, modified = head.headers.get("ETag"), head.headers.get("Last-Modified")
    if head.ok and (etag or modified):
        version = etag or modified
        state = {"etag": etag, "last_modified": modified, "version": version}
        return Probe(version != previous.get("version"), state, f"HEAD {head.status_code}")
    if head.status_code not in (200, 403, 405, 501):
        head.raise_for_status()
    # No usable validator from HEAD: a conditional GET, and the body's hash as the version.
    got = requests.get(url, headers=headers, timeout=TIMEOUT_S)
    if got.status_code == 304:
        return Probe(False, previous, "304 Not Modified (GET)")
    got.raise_for_status()
    version = "sha256:" + hashlib.sha256(got.content).hexdigest()
    state = {"etag": got.headers.get("ETag"), "last_modified": got.headers.get("Last-Modified"),
             "version": version}
    return Probe(version != previous.get("version"), state, f"GET {got.status_code}")


@dg.sensor(
    name="publisher_file_watcher",
    jobs=[w.job for w in WATCHED],
    minimum_interval_seconds=WATCH_INTERVAL_S,
    default_status=default_sensor_status(),
    description="Conditional HEAD/GET on MOF jgbcme.csv, TIC slt_table5.txt and MOF week.csv,"
    " every 2 min in each release window and hourly otherwise (lib/polling.py);"
    " runs the matching ingestion job once per new version of a file.",
)
def publisher_file_watcher(
    context: dg.SensorEvaluationContext, publishers: PublishersResource
) -> dg.SensorResult:
    settings = publishers.settings()
    cursor: dict[str, dict[str, str | None]] = json.loads(context.cursor or "{}")
    now = clock()
    requests_: list[dg.RunRequest] = []
    notes: list[str] = []
    for w in WATCHED:
        previous = cursor.get(w.name) or {}
        polled = previous.get("polled_at")
        last = datetime.fromisoformat(polled) if polled else None
        if not polling.due(polling.BY_NAME[w.window], last, now):
            notes.append(f"{w.name}: not due")
            continue
        url = w.url(settings)
        try:
            result = probe(url, {k: v for k, v in previous.items() if k != "polled_at"})
        except requests.RequestException as exc:
            # One publisher down must not stop the others; the cursor keeps its last state,
            # and the poll time, so a failing publisher is asked again on the plan's next beat.
            context.log.warning(f"{w.name}: {url} could not be checked: {type(exc).__name__}")
            notes.append(f"{w.name}: error")
            cursor[w.name] = {**previous, "polled_at": now.isoformat()}
            continue
        cursor[w.name] = {**result.state, "polled_at": now.isoformat()}
        notes.append(f"{w.name}: {result.note}{', changed' if result.changed else ''}")
        if result.changed:
            requests_.append(dg.RunRequest(
                run_key=f"{w.name}:{result.state['version']}",
                job_name=w.job.name,
                tags={"watched_file": w.name},
            ))
    context.log.info("; ".join(notes))
    return dg.SensorResult(
        run_requests=requests_,
        cursor=json.dumps(cursor, sort_keys=True),
        skip_reason=None if requests_ else dg.SkipReason("no watched file changed: "
                                                          + "; ".join(notes)),
    )


# Declarative automation: marts and serving assets carry AutomationCondition.eager(); this
# sensor (the default one's name; RUNNING from the start only with JGB_AUTOMATION=on)
# evaluates them every 30 s.
automation_sensor = dg.AutomationConditionSensorDefinition(
    "default_automation_condition_sensor",
    target=dg.AssetSelection.all(),
    default_status=default_sensor_status(),
    minimum_interval_seconds=30,
    description="Refreshes marts and serving once after each upstream change (eager).",
)

SENSORS = [publisher_file_watcher, automation_sensor]
