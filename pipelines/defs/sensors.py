"""Sensors: the declarative-automation sensor, and a cheap watcher of the publishers' small files.

The watched files are the ones a dataset declaration marks `watched`, each with its cadence's
job and release window. The watcher ticks every minute; on each tick the polling plan
(lib/polling.py) says which files are due: every 2 minutes inside the publisher's release
window, hourly outside it. The cursor keeps each file's last poll time with its version, so the
plan survives restarts. A due file is asked only "has this file changed?" (HEAD with If-None-Match /
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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg
import requests

from pipelines.defs.resources import PublishersResource
from pipelines.lib import polling
from pipelines.lib.datasets import Dataset, Publisher
from pipelines.lib.http import USER_AGENT
from pipelines.lib.settings import (
    Settings,
    automation_enabled,
    automation_interval_s,
    watch_interval_s,
)

TIMEOUT_S = (5.0, 20.0)
WATCH_INTERVAL_S = watch_interval_s()  # 60 s; a tick only decides (lib/polling.py: what is due)


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
    window: str  # the release window's name (polling.BY_NAME for the built-in publishers)
    plan: polling.Window  # the release window itself: when to poll densely


def _watched_url(ds: Dataset, index: int) -> Callable[[Settings], str]:
    def url(settings: Settings) -> str:
        assert ds.files is not None
        return ds.files(settings)[index].url
    return url


def watched_files(
    publishers: Iterable[Publisher], jobs: Mapping[str, dg.UnresolvedAssetJobDefinition]
) -> tuple[Watched, ...]:
    """Every file a declaration marks `watched`, with its cadence's job and release window."""
    out: list[Watched] = []
    for ds in (d for p in publishers for d in p.datasets):
        if ds.files is None or ds.cadence.window is None or ds.cadence.name not in jobs:
            continue
        for index, f in enumerate(ds.files(Settings())):
            if f.watched:
                out.append(Watched(f"{ds.publisher}_{f.name.rsplit('.', 1)[0]}",
                                   _watched_url(ds, index), jobs[ds.cadence.name],
                                   ds.cadence.window.name, ds.cadence.window))
    return tuple(out)


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


def build_watcher(watched: Sequence[Watched]) -> dg.SensorDefinition:
    """The watcher of these files (one sensor, one cursor for all of them)."""

    @dg.sensor(
        name="publisher_file_watcher",
        jobs=list({w.job.name: w.job for w in watched}.values()),
        minimum_interval_seconds=WATCH_INTERVAL_S,
        default_status=default_sensor_status(),
        description="Conditional HEAD/GET on " + ", ".join(w.name for w in watched)
        + ", every 2 min in each release window and hourly otherwise (lib/polling.py);"
        " runs the matching ingestion job once per new version of a file.",
    )
    def publisher_file_watcher(
        context: dg.SensorEvaluationContext, publishers: PublishersResource
    ) -> dg.SensorResult:
        return watch(context, publishers.settings(), watched)

    return publisher_file_watcher


def watch(
    context: dg.SensorEvaluationContext, settings: Settings, watched: Sequence[Watched]
) -> dg.SensorResult:
    """One tick: poll the files that are due, request a run per changed file."""
    cursor: dict[str, dict[str, str | None]] = json.loads(context.cursor or "{}")
    now = clock()
    requests_: list[dg.RunRequest] = []
    notes: list[str] = []
    for w in watched:
        previous = cursor.get(w.name) or {}
        polled = previous.get("polled_at")
        last = datetime.fromisoformat(polled) if polled else None
        if not polling.due(w.plan, last, now):
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
    minimum_interval_seconds=automation_interval_s(),
    description="Refreshes marts and serving once after each upstream change (eager).",
)



def build_sensors(watched: Sequence[Watched]) -> list[dg.SensorDefinition]:
    return [build_watcher(watched), automation_sensor] if watched else [automation_sensor]

