"""The code location: every asset, check, resource, schedule and sensor, in one Definitions.

`PUBLISHERS` is the one list of publishers; everything derives from their declarations
(pipelines/sources/<publisher>/datasets.py): ingestion assets and their checks, jobs,
schedules, the watcher, freshness policies, validation suites, the marts' staging inputs and
meta.table_status rules. Adding a publisher is its folder plus one line here. Policy that
applies to every asset (freshness from its cadence; owners, tags and code versions,
defs/standard.py) is applied here, once.

A refresh never stops at a failing source: every ingestion asset and mart reports an outcome
with a data version (defs/ingest.py, defs/marts/versions.py), so the marts, the serving copy
and the report downstream always run, rebuilding only what changed; the `refresh_outcomes`
check then fails the run if any refresh in it failed (defs/outcomes.py).
"""

from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from pipelines.defs.cadence import releases
from pipelines.defs.freshness import apply_freshness
from pipelines.defs.jobs import build_jobs
from pipelines.defs.location import location_assets
from pipelines.defs.resources import location_resources
from pipelines.defs.schedules import build_schedules
from pipelines.defs.sensors import Watched, build_sensors, watched_files
from pipelines.defs.standard import apply_standard
from pipelines.lib.console import LOGGERS
from pipelines.lib.datasets import Publisher, register
from pipelines.lib.runguard import guard_in_process_runs
from pipelines.sources.fred import datasets as fred
from pipelines.sources.mof import datasets as mof
from pipelines.sources.tic import datasets as tic

PUBLISHERS: list[Publisher] = [fred.PUBLISHER, mof.PUBLISHER, tic.PUBLISHER]

# Every run here uses the in-process executor, whose loop can spin forever after a failure and
# whose Ctrl-C can be lost in a GC callback (lib/runguard.py): guard it where the code location
# loads, so runs launched by make demo, the CLI, the UI or the daemon's run workers all end.
guard_in_process_runs()

REFRESH_ALL = "refresh_all"


def build_definitions(
    catalogue: Path | str | None = None, publishers: Sequence[Publisher] = PUBLISHERS,
) -> dg.Definitions:
    """The code location; with `catalogue` (another FRED catalogue.yaml, as tests use), the
    same assets, checks and `refresh_all` job, without the per-release jobs, schedules and
    sensors (which name the default catalogue's series). `publishers`: another list (a test's
    fake publisher) gets its assets, checks, jobs, schedules and freshness the same way."""
    register(publishers)
    assets, checks = location_assets(catalogue, publishers)
    # Everything, in dependency order within one run: what `make demo` and `make run` execute.
    refresh_all = dg.define_asset_job(
        REFRESH_ALL,
        selection=dg.AssetSelection.all(),
        description="Every source, then the marts, the serving copy, the report and the alerts;"
        " fails at the end if any refresh failed, after everything else was brought up to"
        " date from the data the warehouse holds.",
    )
    default = catalogue is None
    groups = releases(assets, publishers) if default else []
    jobs = build_jobs(groups)
    by_name = {j.name: j for j in jobs}
    return dg.Definitions(
        # owners, tags and code versions
        assets=apply_standard(apply_freshness(assets, publishers), publishers),
        asset_checks=checks,
        jobs=[refresh_all, *jobs],
        # One process per run: every step takes the one-slot "warehouse" pool, so a process
        # per step (the default executor) bought no parallelism and cost an import each.
        executor=dg.in_process_executor,
        schedules=build_schedules(groups, by_name),
        sensors=build_sensors(watched_files(publishers, by_name)) if default else [],
        loggers=LOGGERS,  # one line per failure on the console, no stack traces (lib/console.py)
        resources=location_resources(bind_env=default),
    )


defs = build_definitions()
# The default location's jobs, schedules and sensors by name, and its watched files
# (benchmarks simulate the watcher and the schedules with them; tests inspect them).
JOBS = {j.name: j for j in defs.jobs or []}
SCHEDULES = {s.name: s for s in defs.schedules or []}
SENSORS = {s.name: s for s in defs.sensors or []}
WATCHED: tuple[Watched, ...] = watched_files(PUBLISHERS, JOBS)
