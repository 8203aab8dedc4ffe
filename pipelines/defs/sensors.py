"""Sensors: the declarative-automation sensor, and a cheap watcher of the publishers' small files.

The watched files are the ones a dataset declaration marks `watched`, each with its cadence's
job and release window; a publisher with no such file declares a release probe instead (FRED:
one small request about a bellwether series, sources/fred/probe.py). The watcher ticks every
minute; on each tick the polling plan (lib/polling.py) says which are due: every 2 minutes
inside the publisher's release window, every 2 hours outside it. The cursor keeps each one's
last poll time with its version, so the plan survives restarts. A due file is asked only "has
this file changed?" (HEAD with If-None-Match / If-Modified-Since; a conditional GET where HEAD
is refused or gives no validator, hashing the body), a probe for the release its answer names;
either requests the matching ingestion job once per change: the cursor keeps the last version,
and the run_key is that version, so even a lost cursor never repeats a run.
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
from pipelines.lib.datasets import Dataset, Publisher, ReleaseProbe
from pipelines.lib.errors import ParseError
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
class Probe:
    changed: bool
    state: dict[str, str | None]  # etag, last_modified, version
    note: str


State = dict[str, str | None]


@dataclass(frozen=True)
class Watched:
    """A small file a publisher rewrites on release (or a release probe), and the job it runs."""

    name: str
    url: Callable[[Settings], str]  # for messages: never carries a key
    job: dg.UnresolvedAssetJobDefinition
    plan: polling.Window  # its cadence's release window: when to poll densely
    check: Callable[[Settings, State], Probe]  # has it changed since this state?

    @property
    def window(self) -> str:
        """The release window's name."""
        return self.plan.name


def _watched_file(ds: Dataset, index: int) -> tuple[Callable[[Settings], str],
                                                    Callable[[Settings, State], Probe]]:
    def url(settings: Settings) -> str:
        assert ds.files is not None
        return ds.files(settings)[index].url
    return url, lambda settings, previous: probe(url(settings), previous)


def _release_probe(decl: ReleaseProbe) -> tuple[Callable[[Settings], str],
                                                Callable[[Settings, State], Probe]]:
    def url(settings: Settings) -> str:
        return decl.request(settings)[0]
    return url, lambda settings, previous: probe_release(decl, settings, previous)


def watched_files(
    publishers: Iterable[Publisher], jobs: Mapping[str, dg.UnresolvedAssetJobDefinition]
) -> tuple[Watched, ...]:
    """Every file a declaration marks `watched`, and every release probe, with its cadence's
    job and release window."""
    out: list[Watched] = []
    for ds in (d for p in publishers for d in p.datasets):
        for decl in ds.probes:
            if decl.cadence.window is not None and decl.cadence.name in jobs:
                url, check = _release_probe(decl)
                out.append(Watched(decl.name, url, jobs[decl.cadence.name],
                                   decl.cadence.window, check))
        if ds.files is None or ds.cadence.window is None or ds.cadence.name not in jobs:
            continue
        for index, f in enumerate(ds.files(Settings())):
            if f.watched:
                url, check = _watched_file(ds, index)
                out.append(Watched(f"{ds.publisher}_{f.name.rsplit('.', 1)[0]}", url,
                                   jobs[ds.cadence.name], ds.cadence.window, check))
    return tuple(out)


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


def probe_release(decl: ReleaseProbe, settings: Settings, previous: State) -> Probe:
    """Ask a release probe; the version its answer names is the release. Raises on HTTP
    errors, and ParseError on an answer that is not what the publisher sends (an error page)."""
    url, params = decl.request(settings)
    got = requests.get(url, params=params, headers={"User-Agent": USER_AGENT},
                       timeout=TIMEOUT_S)
    got.raise_for_status()
    version = decl.version(settings, got.content)
    return Probe(version != previous.get("version"),
                 {"etag": None, "last_modified": None, "version": version},
                 f"GET {got.status_code}: {version}")


def _why(exc: Exception) -> str:
    """What went wrong, in words that never carry a URL's query (an API key may be in it)."""
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, ParseError):
        return f"ParseError: {str(exc)[:200]}"
    return type(exc).__name__


def build_watcher(watched: Sequence[Watched]) -> dg.SensorDefinition:
    """The watcher of these files (one sensor, one cursor for all of them)."""

    @dg.sensor(
        name="publisher_file_watcher",
        jobs=list({w.job.name: w.job for w in watched}.values()),
        minimum_interval_seconds=WATCH_INTERVAL_S,
        default_status=default_sensor_status(),
        description="Conditional HEAD/GET or a release probe on "
        + ", ".join(w.name for w in watched)
        + ", every 2 min in each release window and every 2 h otherwise (lib/polling.py);"
        " runs the matching ingestion job once per new version or release.",
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
            result = w.check(settings, {k: v for k, v in previous.items() if k != "polled_at"})
        except (requests.RequestException, ParseError) as exc:
            # One publisher down must not stop the others; the cursor keeps its last state,
            # and the poll time, so a failing publisher is asked again on the plan's next beat.
            context.log.warning(f"{w.name}: {url} could not be checked: {_why(exc)}")
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

